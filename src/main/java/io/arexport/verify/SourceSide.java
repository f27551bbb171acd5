package io.arexport.verify;

import io.arexport.Cancellation;
import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import io.arexport.schema.ExportTable;
import io.arexport.source.Columns;
import io.arexport.source.PartitionReader;
import io.arexport.source.SqliteSource;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;

/**
 * What the contract says the warehouse must hold, computed from the gateway's SQLite databases
 * with verify's own SQL and mapping, written from the contract's column tables (section 2), not
 * with the exporter's {@code PartitionReader}: a mistake in the exporter's queries or mapping
 * then shows up as a difference instead of being repeated on both sides. Counts are plain {@code
 * count(*)} over the same joins (index-only work, no rows cross into the JVM); digests read the
 * rows unsorted, since {@link Digest} does not depend on order.
 *
 * <p>Dangling tags (a name or value hash without a row, or a NULL name or value) are left out by
 * inner joins, as the export skips them. Databases are opened read-only through {@link
 * SqliteSource}; each checked partition is read in one read transaction per database, ended by
 * {@link #endSnapshot()}.
 */
final class SourceSide implements AutoCloseable {
  private static final int OWNER_KEY_MAX_BYTES = 64;
  private static final int DECIMAL_DIGITS = 20;

  @FunctionalInterface
  private interface Mapper {
    void map(ResultSet row, Record record) throws SQLException;
  }

  /** One source query of a table: L1 rows from core.db or data-item rows from bundles.db. */
  private record Part(SqliteSource db, PreparedStatement count, PreparedStatement rows,
      Mapper mapper) {}

  private final SqliteSource core;
  private final SqliteSource bundles;
  private final Map<ExportTable, List<Part>> parts = new EnumMap<>(ExportTable.class);

  private SourceSide(SqliteSource core, SqliteSource bundles) {
    this.core = core;
    this.bundles = bundles;
  }

  static SourceSide open(VerifyRequest request) {
    boolean l1Tx = request.includeL1Transactions();
    boolean l1Tags = request.includeL1Tags();
    // The same tables and columns the export requires (a schema check, not the mapping).
    Map<String, Set<String>> coreTables = PartitionReader.coreColumns(l1Tx, l1Tags);
    Map<String, Set<String>> bundleTables = PartitionReader.bundlesColumns();
    SqliteSource core = SqliteSource.open("coreDb", request.coreDb(), coreTables);
    SqliteSource bundles = null;
    try {
      bundles = SqliteSource.open("bundlesDb", request.bundlesDb(), bundleTables);
      SourceSide side = new SourceSide(core, bundles);
      side.prepare(l1Tx, l1Tags);
      return side;
    } catch (RuntimeException e) {
      core.close();
      if (bundles != null) {
        bundles.close();
      }
      throw e;
    }
  }

  private void prepare(boolean l1Tx, boolean l1Tags) {
    add(ExportTable.BLOCKS, core,
        "indep_hash, height, previous_block, nonce, hash, block_timestamp, tx_count, block_size",
        "FROM stable_blocks WHERE height BETWEEN ?1 AND ?2", SourceSide::block);
    add(ExportTable.TRANSACTIONS, bundles,
        "sdi.id, sdi.indexed_at, sdi.block_transaction_index, sdi.target, sdi.anchor,"
            + " sdi.data_size, sdi.content_type, sdi.height, sdi.owner_address, sdi.parent_id,"
            + " sdi.offset, sdi.size, sdi.data_offset, sdi.owner_offset, sdi.owner_size,"
            + " w.public_modulus, sdi.signature_offset, sdi.signature_size, sdi.signature_type,"
            + " sdi.root_transaction_id, sdi.root_parent_offset",
        "FROM stable_data_items sdi LEFT JOIN wallets w ON w.address = sdi.owner_address"
            + " WHERE sdi.height BETWEEN ?1 AND ?2", SourceSide::dataItem,
        "FROM stable_data_items sdi WHERE sdi.height BETWEEN ?1 AND ?2");
    if (l1Tx) {
      add(ExportTable.TRANSACTIONS, core,
          "st.id, st.indexed_at, st.block_transaction_index, st.target, st.quantity, st.reward,"
              + " st.last_tx, st.data_size, st.content_type, st.format, st.height,"
              + " st.owner_address, st.data_root, st.offset, w.public_modulus",
          "FROM stable_transactions st LEFT JOIN wallets w ON w.address = st.owner_address"
              + " WHERE st.height BETWEEN ?1 AND ?2", SourceSide::l1Transaction,
          "FROM stable_transactions st WHERE st.height BETWEEN ?1 AND ?2");
    }
    add(ExportTable.TAGS, bundles,
        "sdi.height, sdi.id, sdit.data_item_tag_index, sdi.indexed_at, tn.name, tv.value",
        "FROM stable_data_items sdi"
            + " JOIN stable_data_item_tags sdit ON sdit.data_item_id = sdi.id"
            + " JOIN tag_names tn ON tn.hash = sdit.tag_name_hash"
            + " JOIN tag_values tv ON tv.hash = sdit.tag_value_hash"
            + " WHERE sdi.height BETWEEN ?1 AND ?2 AND tn.name IS NOT NULL"
            + " AND tv.value IS NOT NULL", (row, r) -> tag(row, r, true));
    if (l1Tags) {
      add(ExportTable.TAGS, core,
          "st.height, st.id, stt.transaction_tag_index, st.indexed_at, tn.name, tv.value",
          "FROM stable_transactions st"
              + " JOIN stable_transaction_tags stt ON stt.transaction_id = st.id"
              + " JOIN tag_names tn ON tn.hash = stt.tag_name_hash"
              + " JOIN tag_values tv ON tv.hash = stt.tag_value_hash"
              + " WHERE st.height BETWEEN ?1 AND ?2 AND tn.name IS NOT NULL"
              + " AND tv.value IS NOT NULL", (row, r) -> tag(row, r, false));
    }
  }

