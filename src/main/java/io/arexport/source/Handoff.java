package io.arexport.source;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The bounded queue between a thread that reads ahead and the one that consumes what it read,
 * which may close it at any time: the reading thread then stops waiting for room within one
 * {@link #OFFER_WAIT_MILLIS} and gives up, so closing never waits for a full queue to drain.
 */
final class Handoff<T> {
  static final long OFFER_WAIT_MILLIS = 100;

  private final BlockingQueue<T> queue;
  private volatile boolean closed;

  Handoff(int capacity) {
    this.queue = new ArrayBlockingQueue<>(capacity);
  }

  /** Queues {@code item}, waiting for room; false when the consumer closed the handoff first. */
  boolean put(T item) {
    try {
      while (!closed) {
        if (queue.offer(item, OFFER_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The next item, waiting for it; {@code what} names the wait if it is interrupted. */
  T take(String what) {
    try {
      return queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + what, e);
    }
  }

  boolean closed() {
    return closed;
  }

  /** Called by the consumer: drops what is queued and makes the reading thread give up. */
  void close() {
    closed = true;
    queue.clear();
  }
}
