package io.arexport.source;

import org.apache.iceberg.data.Record;

/**
 * Reads a cursor on a background thread, a bounded number of row batches ahead, so SQLite's
 * stepping and the Parquet encoding run on two cores instead of taking turns. Memory stays
 * bounded: at most {@link #QUEUED_BATCHES} batches of {@link #BATCH_ROWS} rows wait. Rows are
 * queued as the source cursor made them (each row is its own record, see {@link RowCursor}), not
 * copied.
 */
final class PrefetchingCursor implements RowCursor {
  static final int BATCH_ROWS = 1024;
  static final int QUEUED_BATCHES = 8;

  /** A batch of rows; the last one may be partial, or carry the reader's failure. */
  private record Batch(Record[] rows, int size, boolean last, Throwable failure) {}

  private final RowCursor source;
  private final Handoff<Batch> queue = new Handoff<>(QUEUED_BATCHES);
  private final Thread reader;
  private Batch batch;
  private int index;

  PrefetchingCursor(RowCursor source, String name) {
    this.source = source;
    this.reader = new Thread(this::readAhead, "arexport-read-" + name);
    this.reader.setDaemon(true);
    this.reader.start();
  }

  private void readAhead() {
    Record[] rows = new Record[BATCH_ROWS];
    int size = 0;
    try {
      while (!queue.closed()) {
        rows = new Record[BATCH_ROWS];
        size = 0;
        while (size < BATCH_ROWS && source.next()) {
          rows[size++] = source.current();
        }
        boolean last = size < BATCH_ROWS;
        if (!queue.put(new Batch(rows, size, last, null)) || last) {
          return;
        }
      }
    } catch (RuntimeException | Error e) {
      try {
        // Rows read before the failure are still delivered, then the failure.
        if (size > 0 && !queue.put(new Batch(rows, size, false, null))) {
          return;
        }
        queue.put(new Batch(new Record[0], 0, true, e));
      } catch (RuntimeException | Error again) {
        queue.failUnqueued(e);
      }
    }
  }

  @Override
  public boolean next() {
    while (batch == null || index + 1 >= batch.size()) {
      if (batch != null && batch.last()) {
        return false;
      }
      batch = queue.take("reading rows");
      index = -1;
      if (batch.failure() != null) {
        throw Handoff.rethrow(batch.failure());
      }
      if (batch.size() == 0 && batch.last()) {
        return false;
      }
    }
    index++;
    return true;
  }

  @Override
  public Record current() {
    return batch.rows()[index];
  }

  @Override
  public void close() {
    queue.close();
    try {
      // The reader notices `closed` within one row (or one offer timeout) and stops.
      reader.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      source.close();
    }
  }
}
