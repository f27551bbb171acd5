package io.arexport.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.testing.Cli;
import io.arexport.testing.IcebergReader;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SourceOracle;
import io.arexport.testing.WarehouseReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;

/**
 * Test fixture: sample SQLite sources, a warehouse, and the commands and checks the Iceberg tests
 * share. Exports include L1 transactions and tags, so every column has values.
 */
final class IcebergWarehouse {
  static final List<String> TABLES = List.of("blocks", "transactions", "tags");

  final Path core;
  final Path bundles;
  final Path warehouse;
  final Path staging;

  IcebergWarehouse(Path sources, Path work) {
    this.core = sources.resolve("core.db");
    this.bundles = sources.resolve("bundles.db");
    this.warehouse = work.resolve("warehouse");
    this.staging = work.resolve("staging");
  }

  /** Generates the small sample (heights 100..349) into {@code sources}. */
  static void generateSources(Path sources) throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  /** Runs {@code arexport export} for [start, end] with partition size P; asserts success. */
  Cli.Result export(long start, long end, long partitionSize, String... extra) {
    Cli.Result result = tryExport(start, end, partitionSize, extra);
    assertThat(result.status()).as(result.err()).isZero();
    return result;
  }

  /** Runs {@code arexport export} for [start, end] with partition size P. */
  Cli.Result tryExport(long start, long end, long partitionSize, String... extra) {
    List<String> args = new ArrayList<>(List.of("export",
        "--startHeight", Long.toString(start), "--endHeight", Long.toString(end),
        "--heightPartitionSize", Long.toString(partitionSize),
        "--includeL1Transactions", "--includeL1Tags",
        "--coreDb", core.toString(), "--bundlesDb", bundles.toString(),
        "--stagingDir", staging.toString(), "--warehouseDir", warehouse.toString(), "--json"));
    args.addAll(Arrays.asList(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  /**
   * A {@code maintain} or {@code metadata} run in which the middle table failed: exit 1, one line
   * naming it and the tables done ({@code verb}: "maintained", "committed"), and a {@code --json}
   * summary listing both.
   */
  static void assertOnlyTransactionsFailed(Cli.Result result, String verb) throws IOException {
    assertThat(result.status()).isEqualTo(1);
    assertThat(result.errLines()).singleElement().asString().contains("table transactions")
        .contains("blocks, tags " + verb);
    com.fasterxml.jackson.databind.JsonNode summary =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(result.out());
    assertThat(summary.get("tables").findValuesAsText("table")).containsExactly("blocks", "tags");
    assertThat(summary.get("failedTables").findValuesAsText("table"))
        .containsExactly("transactions");
  }

  /** Runs {@code arexport metadata --datasets-dir <warehouse> extra...}. */
  Cli.Result metadata(String... extra) {
    List<String> args = new ArrayList<>(List.of("metadata", "--datasets-dir",
        warehouse.toString()));
    args.addAll(Arrays.asList(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  /** Like {@link #metadata}, asserting success. */
  Cli.Result metadataOk(String... extra) {
    Cli.Result result = metadata(extra);
    assertThat(result.status()).as(result.err()).isZero();
    return result;
  }

  Path metadataDir(String table) {
    return warehouse.resolve(table).resolve("metadata");
  }

  /** File names in a table's metadata directory. */
  TreeSet<String> metadataFiles(String table) throws IOException {
    try (Stream<Path> files = Files.list(metadataDir(table))) {
      return new TreeSet<>(files.map(f -> f.getFileName().toString()).toList());
    }
  }

  String versionHint(String table) throws IOException {
    return Files.readString(metadataDir(table).resolve("version-hint.text"));
  }

  /**
   * The table, read through the Iceberg generics reader, holds exactly the source rows of {@code
   * range}, each once; so does each partition directory's height range; and a scan filtered to a
   * partition's heights plans exactly that partition's files (so the metadata is in step with the
   * warehouse: call it after a commit).
   */
  void assertMatchesSource(Table table, HeightRange range) throws Exception {
    String name = table.name().substring(table.name().lastIndexOf('/') + 1);
    try (SourceOracle source = new SourceOracle(core, bundles)) {
      List<String> expected = source.rows(name, range, true, true);
      assertThat(expected).as("fixture has rows").isNotEmpty();
      assertThat(IcebergReader.rows(table)).as(name + " rows")
          .containsExactlyInAnyOrderElementsOf(expected);
      for (Map.Entry<HeightRange, List<Path>> partition
          : WarehouseReader.files(warehouse, name).entrySet()) {
        HeightRange heights = partition.getKey();
        assertThat(IcebergReader.rows(table, heights)).as(name + " " + heights)
            .containsExactlyInAnyOrderElementsOf(source.rows(name, heights, true, true));
        List<String> planned = IcebergReader.plannedFiles(table, IcebergReader.heights(heights))
            .stream().map(f -> localPath(f).toString()).toList();
        assertThat(planned).as(name + " files planned for " + heights)
            .containsExactlyInAnyOrderElementsOf(
                partition.getValue().stream().map(Path::toString).toList());
      }
    }
  }

  /** The local file behind a data file entry recorded under any root. */
  Path localPath(DataFile file) {
    String location = file.location();
    int data = location.indexOf("/data/height=");
    String table = location.substring(0, data);
    table = table.substring(table.lastIndexOf('/') + 1);
    return warehouse.resolve(table).resolve(location.substring(data + 1));
  }
}
