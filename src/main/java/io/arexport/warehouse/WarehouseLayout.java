package io.arexport.warehouse;

import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import io.arexport.StateConflictException;
import io.arexport.RuntimeFailureException;
import io.arexport.schema.ExportTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Paths inside a warehouse: {@code <root>/<table>/data/height=S-E/*.parquet} for data, {@code
 * <root>/<table>/metadata/} for Iceberg, and {@code <root>/.arexport/} for arexport's own state
 * (lock, interrupted-commit journal, files awaiting deletion). Readers never look at dot-paths.
 */
public record WarehouseLayout(Path root) {

  public WarehouseLayout {
    root = root.toAbsolutePath().normalize();
  }

  public Path tableDir(ExportTable table) {
    return root.resolve(table.tableName());
  }

  public Path dataDir(ExportTable table) {
    return tableDir(table).resolve("data");
  }

  public Path metadataDir(ExportTable table) {
    return tableDir(table).resolve("metadata");
  }

  public Path partitionDir(ExportTable table, HeightRange partition) {
    return dataDir(table).resolve(partition.directoryName());
  }

  /** arexport's own state directory inside the warehouse. */
  public Path stateDir() {
    return root.resolve(".arexport");
  }

  /**
   * Refuses (exit 2) a warehouse that does not exist or is not a directory, in the one wording of
   * every command that reads an existing warehouse (metadata, maintain, status, verify, serve).
   */
  public void requireExistingDirectory() {
    if (!Files.exists(root)) {
      throw new InvalidInputException("warehouse " + root + " does not exist");
    }
    if (!Files.isDirectory(root)) {
      throw new InvalidInputException("warehouse " + root + " is not a directory");
    }
  }

  /**
   * Refuses a warehouse inside a table directory of another warehouse (say {@code --warehouseDir
   * wh/blocks/data}): every reader of that table would take its files for the table's, and that
   * warehouse's orphan removal ({@code maintain}) would delete them. The other warehouse is
   * recognised by its state directory, its Iceberg metadata or its partition directories.
   */
  public void requireNotInsideAnotherWarehouse() {
    for (Path dir = root.getParent(); dir != null && dir.getParent() != null;
        dir = dir.getParent()) {
      for (ExportTable table : ExportTable.values()) {
        if (!dir.getFileName().toString().equals(table.tableName())) {
          continue;
        }
        WarehouseLayout outer = new WarehouseLayout(dir.getParent());
        if (Files.isDirectory(outer.stateDir()) || Files.isDirectory(outer.metadataDir(table))
            || !outer.partitionDirs(table).isEmpty()) {
          throw new InvalidInputException("warehouse " + root + " is inside table "
              + table.tableName() + " of the warehouse " + outer.root() + ": its files would be"
              + " read as that table's, and that warehouse's maintenance would delete them as"
              + " orphans; put it outside " + outer.tableDir(table));
        }
      }
    }
  }

  /**
   * Where a migration that registered this warehouse's files in place (the catalog tables' location
   * is the warehouse's own table directories) notes the catalog: from then on the catalog owns the
   * directories, so directory-mode writers refuse them ({@link #requireNotOwnedByACatalog}).
   */
  public Path catalogOwnerFile() {
    return stateDir().resolve("catalog-owner");
  }

  /**
   * Refuses to write a warehouse whose tables a catalog took over in place: directory-mode
   * maintenance would delete the catalog's metadata as orphans (and the catalog's the directory
   * tables'), and a directory export would replace files the catalog still reads.
   */
  public void requireNotOwnedByACatalog() {
    Path owner = catalogOwnerFile();
    if (!Files.isRegularFile(owner)) {
      return;
    }
    String catalog;
    try {
      catalog = Files.readString(owner).trim();
    } catch (IOException e) {
      catalog = "a catalog";
    }
    throw new StateConflictException("warehouse " + root + " was migrated in place to " + catalog
        + ", which now owns its table directories: write it with the catalog options (delete "
        + owner + " only to give the directories back to directory mode, docs/lakehouse.md)");
  }

  /** True once {@code metadata} (or an export after it) has committed Iceberg metadata. */
  public boolean hasIcebergMetadata(ExportTable table) {
    return Files.isRegularFile(metadataDir(table).resolve("version-hint.text"));
  }

  /** The table's partition directories, by range, in height order. */
  public TreeMap<HeightRange, Path> partitionDirs(ExportTable table) {
    TreeMap<HeightRange, Path> dirs = new TreeMap<>(
        (a, b) -> a.start() != b.start()
            ? Long.compare(a.start(), b.start()) : Long.compare(a.end(), b.end()));
    Path dataDir = dataDir(table);
    if (!Files.isDirectory(dataDir)) {
      return dirs;
    }
    try (Stream<Path> children = Files.list(dataDir)) {
      children.filter(Files::isDirectory).forEach(dir -> {
        HeightRange range = HeightRange.parseDirectoryName(dir.getFileName().toString());
        if (range != null) {
          dirs.put(range, dir);
        }
      });
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot list " + dataDir + ": " + e.getMessage(), e);
    }
    return dirs;
  }

  /**
   * How {@code export} names the data files of {@code table}'s partition {@code range} (contract
   * section 3): {@code <table>_<S>_<E>[_<n>]_<job>.parquet}, the job being {@code
   * yyyyMMddTHHmmss[SSS]_<pid>}; group 1 is the split number (null for one file), group 2 the job.
   */
  public static Pattern dataFileName(ExportTable table, HeightRange range) {
    return Pattern.compile(Pattern.quote(table.tableName() + "_" + range.start() + "_"
        + range.end()) + "(?:_(\\d+))?_(\\d{8}T\\d{6,9}_\\d+)\\.parquet");
  }

  /** The Parquet files of one partition directory, by name. */
  public static List<Path> parquetFiles(Path partitionDir) {
    List<Path> files = new ArrayList<>();
    if (!Files.isDirectory(partitionDir)) {
      return files;
    }
    try (Stream<Path> children = Files.list(partitionDir)) {
      children
          .filter(p -> {
            String name = p.getFileName().toString();
            return name.endsWith(".parquet") && !name.startsWith(".");
          })
          .sorted()
          .forEach(files::add);
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot list " + partitionDir + ": " + e.getMessage(), e);
    }
    return files;
  }

  /** {@code path} relative to the warehouse root, with '/' separators. */
  public String relative(Path path) {
    return root.relativize(path.toAbsolutePath().normalize()).toString().replace('\\', '/');
  }

  /** A Parquet file of a partition directory, and its path relative to the warehouse. */
  public record DataFileOnDisk(HeightRange partition, Path path, String relative) {}

  /**
   * The table's data files as the directories hold them now, in height order: every Parquet file
   * of its partition directories except those a re-export replaced ({@code replaced}), which
   * only wait for the next Iceberg commit to delete them.
   */
  public List<DataFileOnDisk> currentDataFiles(ExportTable table, ReplacedFiles replaced) {
    List<DataFileOnDisk> files = new ArrayList<>();
    for (Map.Entry<HeightRange, Path> dir : partitionDirs(table).entrySet()) {
      for (Path file : parquetFiles(dir.getValue())) {
        String relative = relative(file);
        if (!replaced.contains(relative)) {
          files.add(new DataFileOnDisk(dir.getKey(), file, relative));
        }
      }
    }
    return files;
  }

  /**
   * Whether {@code relative} is {@code <table>/data/height=S-E/<name>.parquet}, not hidden: where
   * {@code export} writes a data file of {@code table}, and the only kind of path arexport's state
   * files may have it move or delete, whatever a damaged or hand-edited one says.
   */
  public static boolean isDataFile(ExportTable table, String relative) {
    String[] parts = relative.split("/", -1);
    return parts.length == 4 && isPartitionDir(table, parts)
        && parts[3].endsWith(".parquet") && !parts[3].startsWith(".");
  }

  /** {@code parts} begin with {@code <table>, data, height=S-E} (canonical, see HeightRange). */
  private static boolean isPartitionDir(ExportTable table, String[] parts) {
    return parts[0].equals(table.tableName()) && parts[1].equals("data")
        && HeightRange.parseDirectoryName(parts[2]) != null;
  }

  /**
   * For the records of state files: refuses {@code relative} ({@code what}, e.g. "replaced
   * file") unless it is a data file of one of the tables, {@link #isDataFile}.
   */
  static void requireDataFile(String what, String relative) {
    if (relative == null || Arrays.stream(ExportTable.values())
        .noneMatch(table -> isDataFile(table, relative))) {
      throw new IllegalArgumentException(what + " " + relative + " is not a data file's path"
          + " (<table>/data/height=S-E/<name>.parquet)");
    }
  }

  /** Like {@link #requireDataFile}, for {@code <table>/data/height=S-E}. */
  static void requirePartitionDir(String what, String relative) {
    String[] parts = relative == null ? new String[0] : relative.split("/", -1);
    if (parts.length != 3 || Arrays.stream(ExportTable.values())
        .noneMatch(table -> isPartitionDir(table, parts))) {
      throw new IllegalArgumentException(what + " " + relative + " is not a partition"
          + " directory's path (<table>/data/height=S-E)");
    }
  }

  public Path resolve(String relativePath) {
    return root.resolve(relativePath);
  }
}
