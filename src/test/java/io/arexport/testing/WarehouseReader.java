package io.arexport.testing;

import io.arexport.HeightRange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads an exported warehouse through DuckDB's {@code read_parquet} (an independent Parquet
 * reader), rendering each row as the same canonical string as {@link SourceOracle}. Partition
 * directories are read in height order and split files in their index order, so the returned
 * list also shows the row order the files carry.
 */
public final class WarehouseReader implements AutoCloseable {
  private static final Pattern SPLIT_INDEX = Pattern.compile("_(\\d+)_[^_]+_[^_]+\\.parquet$");

  private static final Map<String, String> SELECTS = Map.of(
      "blocks", "hex(indep_hash), height, hex(previous_block), hex(nonce), hex(hash),"
          + " block_timestamp, tx_count, block_size",
      "transactions", "hex(id), indexed_at, block_transaction_index, is_data_item, hex(target),"
          + " quantity, reward, hex(anchor), data_size, hex(content_type), format, height,"
          + " hex(owner_address), hex(data_root), hex(parent), \"offset\", size, data_offset,"
          + " owner_offset, owner_size, hex(owner), signature_offset, signature_size,"
          + " signature_type, hex(root_transaction_id), root_parent_offset",
      "tags", "height, hex(id), tag_index, indexed_at, hex(tag_name), hex(tag_value),"
          + " is_data_item");

  private final Connection duckdb;

  public WarehouseReader() throws SQLException {
    duckdb = DriverManager.getConnection("jdbc:duckdb:");
  }

  /** Rows of every file of a table, partitions in height order, split files in index order. */
  public List<String> rows(Path warehouse, String table) throws SQLException, IOException {
    List<String> rows = new ArrayList<>();
    for (List<String> partitionRows : rowsByPartition(warehouse, table).values()) {
      rows.addAll(partitionRows);
    }
    return rows;
  }

  /** Rows per partition directory, in height order. */
  public Map<HeightRange, List<String>> rowsByPartition(Path warehouse, String table)
      throws SQLException, IOException {
    Map<HeightRange, List<String>> result = new LinkedHashMap<>();
    for (Map.Entry<HeightRange, List<Path>> partition : files(warehouse, table).entrySet()) {
      List<String> rows = new ArrayList<>();
      for (Path file : partition.getValue()) {
        rows.addAll(read(file, table));
      }
      result.put(partition.getKey(), rows);
    }
    return result;
  }

  /** Data files per partition directory, in height order, split files in index order. */
  public static Map<HeightRange, List<Path>> files(Path warehouse, String table)
      throws IOException {
    Path data = warehouse.resolve(table).resolve("data");
    Map<HeightRange, List<Path>> result = new LinkedHashMap<>();
    if (!Files.isDirectory(data)) {
      return result;
    }
    List<Path> dirs;
    try (Stream<Path> children = Files.list(data)) {
      dirs = children.filter(Files::isDirectory)
          .sorted(Comparator.comparingLong(
              d -> HeightRange.parseDirectoryName(d.getFileName().toString()).start()))
          .toList();
    }
    for (Path dir : dirs) {
      try (Stream<Path> children = Files.list(dir)) {
        List<Path> files = children
            .filter(f -> f.getFileName().toString().endsWith(".parquet"))
            .sorted(Comparator.comparingInt(WarehouseReader::splitIndex))
            .toList();
        result.put(HeightRange.parseDirectoryName(dir.getFileName().toString()), files);
      }
    }
    return result;
  }

  private static int splitIndex(Path file) {
    Matcher matcher = SPLIT_INDEX.matcher(file.getFileName().toString());
    // Unsplit files have no index: <table>_<S>_<E>_<job>.parquet has one part fewer.
    String name = file.getFileName().toString();
    long underscores = name.chars().filter(c -> c == '_').count();
    return matcher.find() && underscores >= 5 ? Integer.parseInt(matcher.group(1)) : 0;
  }

  /** Rows of one Parquet file, in file order. */
  public List<String> read(Path file, String table) throws SQLException {
    String[] columns = SELECTS.get(table).split(", (?![^(]*\\))");
    List<String> parts = new ArrayList<>();
    for (String column : columns) {
      parts.add("coalesce(CAST(" + column.trim() + " AS VARCHAR), 'NULL')");
    }
    String sql = "SELECT " + String.join(" || '|' || ", parts) + " FROM read_parquet('"
        + file.toAbsolutePath().toString().replace("'", "''") + "', hive_partitioning = false)";
    List<String> rows = new ArrayList<>();
    try (Statement statement = duckdb.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      while (result.next()) {
        rows.add(result.getString(1));
      }
    }
    return rows;
  }

  /** Runs any DuckDB query and returns the first column of each row as text. */
  public List<String> query(String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement statement = duckdb.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      int columns = result.getMetaData().getColumnCount();
      while (result.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
          if (i > 1) {
            row.append('|');
          }
          row.append(result.getString(i));
        }
        rows.add(row.toString());
      }
    }
    return rows;
  }

  @Override
  public void close() throws SQLException {
    duckdb.close();
  }
}
