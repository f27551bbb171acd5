package io.arexport.verify;

import io.arexport.HeightRange;
import io.arexport.iceberg.Snapshots;
import io.arexport.schema.ExportTable;
import io.arexport.warehouse.LocalLocation;
import io.arexport.warehouse.WarehouseLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StaticTableOperations;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;

/**
 * The data files that a table's current Iceberg snapshot lists (contract section 5), read with
 * iceberg-core from {@code <table>/metadata/vN.metadata.json} as readers find it through {@code
 * version-hint.text}. Only files in partition directories that overlap the verified heights are
 * kept (one small entry per file, not per row), so verify can match them one by one with the
 * files on disk and then report what is left.
 *
 * <p>Locations in the metadata are URIs under the table location recorded in the metadata ({@code
 * file:/...} or the {@code --datasets-root} URL); a read-only {@link FileIO} maps them to the
 * local table directory, so metadata written for an HTTP root is checked against the local files.
 */
final class IcebergSnapshotFiles {
  private static final Pattern VERSION_FILE = Pattern.compile("v(\\d{1,9})\\.metadata\\.json");

  /** What the snapshot records for one data file. */
  record Entry(long records, long bytes) {}

  private final Map<String, Entry> files;
  private final String description;

  private IcebergSnapshotFiles(Map<String, Entry> files, String description) {
    this.files = files;
    this.description = description;
  }

  /**
   * Loads the current snapshot of {@code table}; null when the table has no Iceberg metadata (the
   * check is then skipped, reported as a note) or when it cannot be read (reported as a
   * difference).
   */
  static IcebergSnapshotFiles load(WarehouseLayout layout, ExportTable table, HeightRange heights,
      Consumer<Finding> findings) {
    String name = table.tableName();
    Path metadataDir = layout.metadataDir(table);
    int newest = newestVersion(metadataDir);
    Path hint = metadataDir.resolve("version-hint.text");
    if (newest == 0 && !Files.exists(hint)) {
      findings.accept(new Finding(Finding.Kind.ICEBERG_SKIPPED, name, null, null, null, null,
          "Iceberg check of " + name + " skipped: table has no Iceberg metadata"));
      return null;
    }
    String metadataPath = layout.relative(metadataDir);
    try {
      int version = hintedVersion(hint, metadataPath, newest, name, findings);
      if (version == 0) {
        return null;
      }
      Path file = metadataDir.resolve("v" + version + ".metadata.json");
      String json = Files.readString(file, StandardCharsets.UTF_8);
      checkCurrentCopy(metadataDir, file, json, metadataPath, name, findings);
      String location = TableMetadataParser.fromJson(json).location();
      checkLocalLocation(location, layout.tableDir(table), metadataPath, name, findings);
      TableLocalIO io = new TableLocalIO(Snapshots.withoutTrailingSlash(location),
          layout.tableDir(table));
      TableMetadata metadata = new StaticTableOperations(
          location + "/metadata/" + file.getFileName(), io).current();
      Snapshot snapshot = metadata.currentSnapshot();
      String description = metadataPath + "/" + file.getFileName()
          + (snapshot == null ? " (no snapshot)" : " snapshot " + snapshot.snapshotId());
      Map<String, Entry> files = new HashMap<>();
      if (snapshot == null) {
        return new IcebergSnapshotFiles(files, description);
      }
      if (!snapshot.deleteManifests(io).isEmpty()) {
        findings.accept(new Finding(Finding.Kind.ICEBERG_METADATA, name, null, metadataPath,
            null, null, description + " has delete files, which arexport never writes: its"
                + " record counts are not row counts"));
      }
      for (ManifestFile manifest : snapshot.dataManifests(io)) {
        try (ManifestReader<DataFile> reader =
            ManifestFiles.read(manifest, io, metadata.specsById())) {
          for (DataFile dataFile : reader) {
            String relative = io.tableRelative(dataFile.location());
            HeightRange dir = relative == null ? null : partitionOf(relative);
            if (dir == null) {
              findings.accept(new Finding(Finding.Kind.ICEBERG_EXTRA_FILE, name, null,
                  dataFile.location(), null, dataFile.recordCount(), description + " lists "
                      + dataFile.location() + ", which is not a data file of this table's"
                      + " partition directories"));
            } else if (dir.overlaps(heights)) {
              String key = name + "/" + relative;
              if (files.put(key, new Entry(dataFile.recordCount(), dataFile.fileSizeInBytes()))
                  != null) {
                findings.accept(new Finding(Finding.Kind.ICEBERG_EXTRA_FILE, name,
                    dir.toString(), key, null, dataFile.recordCount(), description
                        + " lists " + key + " more than once (its rows counted twice)"));
              }
            }
          }
        }
      }
      return new IcebergSnapshotFiles(files, description);
    } catch (IOException | RuntimeException e) {
      findings.accept(new Finding(Finding.Kind.ICEBERG_METADATA, name, null, metadataPath, null,
          null, "cannot read the Iceberg metadata of " + name + " in " + metadataPath + ": "
              + PartitionFiles.firstLine(e)));
      return null;
    }
  }

