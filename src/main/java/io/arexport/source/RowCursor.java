package io.arexport.source;

import org.apache.iceberg.data.Record;

/**
 * A forward-only stream of export rows in the table's sort order. {@link #current()} returns a
 * new record for each row, which the cursor never changes afterwards: a consumer may keep it (the
 * read-ahead queue does) without copying it. Cursors never accumulate rows themselves.
 */
public interface RowCursor extends AutoCloseable {
  /** Advances to the next row; false when there are no more. */
  boolean next();

  /** The current row; the cursor does not modify it after {@link #next()} moves on. */
  Record current();

  @Override
  void close();
}
