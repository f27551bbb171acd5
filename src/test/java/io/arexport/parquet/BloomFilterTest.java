package io.arexport.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.apache.parquet.filter2.predicate.FilterApi.binaryColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.eq;

import io.arexport.testing.Cli;
import io.arexport.testing.SampleDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.parquet.column.values.bloomfilter.BloomFilter;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.compat.RowGroupFilter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.api.Binary;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bloom filters are written on the columns people look up by value and nowhere else, and they do
 * what they are for: parquet-java's own row-group filter (the one Iceberg and Spark use) drops
 * every row group of every file that does not hold a looked-up id and keeps the one that does.
 * Footers are read with parquet-hadoop; the ids to look up come from DuckDB.
 */
class BloomFilterTest {
  private static final long PARTITION_SIZE = 50;

  @TempDir static Path work;
  static Path warehouse;

  @BeforeAll
  static void export() throws Exception {
    Path core = work.resolve("core.db");
    Path bundles = work.resolve("bundles.db");
    SampleDatabases.generate(new SampleDatabases.Spec(5, 100, 349, 2, 8, 5), core, bundles);
    warehouse = work.resolve("warehouse");
    Cli.Result result = Cli.run("export", "--startHeight", "100", "--endHeight", "349",
        "--heightPartitionSize", Long.toString(PARTITION_SIZE), "--includeL1Transactions",
        "--includeL1Tags", "--coreDb", core.toString(), "--bundlesDb", bundles.toString(),
        "--stagingDir", work.resolve("staging").toString(),
        "--warehouseDir", warehouse.toString());
    assertThat(result.status()).as(result.err()).isZero();
  }

  static List<Path> files(String table) throws Exception {
    try (Stream<Path> paths = Files.walk(warehouse.resolve(table))) {
      return paths.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
    }
  }

  /** The columns of a file's first row group that carry a bloom filter. */
  static Set<String> bloomColumns(Path file) throws Exception {
    Set<String> columns = new HashSet<>();
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      BlockMetaData block = reader.getFooter().getBlocks().get(0);
      for (ColumnChunkMetaData column : block.getColumns()) {
        BloomFilter filter = reader.readBloomFilter(column);
        if (filter != null) {
          columns.add(column.getPath().toDotString());
        }
      }
    }
    return columns;
  }

  @Test
  void filtersAreOnTheLookupColumnsOnly() throws Exception {
    // Always plain, so always filtered: the ids. Dictionary-encoded chunks (owner_address,
    // parent, root_transaction_id, tag_name in this sample) carry their dictionary instead.
    Set<String> transactionsAllowed = Set.of("id", "owner_address", "target", "parent",
        "root_transaction_id");
    Set<String> tagsAllowed = Set.of("id", "tag_value");
    assertThat(files("transactions")).isNotEmpty();
    assertThat(files("tags")).isNotEmpty();
    assertThat(files("blocks")).isNotEmpty();
    for (Path file : files("transactions")) {
      Set<String> columns = bloomColumns(file);
      assertThat(columns).as(file.toString()).contains("id");
      assertThat(transactionsAllowed).as(file.toString()).containsAll(columns);
    }
    for (Path file : files("tags")) {
      Set<String> columns = bloomColumns(file);
      assertThat(columns).as(file.toString()).contains("id");
      assertThat(tagsAllowed).as(file.toString()).containsAll(columns);
    }
    for (Path file : files("blocks")) {
      assertThat(bloomColumns(file)).as(file.toString()).isEmpty();
    }
  }

  @Test
  void rowGroupFilterSkipsEveryFileWithoutTheId() throws Exception {
    for (String table : List.of("transactions", "tags")) {
      List<Path> files = files(table);
      assertThat(files).as(table).hasSizeGreaterThan(3);
      for (Path holder : List.of(files.get(0), files.get(files.size() / 2))) {
        byte[] id = someId(holder);
        List<Path> kept = new ArrayList<>();
        for (Path file : files) {
          if (rowGroupsKept(file, id) > 0) {
            kept.add(file);
          }
        }
        assertThat(kept).as(table + ": files whose row groups may hold the id").containsExactly(
            holder);
        // The control: min/max statistics alone keep more files (ids are random, so every
        // file's range spans most of them); the skipping above is the bloom filter's.
        long keptByStatistics = 0;
        for (Path file : files) {
          if (rowGroupsKept(file, id, List.of(RowGroupFilter.FilterLevel.STATISTICS)) > 0) {
            keptByStatistics++;
          }
        }
        assertThat(keptByStatistics).as(table + ": files statistics alone keep")
            .isGreaterThan(1);
      }
    }
  }

  /** An id in the middle of {@code file}, read by DuckDB (an independent reader). */
  static byte[] someId(Path file) throws Exception {
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement();
        ResultSet row = statement.executeQuery("SELECT id FROM read_parquet('" + file
            + "') LIMIT 1 OFFSET (SELECT count(*) // 2 FROM read_parquet('" + file + "'))")) {
      assertThat(row.next()).isTrue();
      return row.getBytes(1);
    }
  }

  /** Row groups parquet-java's statistics, dictionary and bloom filter levels keep for id = X. */
  static int rowGroupsKept(Path file, byte[] id) throws Exception {
    return rowGroupsKept(file, id, List.of(RowGroupFilter.FilterLevel.STATISTICS,
        RowGroupFilter.FilterLevel.DICTIONARY, RowGroupFilter.FilterLevel.BLOOMFILTER));
  }

  private static int rowGroupsKept(Path file, byte[] id, List<RowGroupFilter.FilterLevel> levels)
      throws Exception {
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      List<BlockMetaData> blocks = reader.getFooter().getBlocks();
      FilterCompat.Filter filter =
          FilterCompat.get(eq(binaryColumn("id"), Binary.fromConstantByteArray(id)));
      return RowGroupFilter.filterRowGroups(levels, filter, blocks, reader).size();
    }
  }
}
