package io.arexport.source;

import java.sql.ResultSet;
import java.sql.SQLException;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;

/**
 * Streams the rows of one SQLite query, each into a new record (a copy of an empty template,
 * which shares its schema lookups), so the rows can be handed to another thread as they are.
 */
final class QueryCursor implements RowCursor {

  /** Fills {@code record} from the current result row; returns false to skip the row. */
  @FunctionalInterface
  interface RowMapper {
    boolean map(ResultSet row, Record record) throws SQLException;
  }

  private final SqliteSource source;
  private final RangeQuery query;
  private final ResultSet rows;
  private final RowMapper mapper;
  private final Record template;
  private Record record;
  private Record unused;

  QueryCursor(SqliteSource source, String sql, long fromHeight, long toHeight, Schema schema,
      RowMapper mapper) {
    this.source = source;
    this.mapper = mapper;
    this.template = GenericRecord.create(schema);
    this.query = new RangeQuery(source, sql, fromHeight, toHeight);
    this.rows = query.rows();
  }

  @Override
  public boolean next() {
    try {
      while (rows.next()) {
        // A skipped row leaves its record untouched (mappers skip before setting a value).
        Record next = unused != null ? unused : template.copy();
        if (mapper.map(rows, next)) {
          record = next;
          unused = null;
          return true;
        }
        unused = next;
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
    query.close();
  }
}
