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
      try (PreparedStatement statement = coreDb.prepare(
          "SELECT count(*) FROM stable_blocks WHERE height BETWEEN ? AND ?")) {
        statement.setLong(1, range.start());
        statement.setLong(2, range.end());
        try (ResultSet row = statement.executeQuery()) {
          return row.getLong(1);
        }
      } catch (SQLException e) {
        throw coreDb.failure("query failed", e);
      }
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