  /**
   * A local table location ({@code file:}, or a plain path) must be this table's directory: after
   * the warehouse was moved or copied, the metadata still sends every reader to the old place
   * (arexport's own checks map locations to the local files, so they alone would not notice).
   */
  private static void checkLocalLocation(String location, Path tableDir, String metadataPath,
      String table, Consumer<Finding> findings) {
    if (!location.startsWith("file:") && LocalLocation.path(location).isEmpty()) {
      return; // a --datasets-root URL: served from elsewhere, by design
    }
    if (!LocalLocation.names(location, tableDir)) {
      findings.accept(new Finding(Finding.Kind.ICEBERG_METADATA, table, null, metadataPath, null,
          null, metadataPath + " records the table at " + location + ", not at " + tableDir
              + ": readers that follow the metadata look for its files there (the warehouse"
              + " moved?); 'arexport metadata' records them here"));
    }
  }

  /**
   * The version readers use: the hint's N, or a newer {@code vN.metadata.json} beside it (which
   * Hadoop-style readers also take, but a reader that trusts the hint does not: a difference).
   */
  private static int hintedVersion(Path hint, String metadataPath, int newest, String table,
      Consumer<Finding> findings) throws IOException {
    if (!Files.exists(hint)) {
      findings.accept(new Finding(Finding.Kind.ICEBERG_METADATA, table, null, metadataPath, null,
          null, metadataPath + " has v" + newest + ".metadata.json but no version-hint.text"));
      return newest;
    }
    String text = Files.readString(hint, StandardCharsets.UTF_8).trim();
    if (!text.matches("[1-9][0-9]{0,8}")) {
      findings.accept(new Finding(Finding.Kind.ICEBERG_METADATA, table, null, metadataPath, null,
          null, metadataPath + "/version-hint.text is corrupt ('"
              + (text.length() > 20 ? text.substring(0, 20) + "..." : text) + "')"));
      return newest;
    }
    int version = Integer.parseInt(text);
    if (!Files.isRegularFile(hint.resolveSibling("v" + version + ".metadata.json"))) {
      findings.accept(new Finding(Finding.Kind.ICEBERG_METADATA, table, null, metadataPath, null,
          null, metadataPath + "/version-hint.text names v" + version
              + ".metadata.json, which does not exist"));
      return newest;
    }
    if (newest > version) {
      findings.accept(new Finding(Finding.Kind.ICEBERG_METADATA, table, null, metadataPath, null,
          null, metadataPath + "/version-hint.text names v" + version + " but v" + newest
              + ".metadata.json is newer (an interrupted commit; readers that trust the hint see"
              + " an old snapshot); checked v" + newest));
      return newest;
    }
    return version;
  }

