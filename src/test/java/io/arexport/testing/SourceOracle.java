package io.arexport.testing;

import io.arexport.HeightRange;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows the contract says an export must contain, computed straight from the SQLite sources
 * with SQL written from the contract's column mapping (not the exporter's code): core.db with
 * bundles.db attached, L1 and data-item rows in one ORDER BY (SQLite compares BLOBs as unsigned
 * bytes). Each row is one canonical string; {@link WarehouseReader} renders Parquet rows the same
 * way through DuckDB.
 */
public final class SourceOracle implements AutoCloseable {
  private final Connection connection;

  public SourceOracle(Path coreDb, Path bundlesDb) throws SQLException {
    connection = DriverManager.getConnection("jdbc:sqlite:" + coreDb.toAbsolutePath());
    try (Statement statement = connection.createStatement()) {
      statement.execute("ATTACH DATABASE '" + bundlesDb.toAbsolutePath().toString()
          .replace("'", "''") + "' AS b");
    }
  }

  private static String blob(String column) {
    return "(CASE WHEN " + column + " IS NULL THEN 'NULL' ELSE hex(" + column + ") END)";
  }

  private static String num(String column) {
    return "coalesce(CAST(" + column + " AS TEXT), 'NULL')";
  }

  private static String decimal(String column) {
    return "(CASE WHEN " + column + " IS NULL THEN 'NULL' WHEN ltrim(" + column
        + ", '0') = '' THEN '0' ELSE ltrim(" + column + ", '0') END)";
  }

  private static String owner(String modulus) {
    return "(CASE WHEN length(" + modulus + ") <= 64 THEN hex(" + modulus + ") ELSE 'NULL' END)";
  }

  private static String row(String... expressions) {
    return String.join(" || '|' || ", expressions);
  }

  /** Expected blocks rows of {@code range}, in contract order. */
  public List<String> blocks(HeightRange range) throws SQLException {
    return query(blocksSql(), range, 1);
  }

  private static String blocksSql() {
    return "SELECT " + row(blob("indep_hash"), num("height"), blob("previous_block"),
        blob("nonce"), blob("hash"), num("block_timestamp"), num("tx_count"), num("block_size"))
        + " FROM main.stable_blocks WHERE height BETWEEN ?1 AND ?2 ORDER BY height, indep_hash";
  }

  /** Expected transactions rows of {@code range}, in contract order. */
  public List<String> transactions(HeightRange range, boolean includeL1) throws SQLException {
    return query(transactionsSql(includeL1), range, 1);
  }

  private static String transactionsSql(boolean includeL1) {
    String dataItems = "SELECT height AS h, id AS k, " + row(blob("sdi.id"), num("sdi.indexed_at"),
        num("sdi.block_transaction_index"), "'true'", blob("sdi.target"), "'NULL'", "'NULL'",
        blob("sdi.anchor"), num("sdi.data_size"), blob("sdi.content_type"), "'NULL'",
        num("sdi.height"), blob("sdi.owner_address"), "'NULL'", blob("sdi.parent_id"),
        num("sdi.offset"), num("sdi.size"), num("sdi.data_offset"), num("sdi.owner_offset"),
        num("sdi.owner_size"), owner("w.public_modulus"), num("sdi.signature_offset"),
        num("sdi.signature_size"), num("sdi.signature_type"), blob("sdi.root_transaction_id"),
        num("sdi.root_parent_offset")) + " AS r FROM b.stable_data_items sdi"
        + " LEFT JOIN b.wallets w ON w.address = sdi.owner_address"
        + " WHERE sdi.height BETWEEN ?1 AND ?2";
    String l1 = "SELECT height AS h, id AS k, " + row(blob("st.id"), num("st.indexed_at"),
        num("st.block_transaction_index"), "'false'", blob("st.target"), decimal("st.quantity"),
        decimal("st.reward"), blob("st.last_tx"), num("st.data_size"), blob("st.content_type"),
        num("st.format"), num("st.height"), blob("st.owner_address"), blob("st.data_root"),
        "'NULL'", num("st.offset"), "'NULL'", "'NULL'", "'NULL'", "'NULL'",
        owner("w.public_modulus"), "'NULL'", "'NULL'", "'NULL'", blob("st.id"), "'NULL'")
        + " AS r FROM main.stable_transactions st"
        + " LEFT JOIN main.wallets w ON w.address = st.owner_address"
        + " WHERE st.height BETWEEN ?1 AND ?2";
    String sql = includeL1 ? l1 + " UNION ALL " + dataItems : dataItems;
    return "SELECT r FROM (" + sql + ") ORDER BY h, k";
  }

