package io.arexport.iceberg;

import io.arexport.RuntimeFailureException;
import io.arexport.StateConflictException;
import io.arexport.export.FaultPoints;
import io.arexport.fs.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.LocationProviders;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.LocationProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Iceberg {@link TableOperations} for a table directory on the local filesystem, mirroring
 * Hadoop's path-based tables so that {@code HadoopTables}, Spark's Hadoop catalog, DuckDB and
 * PyIceberg read what it writes:
 *
 * <ul>
 *   <li>{@code metadata/vN.metadata.json} (N = 1, 2, ...) is written to a temporary name,
 *       flushed, then published with an atomic no-replace link, so version N appears complete or
 *       not at all and can never be overwritten;
 *   <li>then {@code metadata/version-hint.text} is replaced with just N;
 *   <li>then {@code metadata/metadata.json} is replaced with a copy of version N.
 * </ul>
 *
 * <p>After a commit, metadata files that fell out of the metadata log are deleted as Iceberg's own
 * table operations delete them ({@code write.metadata.delete-after-commit.enabled}, {@code
 * write.metadata.previous-versions-max}).
 *
 * <p>The version hint is only a pointer: like Hadoop, the current version is the hint's N or any
 * newer {@code vN.metadata.json} beside it. Writers hold the warehouse lock, so a version that
 * exists when a commit publishes is a conflict, never silently replaced.
 */
public final class LocalTableOperations implements TableOperations {
  static final String VERSION_HINT = "version-hint.text";
  static final String CURRENT_COPY = "metadata.json";
  private static final Pattern VERSION_FILE = Pattern.compile("v(\\d{1,9})\\.metadata\\.json");
  private static final String TEMP_SUFFIX = ".metadata.json.tmp";
  private static final Logger LOG = LoggerFactory.getLogger(LocalTableOperations.class);

  private final Path metadataDir;
  private final WarehouseFileIO io;
  private final FaultPoints faults;
  /** Where this table's files are recorded: {@code <root>/<table>}. */
  private final String location;
  private int version;
  private TableMetadata current;

  private LocalTableOperations(Path metadataDir, WarehouseFileIO io, FaultPoints faults,
      String location, int version, TableMetadata current) {
    this.metadataDir = metadataDir;
    this.io = io;
    this.faults = faults;
    this.location = location;
    this.version = version;
    this.current = current;
  }

  /**
   * Reads the current version of the table whose metadata lives in {@code metadataDir}. A table
   * without any version yet has {@link #current()} null. The root recorded in the metadata is
   * added to {@code io}, so its files resolve to the local warehouse.
   *
   * @throws StateConflictException when the version hint or the metadata file is corrupt
   */
  public static LocalTableOperations open(Path metadataDir, WarehouseFileIO io,
      FaultPoints faults) {
    int version = findVersion(metadataDir);
    if (version == 0) {
      return new LocalTableOperations(metadataDir, io, faults, null, 0, null);
    }
    TableMetadata metadata = read(metadataDir, version, io);
    return new LocalTableOperations(metadataDir, io, faults, metadata.location(), version,
        metadata);
  }

  /**
   * Operations that start a new history at {@code newLocation}: {@link #current()} is null, so a
   * create transaction can run, and its commit becomes the next version of this table.
   */
  LocalTableOperations startNewHistory(String newLocation) {
    return new LocalTableOperations(metadataDir, io, faults, newLocation, version, null);
  }

  /** The version {@link #current()} was read from or committed as; 0 before the first. */
  public int version() {
    return version;
  }

  /** The metadata file of {@link #version()}. */
  Path versionFile() {
    return metadataDir.resolve(versionFileName(version));
  }

  static String versionFileName(int version) {
    return "v" + version + ".metadata.json";
  }

  @Override
  public TableMetadata current() {
    return current;
  }

  @Override
  public TableMetadata refresh() {
    int found = findVersion(metadataDir);
    if (found != version && found != 0) {
      version = found;
      current = read(metadataDir, found, io);
    }
    return current;
  }

