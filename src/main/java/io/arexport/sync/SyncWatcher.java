package io.arexport.sync;

import io.arexport.ArexportException;
import io.arexport.Cancellation;
import io.arexport.StoppedException;
import io.arexport.export.PartitionChangedException;
import io.arexport.warehouse.WarehouseLockedException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * {@code sync --watch}: runs a sync cycle every {@code interval} until a stop is requested, for a
 * container or a systemd service.
 *
 * <ul>
 *   <li>A cycle starts {@code interval} after the previous one started (at once if that one took
 *       longer).
 *   <li>A runtime failure (exit-1 kind: I/O, SQLite busy or gone, disk full) is reported and the
 *       cycle retried after a backoff: {@code firstRetry}, doubling, at most {@code maxRetry}.
 *   <li>A held warehouse lock (another export or metadata run) is waited for: the cycle is
 *       retried every {@code lockPoll} and re-planned from the warehouse as the other run left it.
 *   <li>A commit race lost to another writer on a partition ({@link PartitionChangedException},
 *       catalog mode; the {@link Syncer} dropped the job) is reported and the cycle run again
 *       after {@code lockPoll}, doubling while races keep being lost, at most {@code interval}:
 *       the next cycle plans from the tables as the other writer left them, so its partitions
 *       count as exported and are not raced again.
 *   <li>A stop request (SIGINT/SIGTERM) ends the loop at a safe point: while sleeping at once,
 *       during an export at the export's next safe point. Both return normally: stopping is how
 *       a service ends, and the next start resumes the unfinished job.
 *   <li>Invalid input (exit 2), any other state conflict (exit 3: an overlapping partition, other
 *       L1 flags, a catalog table with another schema) and internal errors (exit 4) end the loop
 *       by propagating: retrying cannot fix them.
 * </ul>
 */
public final class SyncWatcher {
  /** What the loop tells its operator, one call per cycle outcome. */
  public interface Listener {
    void synced(SyncSummary summary, Duration nextIn);

    void failed(ArexportException failure, int consecutiveFailures, Duration retryIn);

    void waitingForLock(WarehouseLockedException held, Duration retryIn);

    void lostRace(PartitionChangedException race, int consecutiveRaces, Duration retryIn);

    void stopped(String where);

    /** The loop ends on {@code failure}, which retrying cannot fix; it propagates next. */
    default void gaveUp(ArexportException failure) {}
  }

  /** The loop's timing. */
  public record Policy(Duration interval, Duration firstRetry, Duration maxRetry,
      Duration lockPoll) {
    /** The defaults for {@code interval}: retries from 30 s up to 30 min or the interval. */
    public static Policy of(Duration interval) {
      Duration maxRetry = interval.compareTo(Duration.ofMinutes(30)) > 0
          ? interval : Duration.ofMinutes(30);
      Duration lockPoll = interval.compareTo(Duration.ofSeconds(30)) < 0
          ? interval : Duration.ofSeconds(30);
      return new Policy(interval, Duration.ofSeconds(30), maxRetry, lockPoll);
    }

    /** After lost commit races: {@code lockPoll}, doubling, at most the interval. */
    Duration replanAfter(int consecutiveRaces) {
      Duration cap = interval.compareTo(lockPoll) > 0 ? interval : lockPoll;
      Duration delay = lockPoll;
      for (int i = 1; i < consecutiveRaces && delay.compareTo(cap) < 0; i++) {
        delay = delay.multipliedBy(2);
      }
      return delay.compareTo(cap) > 0 ? cap : delay;
    }

    Duration retryAfter(int consecutiveFailures) {
      Duration delay = firstRetry;
      for (int i = 1; i < consecutiveFailures && delay.compareTo(maxRetry) < 0; i++) {
        delay = delay.multipliedBy(2);
      }
      return delay.compareTo(maxRetry) > 0 ? maxRetry : delay;
    }
  }

  private final Clock clock;
  private final Sleeper sleeper;
  private final Cancellation cancellation;
  private final Policy policy;
  private final Listener listener;

  public SyncWatcher(Clock clock, Sleeper sleeper, Cancellation cancellation, Policy policy,
      Listener listener) {
    this.clock = clock;
    this.sleeper = sleeper;
    this.cancellation = cancellation;
    this.policy = policy;
    this.listener = listener;
  }

  /** Runs {@code cycle} until a stop is requested; see the class comment for failures. */
  public void run(Supplier<SyncSummary> cycle) {
    int failures = 0;
    int races = 0;
    while (!cancellation.requested()) {
      Instant started = clock.instant();
      Duration wait;
      try {
        SyncSummary summary = cycle.get();
        failures = 0;
        races = 0;
        Duration elapsed = Duration.between(started, clock.instant());
        wait = elapsed.compareTo(policy.interval()) >= 0
            ? Duration.ZERO : policy.interval().minus(elapsed);
        listener.synced(summary, wait);
      } catch (StoppedException e) {
        listener.stopped(e.getMessage());
        return;
      } catch (WarehouseLockedException e) {
        wait = policy.lockPoll();
        listener.waitingForLock(e, wait);
      } catch (PartitionChangedException e) {
        races++;
        wait = policy.replanAfter(races);
        listener.lostRace(e, races, wait);
      } catch (ArexportException e) {
        if (e.kind() != ArexportException.Kind.RUNTIME) {
          listener.gaveUp(e);
          throw e;
        }
        failures++;
        wait = policy.retryAfter(failures);
        listener.failed(e, failures, wait);
      }
      if (!wait.isZero()) {
        sleeper.sleep(wait, cancellation);
      }
    }
    listener.stopped("between cycles");
  }
}