  private void add(ExportTable table, SqliteSource db, String columns, String fromWhere,
      Mapper mapper) {
    add(table, db, columns, fromWhere, mapper, fromWhere);
  }

  /**
   * @param countFromWhere the rows to count; without the wallet join when that is a LEFT JOIN on
   *     the wallets' primary key, which cannot change the count
   */
  private void add(ExportTable table, SqliteSource db, String columns, String fromWhere,
      Mapper mapper, String countFromWhere) {
    parts.computeIfAbsent(table, t -> new ArrayList<>()).add(new Part(db,
        db.prepare("SELECT count(*) " + countFromWhere),
        db.prepare("SELECT " + columns + " " + fromWhere), mapper));
  }

  /** Rows of {@code table} the export must hold for heights in {@code range}. */
  long count(ExportTable table, HeightRange range) {
    long total = 0;
    for (Part part : parts.get(table)) {
      try {
        bind(part.count(), range);
        try (ResultSet result = part.count().executeQuery()) {
          result.next();
          total += result.getLong(1);
        }
      } catch (SQLException e) {
        throw part.db().failure("counting " + table.tableName() + " rows failed", e);
      }
    }
    return total;
  }

  /** The digest of every row of {@code table} the export must hold for heights in {@code range}. */
  Digest digest(ExportTable table, HeightRange range, Cancellation cancellation) {
    Digest digest = new Digest();
    RowDigester digester = new RowDigester(table);
    Record record = GenericRecord.create(table.schema());
    for (Part part : parts.get(table)) {
      try {
        bind(part.rows(), range);
        try (ResultSet rows = part.rows().executeQuery()) {
          while (rows.next()) {
            if ((digest.rows() & 0xfff) == 0) {
              cancellation.stopIfRequested("while reading " + table.tableName() + " rows of "
                  + range + " from SQLite");
            }
            part.mapper().map(rows, record);
            digester.add(record, digest);
          }
        }
      } catch (SQLException e) {
        throw part.db().failure("reading " + table.tableName() + " rows failed", e);
      }
    }
    return digest;
  }

  /** Ends the read transaction of both databases (the next partition gets a fresh snapshot). */
  void endSnapshot() {
    core.endSnapshot();
    bundles.endSnapshot();
  }

  private static void bind(PreparedStatement statement, HeightRange range) throws SQLException {
    statement.setLong(1, range.start());
    statement.setLong(2, range.end());
  }

  // Mappings, straight from the contract's tables (section 2).

  private static void block(ResultSet row, Record r) throws SQLException {
    r.set(0, key(row, 1));
    r.set(1, int64(row, 2));
    r.set(2, bytes(row, 3));
    r.set(3, bytes(row, 4));
    r.set(4, bytes(row, 5));
    r.set(5, int64(row, 6));
    r.set(6, int32(row, 7, "tx_count", "block", key(row, 1)));
    r.set(7, int64(row, 8));
  }

  private static void l1Transaction(ResultSet row, Record r) throws SQLException {
    ByteBuffer id = key(row, 1);
    r.set(0, id);
    r.set(1, int64(row, 2));
    r.set(2, int32(row, 3, "block_transaction_index", "transaction", id));
    r.set(3, Boolean.FALSE);
    r.set(4, bytes(row, 4));
    r.set(5, decimal20(row, 5, "quantity", id));
    r.set(6, decimal20(row, 6, "reward", id));
    r.set(7, bytes(row, 7)); // anchor = last_tx
    r.set(8, int64(row, 8));
    r.set(9, row.getString(9));
    r.set(10, int32(row, 10, "format", "transaction", id));
    r.set(11, int64(row, 11));
    r.set(12, bytes(row, 12));
    r.set(13, bytes(row, 13));
    r.set(14, null); // parent
    r.set(15, int64(row, 14));
    r.set(16, null); // size
    r.set(17, null); // data_offset
    r.set(18, null); // owner_offset
    r.set(19, null); // owner_size
    r.set(20, ownerKey(row, 15));
    r.set(21, null); // signature_offset
    r.set(22, null); // signature_size
    r.set(23, null); // signature_type
    r.set(24, id); // root_transaction_id = the transaction itself
    r.set(25, null); // root_parent_offset
  }

