package io.arexport.source;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
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
  private record Batch(Record[] rows, int size, boolean last, RuntimeException failure) {}

  private final RowCursor source;
  private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(QUEUED_BATCHES);
  private final Thread reader;
  private volatile boolean closed;
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
      while (!closed) {
        rows = new Record[BATCH_ROWS];
        size = 0;
        while (size < BATCH_ROWS && source.next()) {
          rows[size++] = source.current();
        }
        boolean last = size < BATCH_ROWS;
        if (!hand(new Batch(rows, size, last, null)) || last) {
          return;
        }
      }
    } catch (RuntimeException | Error e) {
      RuntimeException failure = e instanceof RuntimeException re ? re : new RuntimeException(e);
      // Rows read before the failure are still delivered, then the failure.
      if (size > 0 && !hand(new Batch(rows, size, false, null))) {
        return;
      }
      hand(new Batch(new Record[0], 0, true, failure));
    }
  }

  /** Queues a batch, giving up when the consumer has closed the cursor. */
  private boolean hand(Batch next) {
    try {
      while (!closed) {
        if (queue.offer(next, 100, TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public boolean next() {
    while (batch == null || index + 1 >= batch.size()) {
      if (batch != null && batch.last()) {
        return false;
      }
      batch = take();
      index = -1;
      if (batch.failure() != null) {
        throw batch.failure();
      }
      if (batch.size() == 0 && batch.last()) {
        return false;
      }
    }
    index++;
    return true;
  }

  private Batch take() {
    try {
      return queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading rows", e);
    }
  }

  @Override
  public Record current() {
    return batch.rows()[index];
  }

  @Override
  public void close() {
    closed = true;
    queue.clear();
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
