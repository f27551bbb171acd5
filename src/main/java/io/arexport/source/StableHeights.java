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

  /** As {@link #hasTransactionsIn}, for tags: a data item's, or with L1 tags an L1 tag. */
  public static boolean hasTagsIn(SourcePaths paths, HeightRange range, boolean includeL1Tags) {
    return any(paths, "stable_data_item_tags",
        includeL1Tags ? "stable_transaction_tags" : null, range);
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
