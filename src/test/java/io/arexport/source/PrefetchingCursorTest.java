package io.arexport.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arexport.InvalidInputException;
import io.arexport.RuntimeFailureException;
import io.arexport.schema.ExportTable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;

class PrefetchingCursorTest {
  /** A cursor of n tag rows with heights 0..n-1, a new record per row, like QueryCursor. */
  private static final class CountingCursor implements RowCursor {
    Record record;
    final long rows;
    final long failAt;
    final Error error;
    final AtomicBoolean closed = new AtomicBoolean();
    long next;

    CountingCursor(long rows, long failAt) {
      this(rows, failAt, null);
    }

    /** Fails at {@code failAt} with {@code error}, or with an invalid-input failure if null. */
    CountingCursor(long rows, long failAt, Error error) {
      this.rows = rows;
      this.failAt = failAt;
      this.error = error;
    }

    @Override
    public boolean next() {
      if (next == failAt) {
        if (error != null) {
          throw error;
        }
        throw new InvalidInputException("bad row " + next);
      }
      if (next >= rows) {
        return false;
      }
      record = GenericRecord.create(ExportTable.TAGS.schema());
      record.set(0, next++);
      record.set(1, ByteBuffer.wrap(new byte[] {1}));
      return true;
    }

    @Override
    public Record current() {
      return record;
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  @Test
  void deliversEveryRowInOrderAcrossBatchBoundaries() {
    for (long size : new long[] {0, 1, PrefetchingCursor.BATCH_ROWS - 1,
        PrefetchingCursor.BATCH_ROWS, PrefetchingCursor.BATCH_ROWS * 20L + 3}) {
      CountingCursor source = new CountingCursor(size, -1);
      List<Long> heights = new ArrayList<>();
      try (PrefetchingCursor cursor = new PrefetchingCursor(source, "test")) {
        while (cursor.next()) {
          heights.add((Long) cursor.current().get(0));
        }
        assertThat(cursor.next()).isFalse();
      }
      assertThat(heights).hasSize((int) size);
      for (int i = 0; i < heights.size(); i++) {
        assertThat(heights.get(i)).isEqualTo(i);
      }
      assertThat(source.closed).isTrue();
    }
  }

  @Test
  void rethrowsTheReadersFailureAfterTheRowsBeforeIt() {
    CountingCursor source = new CountingCursor(10_000, 5_000);
    try (PrefetchingCursor cursor = new PrefetchingCursor(source, "test")) {
      long seen = 0;
      try {
        while (cursor.next()) {
          seen++;
        }
        throw new AssertionError("no failure");
      } catch (InvalidInputException e) {
        assertThat(e).hasMessage("bad row 5000");
        assertThat(seen).isEqualTo(5_000);
      }
    }
  }

  /**
   * An Error of the reading thread (out of memory, a stack overflow) reaches the consumer as it
   * was thrown, not wrapped in a RuntimeException, so the command reports it by its own name.
   */
  @Test
  void rethrowsTheReadersErrorAsItWasThrown() {
    OutOfMemoryError error = new OutOfMemoryError("Java heap space");
    CountingCursor source = new CountingCursor(10_000, 3, error);
    try (PrefetchingCursor cursor = new PrefetchingCursor(source, "test")) {
      assertThatThrownBy(() -> {
        while (cursor.next()) {
          // drain
        }
      }).isSameAs(error);
    }
  }

  /**
   * A consumer interrupted while it waits for rows (the stager interrupts its threads when the
   * run fails) gets a runtime failure: not an internal error, and not a stop request.
   */
  @Test
  void anInterruptedWaitForRowsIsARuntimeFailure() {
    CountingCursor source = new CountingCursor(Long.MAX_VALUE, -1);
    try (PrefetchingCursor cursor = new PrefetchingCursor(source, "test")) {
      Thread.currentThread().interrupt();
      try {
        assertThatThrownBy(() -> {
          while (cursor.next()) {
            // drain until the wait for the next batch sees the interrupt
          }
        }).isInstanceOf(RuntimeFailureException.class).hasMessageContaining("interrupted while");
      } finally {
        Thread.interrupted();
      }
    }
  }

  @Test
  void closingEarlyStopsTheReaderAndClosesTheSource() {
    CountingCursor source = new CountingCursor(Long.MAX_VALUE, -1);
    PrefetchingCursor cursor = new PrefetchingCursor(source, "test");
    assertThat(cursor.next()).isTrue();
    cursor.close();
    assertThat(source.closed).isTrue();
  }
}
