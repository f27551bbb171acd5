package io.arexport.source;

import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import io.arexport.schema.ExportTable;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.iceberg.data.Record;

/**
 * Reads the stable rows of a height range from the gateway's {@code core.db} and {@code
 * bundles.db} as sorted cursors, one per exported table. Each SQLite query returns its rows in the
 * contract's order (SQLite compares BLOBs with memcmp, the same unsigned order the contract
 * requires); L1 and data-item rows are merged on the fly, so nothing is buffered in the JVM.
 */
public final class PartitionReader implements AutoCloseable {
  // Owner key: only moduli of at most 64 bytes (short keys) are exported; RSA moduli are not.
  static final String OWNER_KEY =
      "CASE WHEN length(w.public_modulus) <= 64 THEN w.public_modulus END";

  static final String BLOCKS_SQL =
      "SELECT indep_hash, height, previous_block, nonce, hash, block_timestamp, tx_count,"
          + " block_size FROM stable_blocks WHERE height BETWEEN ? AND ?"
          + " ORDER BY height, indep_hash";

  static final String L1_TRANSACTIONS_SQL =
      "SELECT st.id, st.indexed_at, st.block_transaction_index, st.target, st.quantity,"
          + " st.reward, st.last_tx, st.data_size, st.content_type, st.format, st.height,"
          + " st.owner_address, st.data_root, st.offset, " + OWNER_KEY
          + " FROM stable_transactions st LEFT JOIN wallets w ON w.address = st.owner_address"
          + " WHERE st.height BETWEEN ? AND ? ORDER BY st.height, st.id";

  static final String DATA_ITEMS_SQL =
      "SELECT sdi.id, sdi.indexed_at, sdi.block_transaction_index, sdi.target, sdi.anchor,"
          + " sdi.data_size, sdi.content_type, sdi.height, sdi.owner_address, sdi.parent_id,"
          + " sdi.offset, sdi.size, sdi.data_offset, sdi.owner_offset, sdi.owner_size, "
          + OWNER_KEY + ", sdi.signature_offset, sdi.signature_size, sdi.signature_type,"
          + " sdi.root_transaction_id, sdi.root_parent_offset"
          + " FROM stable_data_items sdi LEFT JOIN wallets w ON w.address = sdi.owner_address"
          + " WHERE sdi.height BETWEEN ? AND ? ORDER BY sdi.height, sdi.id";

  // Tags are reached through their transaction (indexed by height) rather than by scanning the
  // tag table, whose only height-bearing index starts with the tag name hash.
  // The rows carry the name and value hashes: TagCursor resolves them through a cache of each
  // dictionary (TagDictionary), since joining tag_names and tag_values here cost two random
  // B-tree searches per row and table, the largest cost of reading tags.
  // The last column, the transaction's rowid, lets TagCursor read its height, id and indexed_at
  // once per transaction instead of once per tag (the gateway's tables all have rowids).
  static final String L1_TAGS_SQL =
      "SELECT st.height, st.id, stt.transaction_tag_index, st.indexed_at, stt.tag_name_hash,"
          + " stt.tag_value_hash, st.rowid"
          + " FROM stable_transactions st"
          + " JOIN stable_transaction_tags stt ON stt.transaction_id = st.id"
          + " WHERE st.height BETWEEN ? AND ?"
          + " ORDER BY st.height, st.id, stt.transaction_tag_index";

  static final String DATA_ITEM_TAGS_SQL =
      "SELECT sdi.height, sdi.id, sdit.data_item_tag_index, sdi.indexed_at, sdit.tag_name_hash,"
          + " sdit.tag_value_hash, sdi.rowid"
          + " FROM stable_data_items sdi"
          + " JOIN stable_data_item_tags sdit ON sdit.data_item_id = sdi.id"
          + " WHERE sdi.height BETWEEN ? AND ?"
          + " ORDER BY sdi.height, sdi.id, sdit.data_item_tag_index";

  /** Cache bytes per database for tag names (a gateway has a few hundred to a few thousand). */
  static final long TAG_NAME_CACHE_BYTES = 1L << 20;
  /** Cache bytes per database for tag values: the repeating ones, a few tens of thousands. */
  static final long TAG_VALUE_CACHE_BYTES = 4L << 20;

  /** What the dictionaries' own connections read (see {@link TagDictionary}). */
  private static final Map<String, Set<String>> DICTIONARY_COLUMNS = Map.of(
      "tag_names", Set.of("hash", "name"), "tag_values", Set.of("hash", "value"));

