package io.arexport.source;

import org.apache.iceberg.data.Record;

/**
 * A forward-only stream of export rows in the table's sort order. {@link #current()} returns a
 * record that is reused by the next call to {@link #next()}, so rows are never accumulated.
 */
public interface RowCursor extends AutoCloseable {
  /** Advances to the next row; false when there are no more. */
  boolean next();

  /** The current row; valid until the next call to {@link #next()}. */
  Record current();

  @Override
  void close();
}