  /** {@code metadata.json} must be a copy of the current version (contract section 5). */
  private static void checkCurrentCopy(Path metadataDir, Path current, String json,
      String metadataPath, String table, Consumer<Finding> findings) throws IOException {
    Path copy = metadataDir.resolve("metadata.json");
    if (!Files.isRegularFile(copy)) {
      findings.accept(new Finding(Finding.Kind.ICEBERG_METADATA, table, null, metadataPath, null,
          null, metadataPath + " has no metadata.json (a copy of the current "
              + current.getFileName() + ")"));
    } else if (!Files.readString(copy, StandardCharsets.UTF_8).equals(json)) {
      findings.accept(new Finding(Finding.Kind.ICEBERG_METADATA, table, null, metadataPath, null,
          null, metadataPath + "/metadata.json is not a copy of the current "
              + current.getFileName()));
    }
  }

  private static int newestVersion(Path metadataDir) {
    if (!Files.isDirectory(metadataDir)) {
      return 0;
    }
    try (Stream<Path> children = Files.list(metadataDir)) {
      return children.map(p -> VERSION_FILE.matcher(p.getFileName().toString()))
          .filter(Matcher::matches)
          .mapToInt(m -> Integer.parseInt(m.group(1)))
          .max().orElse(0);
    } catch (IOException e) {
      return 0;
    }
  }

  /** {@code data/height=S-E/<file>} → S-E; null for anything else. */
  private static HeightRange partitionOf(String tableRelative) {
    String[] parts = tableRelative.split("/");
    if (parts.length != 3 || !parts[0].equals("data")) {
      return null;
    }
    return HeightRange.parseDirectoryName(parts[1]);
  }

  /** Removes and returns the snapshot's entry for a warehouse-relative path, or null. */
  Entry take(String warehouseRelative) {
    return files.remove(warehouseRelative);
  }

  /** Entries not taken: listed by the snapshot but not seen on disk. */
  Map<String, Entry> remaining() {
    return files;
  }

  /** e.g. {@code blocks/metadata/v3.metadata.json snapshot 123}. */
  String description() {
    return description;
  }

  /** Read-only FileIO: locations under the table location are files in the table directory. */
  private static final class TableLocalIO implements FileIO {
    private static final long serialVersionUID = 1L;
    private final String location;
    private final String tableDir;

    TableLocalIO(String location, Path tableDir) {
      this.location = location;
      this.tableDir = tableDir.toAbsolutePath().normalize().toString();
    }

    /** The path below the table directory, '/'-separated; null when outside it. */
    String tableRelative(String fileLocation) {
      String rest;
      if (fileLocation.startsWith(location + "/")) {
        rest = fileLocation.substring(location.length() + 1);
      } else {
        Path local = localOrNull(fileLocation);
        if (local == null || !local.startsWith(tableDir)) {
          return null;
        }
        rest = Path.of(tableDir).relativize(local).toString().replace('\\', '/');
      }
      Path resolved = Path.of(tableDir).resolve(rest).normalize();
      return resolved.startsWith(tableDir) ? rest : null;
    }

    private static Path localOrNull(String fileLocation) {
      return LocalLocation.path(fileLocation).orElse(null);
    }

    @Override
    public InputFile newInputFile(String path) {
      String relative = tableRelative(path);
      if (relative == null) {
        throw new IllegalArgumentException(path + " is outside the table location " + location);
      }
      return new LocatedInputFile(path, Path.of(tableDir).resolve(relative));
    }

    @Override
    public OutputFile newOutputFile(String path) {
      throw new UnsupportedOperationException("verify never writes: " + path);
    }

    @Override
    public void deleteFile(String path) {
      throw new UnsupportedOperationException("verify never deletes: " + path);
    }
  }

  /** A local file that keeps the location the metadata gave it. */
  private record LocatedInputFile(String location, Path path) implements InputFile {
    @Override
    public long getLength() {
      try {
        return Files.size(path);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public org.apache.iceberg.io.SeekableInputStream newStream() {
      return org.apache.iceberg.Files.localInput(path.toFile()).newStream();
    }

    @Override
    public boolean exists() {
      return Files.exists(path);
    }
  }
}