  private final SqliteSource core;
  private final SqliteSource bundles;
  // The dictionaries' own connections (null for core.db without L1 tags): see TagDictionary.
  private final SqliteSource coreDictionaries;
  private final SqliteSource bundleDictionaries;
  private final boolean includeL1Transactions;
  private final boolean includeL1Tags;
  private final TagDictionary coreTagNames;
  private final TagDictionary coreTagValues;
  private final TagDictionary bundleTagNames;
  private final TagDictionary bundleTagValues;
  private long skippedDanglingTags;

  private PartitionReader(SqliteSource core, SqliteSource bundles,
      SqliteSource coreDictionaries, SqliteSource bundleDictionaries,
      boolean includeL1Transactions, boolean includeL1Tags) {
    this.core = core;
    this.bundles = bundles;
    this.coreDictionaries = coreDictionaries;
    this.bundleDictionaries = bundleDictionaries;
    SqliteSource coreLookups = coreDictionaries != null ? coreDictionaries : core;
    this.coreTagNames =
        new TagDictionary(coreLookups, "tag_names", "name", TAG_NAME_CACHE_BYTES);
    this.coreTagValues =
        new TagDictionary(coreLookups, "tag_values", "value", TAG_VALUE_CACHE_BYTES);
    this.bundleTagNames =
        new TagDictionary(bundleDictionaries, "tag_names", "name", TAG_NAME_CACHE_BYTES);
    this.bundleTagValues =
        new TagDictionary(bundleDictionaries, "tag_values", "value", TAG_VALUE_CACHE_BYTES);
    this.includeL1Transactions = includeL1Transactions;
    this.includeL1Tags = includeL1Tags;
  }

  /**
   * Opens both databases read-only and checks that they hold every table and column the export
   * reads; a missing one is an {@link io.arexport.InvalidInputException} naming it.
   */
  public static PartitionReader open(SourcePaths paths, boolean includeL1Transactions,
      boolean includeL1Tags) {
    Map<String, Set<String>> coreTables = coreColumns(includeL1Transactions, includeL1Tags);
    Map<String, Set<String>> bundleTables = bundlesColumns();

    List<SqliteSource> opened = new ArrayList<>();
    try {
      SqliteSource core = open(opened, "coreDb", paths.coreDb(), coreTables);
      SqliteSource bundles = open(opened, "bundlesDb", paths.bundlesDb(), bundleTables);
      SqliteSource coreDictionaries = includeL1Tags
          ? open(opened, "coreDb", paths.coreDb(), DICTIONARY_COLUMNS) : null;
      SqliteSource bundleDictionaries =
          open(opened, "bundlesDb", paths.bundlesDb(), DICTIONARY_COLUMNS);
      return new PartitionReader(core, bundles, coreDictionaries, bundleDictionaries,
          includeL1Transactions, includeL1Tags);
    } catch (RuntimeException e) {
      opened.forEach(SqliteSource::close);
      throw e;
    }
  }

  private static SqliteSource open(List<SqliteSource> opened, String label, Path path,
      Map<String, Set<String>> columns) {
    SqliteSource source = SqliteSource.open(label, path, columns);
    opened.add(source);
    return source;
  }

  /**
   * The core.db tables and columns an export with these L1 flags reads (also what {@code verify}
   * requires of the source).
   */
  public static Map<String, Set<String>> coreColumns(boolean includeL1Transactions,
      boolean includeL1Tags) {
    Map<String, Set<String>> coreTables = new LinkedHashMap<>();
    coreTables.put("stable_blocks", Set.of("indep_hash", "height", "previous_block", "nonce",
        "hash", "block_timestamp", "tx_count", "block_size"));
    if (includeL1Transactions || includeL1Tags) {
      coreTables.put("stable_transactions", Set.of("id", "indexed_at", "block_transaction_index",
          "target", "quantity", "reward", "last_tx", "data_size", "content_type", "format",
          "height", "owner_address", "data_root", "offset"));
    }
    if (includeL1Transactions) {
      coreTables.put("wallets", Set.of("address", "public_modulus"));
    }
    if (includeL1Tags) {
      coreTables.put("stable_transaction_tags",
          Set.of("tag_name_hash", "tag_value_hash", "transaction_tag_index", "transaction_id"));
      coreTables.put("tag_names", Set.of("hash", "name"));
      coreTables.put("tag_values", Set.of("hash", "value"));
    }
    return coreTables;
  }

  /** The bundles.db tables and columns every export reads. */
  public static Map<String, Set<String>> bundlesColumns() {
    Map<String, Set<String>> bundleTables = new LinkedHashMap<>();
    bundleTables.put("stable_data_items", Set.of("id", "indexed_at", "block_transaction_index",
        "target", "anchor", "data_size", "content_type", "height", "owner_address", "parent_id",
        "offset", "size", "data_offset", "owner_offset", "owner_size", "signature_offset",
        "signature_size", "signature_type", "root_transaction_id", "root_parent_offset"));
    bundleTables.put("stable_data_item_tags",
        Set.of("tag_name_hash", "tag_value_hash", "data_item_tag_index", "data_item_id"));
    bundleTables.put("tag_names", Set.of("hash", "name"));
    bundleTables.put("tag_values", Set.of("hash", "value"));
    bundleTables.put("wallets", Set.of("address", "public_modulus"));
    return bundleTables;
  }