  private static void dataItem(ResultSet row, Record r) throws SQLException {
    ByteBuffer id = key(row, 1);
    r.set(0, id);
    r.set(1, int64(row, 2));
    r.set(2, int32(row, 3, "block_transaction_index", "data item", id));
    r.set(3, Boolean.TRUE);
    r.set(4, bytes(row, 4));
    r.set(5, null); // quantity
    r.set(6, null); // reward
    r.set(7, bytes(row, 5));
    r.set(8, int64(row, 6));
    r.set(9, row.getString(7));
    r.set(10, null); // format
    r.set(11, int64(row, 8));
    r.set(12, bytes(row, 9));
    r.set(13, null); // data_root
    r.set(14, bytes(row, 10)); // parent = parent_id
    r.set(15, int64(row, 11));
    r.set(16, int64(row, 12));
    r.set(17, int64(row, 13));
    r.set(18, int64(row, 14));
    r.set(19, int32(row, 15, "owner_size", "data item", id));
    r.set(20, ownerKey(row, 16));
    r.set(21, int64(row, 17));
    r.set(22, int32(row, 18, "signature_size", "data item", id));
    r.set(23, int32(row, 19, "signature_type", "data item", id));
    r.set(24, bytes(row, 20));
    r.set(25, int64(row, 21));
  }

  private static void tag(ResultSet row, Record r, boolean isDataItem) throws SQLException {
    ByteBuffer id = key(row, 2);
    r.set(0, int64(row, 1));
    r.set(1, id);
    r.set(2, int32(row, 3, "tag index", "tag of", id));
    r.set(3, int64(row, 4));
    r.set(4, bytes(row, 5));
    r.set(5, bytes(row, 6));
    r.set(6, isDataItem);
  }

  private static ByteBuffer bytes(ResultSet row, int column) throws SQLException {
    byte[] value = row.getBytes(column);
    return value == null ? null : ByteBuffer.wrap(value);
  }

  /**
   * An INTEGER column, read as strictly as the export reads it ({@link Columns#int64}): TEXT
   * '12', which {@code getLong} would read as 12, is refused, as the export refuses it.
   */
  private static Long int64(ResultSet row, int column) throws SQLException {
    return Columns.int64(row, column);
  }

  /** A BLOB sort key (id, indep_hash): TEXT is refused, as by the export ({@link Columns#key}). */
  private static ByteBuffer key(ResultSet row, int column) throws SQLException {
    return Columns.key(row, column);
  }

  /** An int column: the export refuses a value outside 32 bits, so verify does too. */
  private static Long int32(ResultSet row, int column, String name, String what, ByteBuffer id)
      throws SQLException {
    Long value = int64(row, column);
    if (value != null && (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)) {
      throw new InvalidInputException(what + " " + hex(id) + " has " + name + " " + value
          + ", which does not fit a 32-bit int (the export refuses it too)");
    }
    return value;
  }

  /** Owner key: the wallet's public modulus when it is at most 64 bytes, else null. */
  private static ByteBuffer ownerKey(ResultSet row, int column) throws SQLException {
    byte[] modulus = row.getBytes(column);
    return modulus == null || modulus.length > OWNER_KEY_MAX_BYTES ? null : ByteBuffer.wrap(modulus);
  }

  /** decimal(20,0) from the gateway's decimal text; anything else is refused, as by the export. */
  private static BigDecimal decimal20(ResultSet row, int column, String name, ByteBuffer id)
      throws SQLException {
    String text = row.getString(column);
    if (text == null) {
      return null;
    }
    if (text.isEmpty() || text.length() > DECIMAL_DIGITS || !text.chars().allMatch(
        c -> c >= '0' && c <= '9')) {
      throw new InvalidInputException("transaction " + hex(id) + " has " + name + " '" + text
          + "', which is not a decimal of at most 20 digits (the export refuses it too)");
    }
    return new BigDecimal(text);
  }

  private static String hex(ByteBuffer id) {
    if (id == null) {
      return "(null id)";
    }
    byte[] bytes = new byte[id.remaining()];
    id.duplicate().get(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public void close() {
    for (List<Part> list : parts.values()) {
      for (Part part : list) {
        closeQuietly(part.count());
        closeQuietly(part.rows());
      }
    }
    try {
      core.close();
    } finally {
      bundles.close();
    }
  }

  private static void closeQuietly(PreparedStatement statement) {
    try {
      statement.close();
    } catch (SQLException e) {
      // Read-only statement: nothing to lose.
    }
  }
}