  @Override
  public void commit(TableMetadata base, TableMetadata metadata) {
    if (base != current) {
      throw new CommitFailedException("Cannot commit changes based on stale table metadata");
    }
    if (base == metadata) {
      return;
    }
    int next = version + 1;
    byte[] json = TableMetadataParser.toJson(metadata).getBytes(StandardCharsets.UTF_8);
    Path target = metadataDir.resolve(versionFileName(next));
    Path temp = metadataDir.resolve("." + UUID.randomUUID() + TEMP_SUFFIX);
    try {
      Files.createDirectories(metadataDir);
      Files.write(temp, json);
      DurableFiles.fsync(temp);
      faults.reached(FaultPoints.ICEBERG_MANIFESTS_WRITTEN);
      publishWithoutReplacing(temp, target);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(temp);
      // Nothing was published: Iceberg cleans up the manifests this commit wrote.
      throw new CommitFailedException(e, "cannot publish %s: %s", target, e.getMessage());
    }
    DurableFiles.fsyncDirectory(metadataDir);
    version = next;
    current = TableMetadataParser.fromJson(metadataLocation(next),
        new String(json, StandardCharsets.UTF_8));
    LOG.debug("committed {}", target);
    // Version N is committed from here on: a failure below must not let Iceberg delete its
    // manifests, so it is reported as an arexport failure, and the next run repairs the pointers.
    updatePointers(json);
    // As Iceberg's own table operations do after a commit: with
    // write.metadata.delete-after-commit.enabled, the versions that fell out of the metadata log
    // (longer than write.metadata.previous-versions-max) are deleted. Readers follow the hint
    // and metadata.json, which name the new version, so no reader is sent to a deleted file.
    CatalogUtil.deleteRemovedMetadataFiles(io, base, current);
  }

  /**
   * Makes {@code version-hint.text} and {@code metadata.json} point at the current version again
   * when a crash left them behind it; no-op when they are right or there is no version.
   */
  void repairPointers() {
    if (version == 0) {
      return;
    }
    try {
      byte[] json = Files.readAllBytes(versionFile());
      Path hint = metadataDir.resolve(VERSION_HINT);
      Path copy = metadataDir.resolve(CURRENT_COPY);
      boolean hintRight = Files.isRegularFile(hint)
          && Files.readString(hint, StandardCharsets.UTF_8).equals(Integer.toString(version));
      boolean copyRight = Files.isRegularFile(copy)
          && Arrays.equals(Files.readAllBytes(copy), json);
      if (!hintRight || !copyRight) {
        LOG.warn("repairing version-hint.text and metadata.json of {} (version {})", metadataDir,
            version);
        updatePointers(json);
      }
    } catch (IOException e) {
      throw new RuntimeFailureException(
          "cannot read " + versionFile() + ": " + e.getMessage(), e);
    }
  }