  /**
   * Opens a cursor over one table's rows of {@code range}, in the contract's sort order, read
   * ahead on a background thread.
   */
  public RowCursor open(ExportTable table, HeightRange range) {
    return new PrefetchingCursor(openDirect(table, range), table.tableName());
  }

  private RowCursor openDirect(ExportTable table, HeightRange range) {
    return switch (table) {
      case BLOCKS -> query(core, BLOCKS_SQL, range, table, PartitionReader::mapBlock);
      case TRANSACTIONS -> {
        RowCursor dataItems =
            query(bundles, DATA_ITEMS_SQL, range, table, PartitionReader::mapDataItem);
        yield includeL1Transactions
            ? merged(query(core, L1_TRANSACTIONS_SQL, range, table,
                PartitionReader::mapL1Transaction), dataItems, table)
            : dataItems;
      }
      case TAGS -> {
        RowCursor dataItemTags = new TagCursor(bundles, DATA_ITEM_TAGS_SQL, range.start(),
            range.end(), table.schema(), bundleTagNames, bundleTagValues, true,
            this::skippedDanglingTag);
        yield includeL1Tags
            ? merged(new TagCursor(core, L1_TAGS_SQL, range.start(), range.end(),
                table.schema(), coreTagNames, coreTagValues, false, this::skippedDanglingTag),
                dataItemTags, table)
            : dataItemTags;
      }
    };
  }

  private static RowCursor merged(RowCursor l1, RowCursor dataItems, ExportTable table) {
    try {
      return new MergedCursor(l1, dataItems, table.rowOrder());
    } catch (RuntimeException e) {
      l1.close();
      dataItems.close();
      throw e;
    }
  }

  private static RowCursor query(SqliteSource source, String sql, HeightRange range,
      ExportTable table, QueryCursor.RowMapper mapper) {
    return new QueryCursor(source, sql, range.start(), range.end(), table.schema(), mapper);
  }

  /**
   * How many data items and (when L1 rows are exported) L1 transactions {@code range} holds: at
   * most this many distinct ids appear in its transactions and tags. Two index-only counts, used
   * to size the bloom filters before the rows are written.
   */
  public long transactionCount(HeightRange range) {
    long count = bundles.numberIn(
        "SELECT count(*) FROM stable_data_items WHERE height BETWEEN ? AND ?", range);
    if (includeL1Transactions || includeL1Tags) {
      count += core.numberIn(
          "SELECT count(*) FROM stable_transactions WHERE height BETWEEN ? AND ?", range);
    }
    return count;
  }

  /**
   * The highest height at or above {@code height} at which the source has an exported row: the
   * source's stable tip (as {@link StableHeights} reads it) when it is at or above {@code
   * height}, else empty. One indexed lookup per table.
   */
  public OptionalLong highestHeightAtOrAfter(long height) {
    return heightAtOrAfter(false, height);
  }

  /**
   * The lowest height at or above {@code height} at which the source has an exported row (a block,
   * an L1 transaction when L1 rows are exported, or a data item), if any. Each probe is one
   * indexed lookup, so runs of empty heights cost nothing.
   */
  public OptionalLong nextHeightAtOrAfter(long height) {
    return heightAtOrAfter(true, height);
  }

  /** The lowest (else the highest) of the exported tables' heights at or above one. */
  private OptionalLong heightAtOrAfter(boolean lowest, long height) {
    String sql = "SELECT " + (lowest ? "min" : "max") + "(height) FROM %s WHERE height >= ?";
    OptionalLong found = boundHeight(core, sql.formatted("stable_blocks"), height);
    if (includeL1Transactions || includeL1Tags) {
      found = either(found, boundHeight(core, sql.formatted("stable_transactions"), height),
          lowest);
    }
    return either(found, boundHeight(bundles, sql.formatted("stable_data_items"), height), lowest);
  }