  /** Expected tags rows of {@code range}, in contract order; dangling tags are left out. */
  public List<String> tags(HeightRange range, boolean includeL1) throws SQLException {
    return query(tagsSql(includeL1), range, 1);
  }

  private static String tagsSql(boolean includeL1) {
    String dataItems = "SELECT sdi.height AS h, sdi.id AS k, sdit.data_item_tag_index AS i, "
        + row(num("sdi.height"), blob("sdi.id"), num("sdit.data_item_tag_index"),
            num("sdi.indexed_at"), blob("tn.name"), blob("tv.value"), "'true'")
        + " AS r FROM b.stable_data_item_tags sdit"
        + " JOIN b.stable_data_items sdi ON sdi.id = sdit.data_item_id"
        + " JOIN b.tag_names tn ON tn.hash = sdit.tag_name_hash"
        + " JOIN b.tag_values tv ON tv.hash = sdit.tag_value_hash"
        + " WHERE sdi.height BETWEEN ?1 AND ?2";
    String l1 = "SELECT st.height AS h, st.id AS k, stt.transaction_tag_index AS i, "
        + row(num("st.height"), blob("st.id"), num("stt.transaction_tag_index"),
            num("st.indexed_at"), blob("tn.name"), blob("tv.value"), "'false'")
        + " AS r FROM main.stable_transaction_tags stt"
        + " JOIN main.stable_transactions st ON st.id = stt.transaction_id"
        + " JOIN main.tag_names tn ON tn.hash = stt.tag_name_hash"
        + " JOIN main.tag_values tv ON tv.hash = stt.tag_value_hash"
        + " WHERE st.height BETWEEN ?1 AND ?2";
    String sql = includeL1 ? l1 + " UNION ALL " + dataItems : dataItems;
    return "SELECT r FROM (" + sql + ") ORDER BY h, k, i";
  }

  /** Tag rows left out because their name or value hash has no row. */
  public long danglingTags(HeightRange range, boolean includeL1) throws SQLException {
    String dataItems = "SELECT count(*) FROM b.stable_data_item_tags sdit"
        + " JOIN b.stable_data_items sdi ON sdi.id = sdit.data_item_id"
        + " WHERE sdi.height BETWEEN ?1 AND ?2"
        + " AND (NOT EXISTS (SELECT 1 FROM b.tag_names WHERE hash = sdit.tag_name_hash)"
        + " OR NOT EXISTS (SELECT 1 FROM b.tag_values WHERE hash = sdit.tag_value_hash))";
    String l1 = "SELECT count(*) FROM main.stable_transaction_tags stt"
        + " JOIN main.stable_transactions st ON st.id = stt.transaction_id"
        + " WHERE st.height BETWEEN ?1 AND ?2"
        + " AND (NOT EXISTS (SELECT 1 FROM main.tag_names WHERE hash = stt.tag_name_hash)"
        + " OR NOT EXISTS (SELECT 1 FROM main.tag_values WHERE hash = stt.tag_value_hash))";
    long count = Long.parseLong(query(dataItems, range, 1).get(0));
    if (includeL1) {
      count += Long.parseLong(query(l1, range, 1).get(0));
    }
    return count;
  }

  /** Expected rows of a table by name. */
  public List<String> rows(String table, HeightRange range, boolean includeL1Transactions,
      boolean includeL1Tags) throws SQLException {
    return switch (table) {
      case "blocks" -> blocks(range);
      case "transactions" -> transactions(range, includeL1Transactions);
      case "tags" -> tags(range, includeL1Tags);
      default -> throw new IllegalArgumentException(table);
    };
  }

  /**
   * Number of expected rows of a table by name: the same queries as {@link #rows}, counted in
   * SQLite, for fixtures too large to hold as strings.
   */
  public long count(String table, HeightRange range, boolean includeL1Transactions,
      boolean includeL1Tags) throws SQLException {
    String sql = switch (table) {
      case "blocks" -> blocksSql();
      case "transactions" -> transactionsSql(includeL1Transactions);
      case "tags" -> tagsSql(includeL1Tags);
      default -> throw new IllegalArgumentException(table);
    };
    return Long.parseLong(query("SELECT count(*) FROM (" + sql + ")", range, 1).get(0));
  }

  private List<String> query(String sql, HeightRange range, int column) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setLong(1, range.start());
      statement.setLong(2, range.end());
      List<String> rows = new ArrayList<>();
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          rows.add(result.getString(column));
        }
      }
      return rows;
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
