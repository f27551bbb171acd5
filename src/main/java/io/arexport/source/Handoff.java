package io.arexport.source;

import io.arexport.RuntimeFailureException;
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
  // The reading thread's failure when even queueing it failed (an OutOfMemoryError leaves no
  // room for the batch that would carry it): the consumer then gets it instead of waiting.
  private volatile Throwable unqueuedFailure;

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

  /**
   * The next item, waiting for it; {@code what} names the wait if it is interrupted. Only the
   * stager interrupts a partition's thread, when the run already fails or stops for another
   * reason: a runtime failure (exit 1, retried by {@code sync --watch}), not a bug (exit 4) and
   * not a stop request (which {@link io.arexport.Cancellation} carries).
   */
  T take(String what) {
    try {
      while (true) {
        T item = queue.poll(OFFER_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        if (item != null) {
          return item;
        }
        Throwable failure = unqueuedFailure;
        if (failure != null && queue.isEmpty()) {
          throw rethrow(failure);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeFailureException("interrupted while " + what, e);
    }
  }

  /**
   * Called by the reading thread when it could not queue its failure: the consumer rethrows
   * {@code failure} once it has taken what was queued. Allocates nothing.
   */
  void failUnqueued(Throwable failure) {
    unqueuedFailure = failure;
  }

  /**
   * Rethrows, on the consumer's thread, what the reading thread failed with, as it was thrown: a
   * {@link RuntimeException} or an {@link Error} such as {@link OutOfMemoryError}, so the command
   * reports the failure itself and not a wrapper of it.
   */
  static RuntimeException rethrow(Throwable failure) {
    if (failure instanceof Error error) {
      throw error;
    }
    throw (RuntimeException) failure;
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
