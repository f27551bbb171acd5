package io.arexport.source;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;

/** Streams the rows of one SQLite query into one reused record. */
final class QueryCursor implements RowCursor {

  /** Fills {@code record} from the current result row; returns false to skip the row. */
  @FunctionalInterface
  interface RowMapper {
    boolean map(ResultSet row, Record record) throws SQLException;
  }

  private final SqliteSource source;
  private final PreparedStatement statement;
  private final ResultSet rows;
  private final RowMapper mapper;
  private final Record record;

  QueryCursor(SqliteSource source, String sql, long fromHeight, long toHeight, Schema schema,
      RowMapper mapper) {
    this.source = source;
    this.statement = source.prepare(sql);
    this.mapper = mapper;
    this.record = GenericRecord.create(schema);
    try {
      statement.setLong(1, fromHeight);
      statement.setLong(2, toHeight);
      this.rows = statement.executeQuery();
    } catch (SQLException e) {
      close();
      throw source.failure("query failed", e);
    }
  }

  @Override
  public boolean next() {
    try {
      while (rows.next()) {
        if (mapper.map(rows, record)) {
          return true;
        }
      }
      return false;
    } catch (SQLException e) {
      throw source.failure("reading rows failed", e);
    }
  }

  @Override
  public Record current() {
    return record;
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
