package io.arexport.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Whole-warehouse checks shared by the reliability tests. Expected rows always come from the
 * SQLite source through {@link SourceOracle}, actual rows from the Parquet files through {@link
 * WarehouseReader} (DuckDB), never from the exporter's own code.
 */
public final class WarehouseAssertions {
  public static final List<String> TABLES = List.of("blocks", "transactions", "tags");

  private WarehouseAssertions() {}

  /**
   * Every table of {@code warehouse} holds exactly the source rows of {@code range}, each once and
   * in contract order; each partition directory holds exactly the source rows of its own range;
   * the data directories hold nothing but non-empty partition directories of Parquet files.
   */
  public static void assertEqualsSource(Path warehouse, Path coreDb, Path bundlesDb,
      HeightRange range, boolean includeL1Transactions, boolean includeL1Tags) throws Exception {
    try (SourceOracle source = new SourceOracle(coreDb, bundlesDb);
        WarehouseReader parquet = new WarehouseReader()) {
      for (String table : TABLES) {
        List<String> expected =
            source.rows(table, range, includeL1Transactions, includeL1Tags);
        assertThat(parquet.rows(warehouse, table)).as(table + " rows of " + range)
            .containsExactlyElementsOf(expected);
        for (Map.Entry<HeightRange, List<String>> partition
            : parquet.rowsByPartition(warehouse, table).entrySet()) {
          assertThat(partition.getValue()).as(table + " partition " + partition.getKey())
              .containsExactlyElementsOf(source.rows(table, partition.getKey(),
                  includeL1Transactions, includeL1Tags));
        }
      }
    }
    assertCleanDataDirs(warehouse);
  }

  /**
   * The data directories hold only {@code height=S-E} directories, none empty, holding only
   * finished {@code <table>_S_E_*.parquet} files (no temporary or hidden leftovers).
   */
  public static void assertCleanDataDirs(Path warehouse) throws IOException {
    for (String table : TABLES) {
      Path data = warehouse.resolve(table).resolve("data");
      if (!Files.isDirectory(data)) {
        continue;
      }
      try (Stream<Path> dirs = Files.list(data)) {
        for (Path dir : dirs.toList()) {
          String name = dir.getFileName().toString();
          assertThat(Files.isDirectory(dir)).as(dir + " is a directory").isTrue();
          HeightRange range = HeightRange.parseDirectoryName(name);
          assertThat(range).as("partition directory name " + dir).isNotNull();
          try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
            assertThat(names).as("files of " + dir).isNotEmpty()
                .allMatch(f -> f.startsWith(table + "_" + range.start() + "_" + range.end() + "_")
                    && f.endsWith(".parquet"), "named " + table + "_S_E_..parquet");
          }
        }
      }
    }
  }

  /** Names of the job directories left in a staging directory. */
  public static List<String> jobDirs(Path stagingDir) throws IOException {
    if (!Files.isDirectory(stagingDir)) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(stagingDir)) {
      return children.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("job-"))
          .sorted().toList();
    }
  }

  /** Warehouse-relative paths of every Parquet data file, sorted. */
  public static List<String> dataFiles(Path warehouse) throws IOException {
    return snapshot(warehouse).keySet().stream().filter(p -> p.endsWith(".parquet")).toList();
  }

  /**
   * Every path under {@code root} (directories too) with its size and modification time, except
   * {@code .arexport/lock}, whose holder line every run rewrites. Two equal snapshots mean the tree
   * was not touched.
   */
  public static SortedMap<String, String> snapshot(Path root) throws IOException {
    SortedMap<String, String> entries = new TreeMap<>();
    if (!Files.exists(root)) {
      return entries;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.filter(p -> !p.equals(root)).forEach(p -> {
        String relative = root.relativize(p).toString().replace('\\', '/');
        if (relative.equals(".arexport/lock")) {
          return;
        }
        try {
          BasicFileAttributes attributes = Files.readAttributes(p, BasicFileAttributes.class);
          entries.put(relative, (attributes.isDirectory() ? "dir" : attributes.size() + " bytes")
              + " modified " + attributes.lastModifiedTime());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    return entries;
  }
}
