package io.arexport.sync;

import io.arexport.Cancellation;
import java.time.Duration;

/** Waits between watch cycles; injected so tests run the loop without waiting. */
@FunctionalInterface
public interface Sleeper {
  /** Polls the stop request this often while sleeping: well inside GracefulStop's grace. */
  Duration POLL = Duration.ofMillis(100);

  /** The real clock's sleep, ending early once {@code cancellation} is requested. */
  Sleeper SYSTEM = (duration, cancellation) -> {
    long deadline = System.nanoTime() + duration.toNanos();
    try {
      while (!cancellation.requested()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        Thread.sleep(Math.min(left / 1_000_000 + 1, POLL.toMillis()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  };

  /** Sleeps {@code duration}, returning early once {@code cancellation} is requested. */
  void sleep(Duration duration, Cancellation cancellation);
}
