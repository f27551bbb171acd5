package io.arexport.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arexport.testing.Cli;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.WarehouseReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The generated sample (heights 100-349) plus the export and verify command lines the verify
 * tests run against it, and ways to damage a warehouse.
 */
final class VerifyFixture {
  private static final ObjectMapper JSON = new ObjectMapper();

  final Path core;
  final Path bundles;

  private VerifyFixture(Path core, Path bundles) {
    this.core = core;
    this.bundles = bundles;
  }

  /** Generates {@link SampleDatabases.Spec#small()} into {@code dir}. */
  static VerifyFixture generate(Path dir) throws Exception {
    VerifyFixture fixture = new VerifyFixture(dir.resolve("core.db"), dir.resolve("bundles.db"));
    SampleDatabases.generate(SampleDatabases.Spec.small(), fixture.core, fixture.bundles);
    return fixture;
  }

  Path export(Path work, long start, long end, long partitionSize, long maxFileRows,
      boolean l1Transactions, boolean l1Tags) {
    Path warehouse = work.resolve("warehouse");
    exportInto(work, warehouse, start, end, partitionSize, maxFileRows, l1Transactions, l1Tags);
    return warehouse;
  }

  /** Exports into {@code warehouse} (staging in {@code work}); {@code extra} options appended. */
  void exportInto(Path work, Path warehouse, long start, long end, long partitionSize,
      long maxFileRows, boolean l1Transactions, boolean l1Tags, String... extra) {
    List<String> args = new ArrayList<>(List.of("export",
        "--startHeight", Long.toString(start), "--endHeight", Long.toString(end),
        "--heightPartitionSize", Long.toString(partitionSize),
        "--maxFileRows", Long.toString(maxFileRows),
        "--coreDb", core.toString(), "--bundlesDb", bundles.toString(),
        "--stagingDir", work.resolve("staging").toString(),
        "--warehouseDir", warehouse.toString()));
    if (l1Transactions) {
      args.add("--includeL1Transactions");
    }
    if (l1Tags) {
      args.add("--includeL1Tags");
    }
    args.addAll(List.of(extra));
    Cli.Result result = Cli.run(args.toArray(String[]::new));
    assertThat(result.status()).as(result.err()).isZero();
  }

  Cli.Result verify(Path warehouse, long start, long end, long partitionSize,
      boolean l1Transactions, boolean l1Tags, String... extra) {
    List<String> args = new ArrayList<>(List.of("verify",
        "--startHeight", Long.toString(start), "--endHeight", Long.toString(end),
        "--heightPartitionSize", Long.toString(partitionSize),
        "--coreDb", core.toString(), "--bundlesDb", bundles.toString(),
        "--warehouse-dir", warehouse.toString()));
    if (l1Transactions) {
      args.add("--includeL1Transactions");
    }
    if (l1Tags) {
      args.add("--include-l1-tags");
    }
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  /** The findings of severity "difference" of a --json report. */
  static List<JsonNode> differences(Cli.Result result) throws Exception {
    JsonNode report = JSON.readTree(result.out());
    List<JsonNode> findings = new ArrayList<>();
    report.get("findings").forEach(f -> {
      if (f.get("severity").asText().equals("difference")) {
        findings.add(f);
      }
    });
    return findings;
  }

  static JsonNode only(List<JsonNode> findings, String kind) {
    List<JsonNode> matching = findings.stream().filter(f -> f.get("kind").asText().equals(kind))
        .toList();
    assertThat(matching).as(kind + " in " + findings).hasSize(1);
    return matching.get(0);
  }

  private static void execute(String sql) throws Exception {
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      statement.execute(sql);
    }
  }

  /**
   * Rewrites {@code file} with DuckDB (an independent Parquet writer, keeping the Iceberg field
   * ids) with one byte of the tag_value of row {@code row} flipped, same length, same row order.
   */
  static void flipOneTagValueByte(Path file, int row) throws Exception {
    try (WarehouseReader duckdb = new WarehouseReader()) {
      List<String> before = duckdb.read(file, "tags");
      String source = "read_parquet('" + file + "', hive_partitioning = false,"
          + " file_row_number = true)";
      String hex = duckdb.query("SELECT hex(tag_value) FROM " + source
          + " WHERE file_row_number = " + row).get(0);
      assertThat(hex).as("a non-empty tag value to flip").isNotEmpty();
      byte[] value = HexFormat.of().parseHex(hex);
      value[0] ^= 0x01;
      Path rewritten = file.resolveSibling("rewritten.tmp");
      execute("COPY (SELECT height, id, tag_index, indexed_at, tag_name,"
          + " CASE WHEN file_row_number = " + row + " THEN unhex('"
          + HexFormat.of().formatHex(value) + "') ELSE tag_value END AS tag_value, is_data_item"
          + " FROM " + source + " ORDER BY file_row_number) TO '" + rewritten + "' (FORMAT"
          + " parquet, FIELD_IDS {height: 1, id: 2, tag_index: 3, indexed_at: 4, tag_name: 5,"
          + " tag_value: 6, is_data_item: 7})");
      Files.move(rewritten, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      // Exactly one value of one row changed; everything else, order included, is as before.
      List<String> after = duckdb.read(file, "tags");
      assertThat(after).hasSameSizeAs(before);
      long changedRows = java.util.stream.IntStream.range(0, before.size())
          .filter(i -> !before.get(i).equals(after.get(i))).count();
      assertThat(changedRows).isEqualTo(1);
    }
  }
}
