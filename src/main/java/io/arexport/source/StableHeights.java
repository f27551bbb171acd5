package io.arexport.source;

import io.arexport.HeightRange;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The lowest and highest height of the source's stable rows that an export reads: {@code
 * stable_blocks}, {@code stable_data_items} and, with L1 transactions or tags, {@code
 * stable_transactions}. Rows above the highest one are not stable yet. Each bound is one indexed
 * {@code min}/{@code max} lookup, read in one snapshot per database.
 *
 * @param lowest empty when the source has no stable rows
 * @param highest the stable tip; empty when the source has no stable rows
 */
public record StableHeights(OptionalLong lowest, OptionalLong highest) {

  /** Opens both databases read-only (checking the tables it reads) and reads the bounds. */
  public static StableHeights read(SourcePaths paths, boolean includeL1) {
    Map<String, Set<String>> core = new LinkedHashMap<>();
    core.put("stable_blocks", Set.of("height"));
    if (includeL1) {
      core.put("stable_transactions", Set.of("height"));
    }
    try (SqliteSource coreDb = SqliteSource.open("coreDb", paths.coreDb(), core);
        SqliteSource bundlesDb = SqliteSource.open("bundlesDb", paths.bundlesDb(),
            Map.of("stable_data_items", Set.of("height")))) {
      StableHeights heights = bounds(coreDb, "stable_blocks")
          .union(bounds(bundlesDb, "stable_data_items"));
      if (includeL1) {
        heights = heights.union(bounds(coreDb, "stable_transactions"));
      }
      coreDb.endSnapshot();
      bundlesDb.endSnapshot();
      return heights;
    }
  }

  /** How many stable blocks the source has in {@code range} (one indexed count). */
  public static long blocksIn(SourcePaths paths, HeightRange range) {
    try (SqliteSource coreDb = SqliteSource.open("coreDb", paths.coreDb(),
        Map.of("stable_blocks", Set.of("height")))) {
      return coreDb.numberIn(
          "SELECT count(*) FROM stable_blocks WHERE height BETWEEN ? AND ?", range);
    }
  }

  /**
   * Whether the source has a transaction row in {@code range} that an export with these L1
   * flags writes: a data item, or with {@code includeL1Transactions} an L1 transaction (indexed
   * lookups of one row each).
   */
  public static boolean hasTransactionsIn(SourcePaths paths, HeightRange range,
      boolean includeL1Transactions) {
    return any(paths, "stable_data_items", includeL1Transactions ? "stable_transactions" : null,
        range);
  }

  /**
   * Whether the source has a tag row in {@code range} that an export with these L1 flags writes:
   * a tag of a stable data item, or with {@code includeL1Tags} of a stable L1 transaction, whose
   * name and value are both in the database's dictionaries. The export reads tags through their
   * owner and leaves a tag with a missing or NULL name or value out ("dangling"), so a partition
   * whose tags are all dangling holds no tags and is complete. One lookup that stops at the
   * first such tag; it reads the whole partition's tags only when none is exportable.
   */
  public static boolean hasTagsIn(SourcePaths paths, HeightRange range, boolean includeL1Tags) {
    try (SqliteSource bundlesDb = SqliteSource.open("bundlesDb", paths.bundlesDb(),
        tagTables("stable_data_items", "stable_data_item_tags", "data_item_id"))) {
      if (bundlesDb.numberIn(exportableTag("stable_data_items", "stable_data_item_tags",
          "data_item_id"), range) > 0) {
        return true;
      }
    }
    if (!includeL1Tags) {
      return false;
    }
    try (SqliteSource coreDb = SqliteSource.open("coreDb", paths.coreDb(),
        tagTables("stable_transactions", "stable_transaction_tags", "transaction_id"))) {
      return coreDb.numberIn(exportableTag("stable_transactions", "stable_transaction_tags",
          "transaction_id"), range) > 0;
    }
  }

  private static Map<String, Set<String>> tagTables(String owners, String tags,
      String ownerColumn) {
    return Map.of(owners, Set.of("id", "height"),
        tags, Set.of(ownerColumn, "tag_name_hash", "tag_value_hash"),
        "tag_names", Set.of("hash", "name"),
        "tag_values", Set.of("hash", "value"));
  }

  private static String exportableTag(String owners, String tags, String ownerColumn) {
    return "SELECT EXISTS (SELECT 1 FROM " + owners + " o"
        + " JOIN " + tags + " t ON t." + ownerColumn + " = o.id"
        + " JOIN tag_names n ON n.hash = t.tag_name_hash"
        + " JOIN tag_values v ON v.hash = t.tag_value_hash"
        + " WHERE o.height BETWEEN ? AND ? AND n.name IS NOT NULL AND v.value IS NOT NULL)";
  }

  private static boolean any(SourcePaths paths, String bundlesTable, String coreTable,
      HeightRange range) {
    String exists = "SELECT EXISTS (SELECT 1 FROM %s WHERE height BETWEEN ? AND ?)";
    try (SqliteSource bundlesDb = SqliteSource.open("bundlesDb", paths.bundlesDb(),
        Map.of(bundlesTable, Set.of("height")))) {
      if (bundlesDb.numberIn(String.format(exists, bundlesTable), range) > 0) {
        return true;
      }
    }
    if (coreTable == null) {
      return false;
    }
    try (SqliteSource coreDb = SqliteSource.open("coreDb", paths.coreDb(),
        Map.of(coreTable, Set.of("height")))) {
      return coreDb.numberIn(String.format(exists, coreTable), range) > 0;
    }
  }

  private static StableHeights bounds(SqliteSource source, String table) {
    // Two single-aggregate queries: SQLite answers each min()/max() alone from the index.
    return new StableHeights(single(source, "SELECT min(height) FROM " + table),
        single(source, "SELECT max(height) FROM " + table));
  }

  private static OptionalLong single(SqliteSource source, String sql) {
    try (PreparedStatement statement = source.prepare(sql);
        ResultSet row = statement.executeQuery()) {
      long value = row.getLong(1);
      return row.wasNull() ? OptionalLong.empty() : OptionalLong.of(value);
    } catch (SQLException e) {
      throw source.failure("query failed", e);
    }
  }

  private StableHeights union(StableHeights other) {
    return new StableHeights(pick(lowest, other.lowest, true), pick(highest, other.highest, false));
  }

  private static OptionalLong pick(OptionalLong a, OptionalLong b, boolean lower) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return OptionalLong.of(lower ? Math.min(a.getAsLong(), b.getAsLong())
        : Math.max(a.getAsLong(), b.getAsLong()));
  }
}
