package io.arexport.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.testing.Cli;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.WarehouseReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The warehouse layout, file naming, splitting, ordering and Parquet schema (field ids, physical
 * and logical types, compression, statistics) of contract sections 2 and 3, checked with DuckDB's
 * Parquet metadata functions.
 */
class LayoutAndSchemaTest {
  private static final Pattern FILE_NAME = Pattern.compile(
      "(blocks|transactions|tags)_(\\d+)_(\\d+)(?:_(\\d+))?_(\\d{8}T\\d{9}_\\d+)\\.parquet");
  private static final long MAX_FILE_ROWS = 7;
  private static final long PARTITION_SIZE = 50;

  @TempDir static Path work;
  static Path warehouse;
  static Path core;
  static Path bundles;
  static WarehouseReader duckdb;

  @BeforeAll
  static void export() throws Exception {
    core = work.resolve("core.db");
    bundles = work.resolve("bundles.db");
    SampleDatabases.generate(SampleDatabases.Spec.small(), core, bundles);
    warehouse = work.resolve("warehouse");
    Cli.Result result = Cli.run("export", "--startHeight", "103", "--endHeight", "349",
        "--heightPartitionSize", Long.toString(PARTITION_SIZE),
        "--maxFileRows", Long.toString(MAX_FILE_ROWS), "--includeL1Transactions",
        "--includeL1Tags", "--coreDb", core.toString(), "--bundlesDb", bundles.toString(),
        "--stagingDir", work.resolve("staging").toString(),
        "--warehouseDir", warehouse.toString());
    assertThat(result.status()).as(result.err()).isZero();
    duckdb = new WarehouseReader();
  }

  @Test
  void partitionsAreAlignedAndFilesNamedSplitAndNeverEmpty() throws Exception {
    HeightRange range = new HeightRange(103, 349);
    String jobId = null;
    for (String table : List.of("blocks", "transactions", "tags")) {
      Map<HeightRange, List<Path>> partitions = WarehouseReader.files(warehouse, table);
      assertThat(partitions).as(table).isNotEmpty();
      for (Map.Entry<HeightRange, List<Path>> partition : partitions.entrySet()) {
        HeightRange dir = partition.getKey();
        assertThat(dir).isEqualTo(range.alignedPartitionAt(dir.start(), PARTITION_SIZE));
        List<Path> files = partition.getValue();
        assertThat(files).as("a partition directory is never empty").isNotEmpty();
        for (int i = 0; i < files.size(); i++) {
          String name = files.get(i).getFileName().toString();
          Matcher matcher = FILE_NAME.matcher(name);
          assertThat(matcher.matches()).as(name).isTrue();
          assertThat(matcher.group(1)).isEqualTo(table);
          assertThat(Long.parseLong(matcher.group(2))).isEqualTo(dir.start());
          assertThat(Long.parseLong(matcher.group(3))).isEqualTo(dir.end());
          if (files.size() == 1) {
            assertThat(matcher.group(4)).as("a single file has no split index").isNull();
          } else {
            assertThat(matcher.group(4)).isEqualTo(Integer.toString(i));
          }
          jobId = jobId == null ? matcher.group(5) : jobId;
          assertThat(matcher.group(5)).as("one job id per run").isEqualTo(jobId);
          long rows = Long.parseLong(duckdb.query("SELECT count(*) FROM read_parquet('"
              + files.get(i) + "', hive_partitioning = false)").get(0));
          assertThat(rows).as(name).isBetween(1L, MAX_FILE_ROWS);
          if (i < files.size() - 1) {
            assertThat(rows).as("only the last split file is partial").isEqualTo(MAX_FILE_ROWS);
          }
          List<String> bounds = duckdb.query("SELECT min(height), max(height) FROM read_parquet('"
              + files.get(i) + "', hive_partitioning = false)");
          String[] minMax = bounds.get(0).split("\\|");
          assertThat(dir.contains(Long.parseLong(minMax[0]))).isTrue();
          assertThat(dir.contains(Long.parseLong(minMax[1]))).isTrue();
        }
      }
    }
    assertThat(WarehouseReader.files(warehouse, "tags").values().stream()
        .anyMatch(files -> files.size() > 1)).as("some partition was split").isTrue();
  }

  @Test
  void rowsAreSortedWithIdsComparedAsUnsignedBytes() throws Exception {
    boolean sawHighAfterLow = false;
    for (List<Path> files : WarehouseReader.files(warehouse, "transactions").values()) {
      long previousHeight = -1;
      byte[] previousId = null;
      for (Path file : files) {
        for (String row : duckdb.query("SELECT height, hex(id) FROM read_parquet('" + file
            + "', hive_partitioning = false)")) {
          String[] parts = row.split("\\|");
          long height = Long.parseLong(parts[0]);
          byte[] id = HexFormat.of().parseHex(parts[1]);
          if (height == previousHeight) {
            assertThat(java.util.Arrays.compareUnsigned(previousId, id)).as(row).isNegative();
            sawHighAfterLow |= (previousId[0] & 0xff) < 0x80 && (id[0] & 0xff) >= 0x80;
          } else {
            assertThat(height).isGreaterThan(previousHeight);
          }
          previousHeight = height;
          previousId = id;
        }
      }
    }
    assertThat(sawHighAfterLow)
        .as("an id with first byte >= 0x80 follows a lower one (signed order would differ)")
        .isTrue();
  }

