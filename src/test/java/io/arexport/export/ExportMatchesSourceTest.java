package io.arexport.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.testing.Cli;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SourceOracle;
import io.arexport.testing.WarehouseReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The exported warehouse, read back with DuckDB, equals the SQLite source row for row and value for
 * value, in the contract's order, for L1 on and off, aligned and unaligned ranges, several
 * partition sizes and small maxFileRows.
 */
class ExportMatchesSourceTest {
  @TempDir static Path sources;
  static Path core;
  static Path bundles;

  @BeforeAll
  static void generate() throws Exception {
    core = sources.resolve("core.db");
    bundles = sources.resolve("bundles.db");
    SampleDatabases.generate(SampleDatabases.Spec.small(), core, bundles);
  }

  @ParameterizedTest(name = "[{index}] heights {0}-{1}, P={2}, maxFileRows={3}, L1 tx={4}, L1 tags={5}")
  @CsvSource({
      "100, 349, 1000, 1000000, false, false",
      "100, 349, 1000, 1000000, true, true",
      "103, 341, 50, 1000000, true, false",
      "100, 349, 7, 1000000, false, true",
      "120, 260, 100, 5, true, true",
      "90, 180, 1, 3, true, true",
      "150, 150, 1000, 1, true, true",
  })
  void exportEqualsSource(long start, long end, long partitionSize, long maxFileRows,
      boolean l1Transactions, boolean l1Tags, @TempDir Path work) throws Exception {
    Path warehouse = work.resolve("warehouse");
    List<String> args = new ArrayList<>(List.of("export",
        "--startHeight", Long.toString(start), "--endHeight", Long.toString(end),
        "--heightPartitionSize", Long.toString(partitionSize),
        "--maxFileRows", Long.toString(maxFileRows),
        "--coreDb", core.toString(), "--bundlesDb", bundles.toString(),
        "--stagingDir", work.resolve("staging").toString(),
        "--warehouseDir", warehouse.toString(), "--json"));
    if (l1Transactions) {
      args.add("--includeL1Transactions");
    }
    if (l1Tags) {
      args.add("--include-l1-tags");
    }

    Cli.Result result = Cli.run(args.toArray(String[]::new));

    assertThat(result.status()).as(result.err()).isZero();
    HeightRange range = new HeightRange(start, end);
    try (SourceOracle source = new SourceOracle(core, bundles);
        WarehouseReader parquet = new WarehouseReader()) {
      for (String table : List.of("blocks", "transactions", "tags")) {
        List<String> expected = source.rows(table, range, l1Transactions, l1Tags);
        assertThat(parquet.rows(warehouse, table)).as(table).containsExactlyElementsOf(expected);
        // Each partition directory holds exactly the rows of its height range.
        for (Map.Entry<HeightRange, List<String>> partition
            : parquet.rowsByPartition(warehouse, table).entrySet()) {
          assertThat(partition.getValue()).as(table + " " + partition.getKey())
              .containsExactlyElementsOf(source.rows(table, partition.getKey(), l1Transactions,
                  l1Tags));
          assertThat(partition.getKey()).isEqualTo(
              range.alignedPartitionAt(partition.getKey().start(), partitionSize));
        }
      }
      assertThat(result.out()).contains("\"skippedDanglingTags\" : "
          + source.danglingTags(range, l1Tags));
    }
    assertThat(Files.list(work.resolve("staging")).toList()).as("staging cleaned").isEmpty();
  }
}
