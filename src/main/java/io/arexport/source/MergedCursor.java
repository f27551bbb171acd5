package io.arexport.source;

import java.util.Comparator;
import org.apache.iceberg.data.Record;

/**
 * Merges two cursors that are each sorted by {@code order} into one sorted stream, holding only the
 * head row of each. Rows equal under the order come from {@code first} first.
 */
final class MergedCursor implements RowCursor {
  private final RowCursor first;
  private final RowCursor second;
  private final Comparator<Record> order;
  private boolean firstHasRow;
  private boolean secondHasRow;
  private boolean started;
  private boolean currentIsFirst;

  MergedCursor(RowCursor first, RowCursor second, Comparator<Record> order) {
    this.first = first;
    this.second = second;
    this.order = order;
  }

  @Override
  public boolean next() {
    if (!started) {
      started = true;
      firstHasRow = first.next();
      secondHasRow = second.next();
    } else if (currentIsFirst) {
      firstHasRow = first.next();
    } else {
      secondHasRow = second.next();
    }
    if (firstHasRow && secondHasRow) {
      currentIsFirst = order.compare(first.current(), second.current()) <= 0;
      return true;
    }
    currentIsFirst = firstHasRow;
    return firstHasRow || secondHasRow;
  }

  @Override
  public Record current() {
    return currentIsFirst ? first.current() : second.current();
  }

  @Override
  public void close() {
    try {
      first.close();
    } finally {
      second.close();
    }
  }
}