  @Test
  void parquetSchemaHasFieldIdsAndContractTypes() throws Exception {
    assertSchema("blocks", List.of(
        "indep_hash|BYTE_ARRAY|1|NULL", "height|INT64|2|NULL", "previous_block|BYTE_ARRAY|3|NULL",
        "nonce|BYTE_ARRAY|4|NULL", "hash|BYTE_ARRAY|5|NULL", "block_timestamp|INT64|6|NULL",
        "tx_count|INT32|7|NULL", "block_size|INT64|8|NULL"));
    assertSchema("transactions", List.of(
        "id|BYTE_ARRAY|1|NULL", "indexed_at|INT64|2|NULL", "block_transaction_index|INT32|3|NULL",
        "is_data_item|BOOLEAN|4|NULL", "target|BYTE_ARRAY|5|NULL",
        "quantity|FIXED_LEN_BYTE_ARRAY|6|DECIMAL", "reward|FIXED_LEN_BYTE_ARRAY|7|DECIMAL",
        "anchor|BYTE_ARRAY|8|NULL", "data_size|INT64|9|NULL", "content_type|BYTE_ARRAY|10|UTF8",
        "format|INT32|11|NULL", "height|INT64|12|NULL", "owner_address|BYTE_ARRAY|13|NULL",
        "data_root|BYTE_ARRAY|14|NULL", "parent|BYTE_ARRAY|15|NULL", "offset|INT64|16|NULL",
        "size|INT64|17|NULL", "data_offset|INT64|18|NULL", "owner_offset|INT64|19|NULL",
        "owner_size|INT32|20|NULL", "owner|BYTE_ARRAY|21|NULL", "signature_offset|INT64|22|NULL",
        "signature_size|INT32|23|NULL", "signature_type|INT32|24|NULL",
        "root_transaction_id|BYTE_ARRAY|25|NULL", "root_parent_offset|INT64|26|NULL"));
    assertSchema("tags", List.of(
        "height|INT64|1|NULL", "id|BYTE_ARRAY|2|NULL", "tag_index|INT32|3|NULL",
        "indexed_at|INT64|4|NULL", "tag_name|BYTE_ARRAY|5|NULL", "tag_value|BYTE_ARRAY|6|NULL",
        "is_data_item|BOOLEAN|7|NULL"));
    Path transactions = anyFile("transactions");
    assertThat(duckdb.query("SELECT type_length, scale, precision FROM parquet_schema('"
        + transactions + "') WHERE name = 'quantity'"))
        .containsExactly("9|0|20");
    assertThat(duckdb.query("SELECT DISTINCT typeof(quantity) FROM read_parquet('"
        + transactions + "', hive_partitioning = false)")).containsExactly("DECIMAL(20,0)");
  }

  private static void assertSchema(String table, List<String> expected) throws Exception {
    List<String> actual = duckdb.query("SELECT name, type, field_id, coalesce(converted_type,"
        + " 'NULL') FROM parquet_schema('" + anyFile(table) + "') WHERE type IS NOT NULL");
    assertThat(actual).as(table).containsExactlyElementsOf(expected);
  }

  @Test
  void zstdCompressionAndColumnStatisticsByDefault() throws Exception {
    Path tags = anyFile("tags");
    assertThat(duckdb.query("SELECT DISTINCT compression FROM parquet_metadata('" + tags + "')"))
        .containsExactly("ZSTD");
    assertThat(duckdb.query("SELECT count(*) FROM parquet_metadata('" + tags + "')"
        + " WHERE path_in_schema = 'height' AND stats_min IS NULL")).containsExactly("0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"snappy", "gzip", "uncompressed"})
  void otherCompressionCodecs(String codec, @TempDir Path dir) throws Exception {
    Path target = dir.resolve("warehouse");
    Cli.Result result = Cli.run("export", "--startHeight", "100", "--endHeight", "120",
        "--coreDb", core.toString(), "--bundlesDb", bundles.toString(),
        "--stagingDir", dir.resolve("staging").toString(), "--warehouseDir", target.toString(),
        "--compression", codec);
    assertThat(result.status()).as(result.err()).isZero();
    Path file = WarehouseReader.files(target, "tags").values().iterator().next().get(0);
    assertThat(duckdb.query("SELECT DISTINCT compression FROM parquet_metadata('" + file + "')"))
        .containsExactly(codec.toUpperCase());
  }

  @Test
  void tablePartitionsWithoutRowsHaveNoDirectory(@TempDir Path dir) throws Exception {
    // Heights 1000-1999 hold no rows at all in the small sample.
    Path target = dir.resolve("warehouse");
    Cli.Result result = Cli.run("export", "--startHeight", "340", "--endHeight", "1999",
        "--coreDb", core.toString(), "--bundlesDb", bundles.toString(),
        "--stagingDir", dir.resolve("staging").toString(), "--warehouseDir", target.toString());
    assertThat(result.status()).as(result.err()).isZero();
    for (String table : List.of("blocks", "transactions", "tags")) {
      assertThat(WarehouseReader.files(target, table).keySet())
          .as(table).containsExactly(new HeightRange(340, 999));
    }
    try (Stream<Path> files = Files.walk(target)) {
      assertThat(files.filter(p -> p.toString().endsWith(".parquet")).count()).isEqualTo(3);
    }
  }

  private static Path anyFile(String table) throws Exception {
    return WarehouseReader.files(warehouse, table).values().iterator().next().get(0);
  }
}