  private static OptionalLong either(OptionalLong a, OptionalLong b, boolean lowest) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return OptionalLong.of(lowest ? Math.min(a.getAsLong(), b.getAsLong())
        : Math.max(a.getAsLong(), b.getAsLong()));
  }

  /** A {@code min}/{@code max} of height at or above {@code height}; empty when there is none. */
  private static OptionalLong boundHeight(SqliteSource source, String sql, long height) {
    try (PreparedStatement statement = source.prepare(sql)) {
      statement.setLong(1, height);
      try (ResultSet row = statement.executeQuery()) {
        long value = row.getLong(1);
        return row.wasNull() ? OptionalLong.empty() : OptionalLong.of(value);
      }
    } catch (SQLException e) {
      throw source.failure("query failed", e);
    }
  }

  /**
   * Ends the read snapshot of both databases; call after each partition so the next one sees the
   * gateway's newer commits and the WAL can be checkpointed.
   */
  public void endSnapshot() {
    coreTagNames.endSnapshot();
    coreTagValues.endSnapshot();
    bundleTagNames.endSnapshot();
    bundleTagValues.endSnapshot();
    core.endSnapshot();
    bundles.endSnapshot();
    if (coreDictionaries != null) {
      coreDictionaries.endSnapshot();
    }
    bundleDictionaries.endSnapshot();
  }

  /** Tags skipped so far because their name or value hash has no row (see contract section 2). */
  public long skippedDanglingTags() {
    return skippedDanglingTags;
  }

  // Called on the read-ahead thread of the tags cursor; read after that cursor is closed.
  private void skippedDanglingTag() {
    skippedDanglingTags++;
  }

  private static boolean mapBlock(ResultSet row, Record r) throws SQLException {
    long height = Columns.height(row, 2);
    ByteBuffer hash = Columns.key(row, 1);
    r.set(0, hash);
    r.set(1, height);
    r.set(2, Columns.binary(row, 3));
    r.set(3, Columns.binary(row, 4));
    r.set(4, Columns.binary(row, 5));
    r.set(5, Columns.int64(row, 6));
    r.set(6, Columns.int32(row, 7, "tx_count", hash));
    r.set(7, Columns.int64(row, 8));
    return true;
  }

  private static boolean mapL1Transaction(ResultSet row, Record r) throws SQLException {
    long height = Columns.height(row, 11);
    ByteBuffer id = Columns.requiredBinary(row, 1, "stable_transactions", "id", height);
    r.set(0, id);
    r.set(1, Columns.int64(row, 2));
    r.set(2, Columns.int32(row, 3, "block_transaction_index", id));
    r.set(3, Boolean.FALSE);
    r.set(4, Columns.binary(row, 4));
    r.set(5, Columns.decimal20(row, 5, "quantity", id));
    r.set(6, Columns.decimal20(row, 6, "reward", id));
    r.set(7, Columns.binary(row, 7));
    r.set(8, Columns.int64(row, 8));
    r.set(9, Columns.text(row, 9));
    r.set(10, Columns.int32(row, 10, "format", id));
    r.set(11, height);
    r.set(12, Columns.binary(row, 12));
    r.set(13, Columns.binary(row, 13));
    r.set(14, null);
    r.set(15, Columns.int64(row, 14));
    r.set(16, null);
    r.set(17, null);
    r.set(18, null);
    r.set(19, null);
    r.set(20, Columns.binary(row, 15));
    r.set(21, null);
    r.set(22, null);
    r.set(23, null);
    r.set(24, id);
    r.set(25, null);
    return true;
  }

  private static boolean mapDataItem(ResultSet row, Record r) throws SQLException {
    long height = Columns.height(row, 8);
    ByteBuffer id = Columns.requiredBinary(row, 1, "stable_data_items", "id", height);
    r.set(0, id);
    r.set(1, Columns.int64(row, 2));
    r.set(2, Columns.int32(row, 3, "block_transaction_index", id));
    r.set(3, Boolean.TRUE);
    r.set(4, Columns.binary(row, 4));
    r.set(5, null);
    r.set(6, null);
    r.set(7, Columns.binary(row, 5));
    r.set(8, Columns.int64(row, 6));
    r.set(9, Columns.text(row, 7));
    r.set(10, null);
    r.set(11, height);
    r.set(12, Columns.binary(row, 9));
    r.set(13, null);
    r.set(14, Columns.binary(row, 10));
    r.set(15, Columns.int64(row, 11));
    r.set(16, Columns.int64(row, 12));
    r.set(17, Columns.int64(row, 13));
    r.set(18, Columns.int64(row, 14));
    r.set(19, Columns.int32(row, 15, "owner_size", id));
    r.set(20, Columns.binary(row, 16));
    r.set(21, Columns.int64(row, 17));
    r.set(22, Columns.int32(row, 18, "signature_size", id));
    r.set(23, Columns.int32(row, 19, "signature_type", id));
    r.set(24, Columns.binary(row, 20));
    r.set(25, Columns.int64(row, 21));
    return true;
  }

  @Override
  public void close() {
    coreTagNames.close();
    coreTagValues.close();
    bundleTagNames.close();
    bundleTagValues.close();
    try {
      core.close();
    } finally {
      bundles.close();
      if (coreDictionaries != null) {
        coreDictionaries.close();
      }
      bundleDictionaries.close();
    }
  }
}