  /** Removes temporary metadata files left by a commit that crashed before publishing. */
  void deleteStaleTempFiles() {
    if (!Files.isDirectory(metadataDir)) {
      return;
    }
    try (Stream<Path> files = Files.list(metadataDir)) {
      for (Path file : files.filter(f -> {
        String name = f.getFileName().toString();
        return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
      }).toList()) {
        LOG.info("removing {} left by an interrupted commit", file);
        DurableFiles.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot list " + metadataDir + ": " + e.getMessage(), e);
    }
  }

  private void updatePointers(byte[] json) {
    try {
      DurableFiles.writeAtomically(metadataDir.resolve(VERSION_HINT),
          Integer.toString(version).getBytes(StandardCharsets.UTF_8));
      DurableFiles.writeAtomically(metadataDir.resolve(CURRENT_COPY), json);
    } catch (RuntimeFailureException e) {
      throw new RuntimeFailureException("committed " + versionFile() + " but could not update "
          + VERSION_HINT + " or " + CURRENT_COPY + " (rerun to repair them): " + e.getMessage(), e);
    }
  }

  /** Publishes {@code temp} as {@code target}; fails if {@code target} exists, never replaces. */
  private static void publishWithoutReplacing(Path temp, Path target) throws IOException {
    try {
      Files.createLink(target, temp);
    } catch (FileAlreadyExistsException e) {
      throw new IOException(target.getFileName() + " already exists: another writer committed"
          + " without the warehouse lock?", e);
    } catch (UnsupportedOperationException | IOException e) {
      if (Files.exists(target)) {
        throw new IOException(target.getFileName() + " already exists", e);
      }
      // No hard links here: under the warehouse lock, check + atomic rename is equivalent.
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      return;
    }
    // Published from here on: a failure to remove the temporary name must not report the commit
    // as failed (Iceberg would retry it on top of itself and list its files twice). The stale
    // temporary file is removed by a later commit.
    try {
      Files.delete(temp);
    } catch (IOException e) {
      LOG.warn("published {} but could not remove {}: {}", target, temp, e.getMessage());
    }
  }

  private String metadataLocation(int version) {
    return metadataFileLocation(versionFileName(version));
  }

  @Override
  public FileIO io() {
    return io;
  }

  @Override
  public String metadataFileLocation(String fileName) {
    return location + "/metadata/" + fileName;
  }

  @Override
  public LocationProvider locationProvider() {
    return LocationProviders.locationsFor(location,
        current == null ? Map.of() : current.properties());
  }

  /**
   * The current version: the version hint's N, or a newer {@code vN.metadata.json} beside it (a
   * crash between publishing a version and updating the hint); without a hint, the newest
   * {@code vN.metadata.json}; 0 when there is none.
   */
  static int findVersion(Path metadataDir) {
    Path hint = metadataDir.resolve(VERSION_HINT);
    int version;
    if (Files.isRegularFile(hint)) {
      String text;
      try {
        text = Files.readString(hint, StandardCharsets.UTF_8).trim();
      } catch (IOException e) {
        throw new RuntimeFailureException("cannot read " + hint + ": " + e.getMessage(), e);
      }
      if (!text.matches("[1-9][0-9]{0,8}")) {
        throw new StateConflictException("corrupt " + hint + ": '" + abbreviate(text)
            + "' is not a version number" + newestHint(metadataDir));
      }
      version = Integer.parseInt(text);
      if (!Files.isRegularFile(metadataDir.resolve(versionFileName(version)))) {
        throw new StateConflictException("corrupt " + hint + ": it names version " + version
            + " but " + versionFileName(version) + " does not exist" + newestHint(metadataDir));
      }
    } else {
      version = newestListed(metadataDir);
    }
    while (version > 0 && Files.isRegularFile(metadataDir.resolve(versionFileName(version + 1)))) {
      version++;
    }
    return version;
  }

  private static String newestHint(Path metadataDir) {
    int newest = newestListed(metadataDir);
    return newest == 0 ? "" : " (the newest metadata file is " + versionFileName(newest)
        + "; write " + newest + " into the hint to use it)";
  }

  private static int newestListed(Path metadataDir) {
    if (!Files.isDirectory(metadataDir)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(metadataDir)) {
      return files.map(f -> VERSION_FILE.matcher(f.getFileName().toString()))
          .filter(Matcher::matches)
          .mapToInt(m -> Integer.parseInt(m.group(1)))
          .max().orElse(0);
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot list " + metadataDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Parses {@code vN.metadata.json}. Its recorded location decides its own metadata location (so
   * the next version's metadata log names it under the same root) and is mapped by {@code io}.
   */
  private static TableMetadata read(Path metadataDir, int version, WarehouseFileIO io) {
    Path file = metadataDir.resolve(versionFileName(version));
    String json;
    try {
      json = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot read " + file + ": " + e.getMessage(), e);
    }
    try {
      String tableLocation = TableMetadataParser.fromJson(json).location();
      String tableName = metadataDir.getParent().getFileName().toString();
      if (!tableLocation.endsWith("/" + tableName)) {
        throw new IllegalArgumentException("its location " + tableLocation
            + " does not end with /" + tableName);
      }
      io.addRoot(tableLocation.substring(0, tableLocation.length() - tableName.length() - 1));
      return TableMetadataParser.fromJson(tableLocation + "/metadata/" + versionFileName(version),
          json);
    } catch (RuntimeException e) {
      throw new StateConflictException("corrupt Iceberg metadata " + file + ": "
          + firstLine(e.getMessage()), e);
    }
  }

  private static String firstLine(String message) {
    return message == null ? "unreadable" : message.lines().findFirst().orElse("");
  }

  private static String abbreviate(String text) {
    String oneLine = text.replaceAll("\\s+", " ");
    return oneLine.length() > 40 ? oneLine.substring(0, 40) + "..." : oneLine;
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // A stale temporary file is removed by the next run.
    }
  }
}
