package io.arexport.source;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One running query over a height range: a statement whose two parameters are the first and the
 * last height, and its result rows. Failures name the database.
 */
final class RangeQuery implements AutoCloseable {
  private final PreparedStatement statement;
  private final ResultSet rows;

  RangeQuery(SqliteSource source, String sql, long fromHeight, long toHeight) {
    this.statement = source.prepare(sql);
    try {
      statement.setLong(1, fromHeight);
      statement.setLong(2, toHeight);
      this.rows = statement.executeQuery();
    } catch (SQLException e) {
      close();
      throw source.failure("query failed", e);
    }
  }

  ResultSet rows() {
    return rows;
  }

  @Override
  public void close() {
    try {
      statement.close();
    } catch (SQLException e) {
      // Nothing was written through this statement.
    }
  }
}
