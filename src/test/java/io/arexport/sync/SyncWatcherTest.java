package io.arexport.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arexport.ArexportException;
import io.arexport.InvalidInputException;
import io.arexport.RuntimeFailureException;
import io.arexport.StateConflictException;
import io.arexport.StoppedException;
import io.arexport.export.PartitionChangedException;
import io.arexport.warehouse.WarehouseLockedException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The --watch loop with a scripted cycle, a fake clock and a sleeper that only records: cadence,
 * backoff on runtime failures, waiting on a held lock, stops, and the failures that end it.
 */
class SyncWatcherTest {
  private static final Duration INTERVAL = Duration.ofMinutes(10);

  /** A clock the test moves: cycles take time, sleeps pass time. */
  private static final class FakeTime {
    Instant now = Instant.parse("2026-12-01T00:00:00Z");
    final List<Duration> sleeps = new ArrayList<>();

    Clock clock() {
      return new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };
    }

    Sleeper sleeper() {
      return (duration, cancellation) -> {
        sleeps.add(duration);
        now = now.plus(duration);
      };
    }
  }

  private static SyncSummary summary(String outcome) {
    return new SyncSummary(outcome, "t", 0L, 10L, 10L, null, null, 10L, List.of(), 0, Map.of(),
        0, false, 0, "w");
  }

  /** A cycle that takes {@code took} and then yields the next scripted outcome. */
  private static Supplier<SyncSummary> script(FakeTime time, AtomicBoolean stop, Duration took,
      Object... outcomes) {
    Deque<Object> left = new ArrayDeque<>(List.of(outcomes));
    return () -> {
      time.now = time.now.plus(took);
      Object next = left.poll();
      if (left.isEmpty()) {
        stop.set(true);
      }
      if (next instanceof RuntimeException e) {
        throw e;
      }
      return (SyncSummary) next;
    };
  }

  private static final class Recorder implements SyncWatcher.Listener {
    final List<String> events = new ArrayList<>();

    @Override
    public void synced(SyncSummary summary, Duration nextIn) {
      events.add("synced " + summary.outcome() + " next " + nextIn);
    }

    @Override
    public void failed(ArexportException failure, int consecutive, Duration retryIn) {
      events.add("failed " + consecutive + " retry " + retryIn);
    }

    @Override
    public void waitingForLock(WarehouseLockedException held, Duration retryIn) {
      events.add("locked retry " + retryIn);
    }

    @Override
    public void lostRace(PartitionChangedException race, int consecutive, Duration retryIn) {
      events.add("lost race " + consecutive + " replan " + retryIn);
    }

    @Override
    public void stopped(String where) {
      events.add("stopped " + where);
    }

    @Override
    public void gaveUp(ArexportException failure) {
      events.add("gave up: " + failure.getMessage());
    }
  }

  @Test
  void aLostCommitRaceBacksOffAndReplansAndOneShotConflictsStillEndTheLoop() {
    FakeTime time = new FakeTime();
    AtomicBoolean stop = new AtomicBoolean();
    Recorder events = new Recorder();
    PartitionChangedException race = new PartitionChangedException("partition 100-149 of table"
        + " default.tags was changed by another writer while this run published it", "re-plan",
        null);
    // Two races in a row (the other writer still ahead), a cycle that syncs, one race more:
    // lockPoll (30 s), doubled, then after the success lockPoll again; capped at the interval.
    new SyncWatcher(time.clock(), time.sleeper(), stop::get, SyncWatcher.Policy.of(INTERVAL),
        events).run(script(time, stop, Duration.ZERO, race, race, race, race, race, race,
            summary(SyncSummary.SYNCED), race, summary(SyncSummary.UP_TO_DATE)));

    assertThat(events.events).containsExactly("lost race 1 replan PT30S",
        "lost race 2 replan PT1M", "lost race 3 replan PT2M", "lost race 4 replan PT4M",
        "lost race 5 replan PT8M", "lost race 6 replan PT10M", "synced synced next PT10M",
        "lost race 1 replan PT30S", "synced up-to-date next PT10M", "stopped between cycles");
    assertThat(time.sleeps).containsExactly(Duration.ofSeconds(30), Duration.ofMinutes(1),
        Duration.ofMinutes(2), Duration.ofMinutes(4), Duration.ofMinutes(8), INTERVAL, INTERVAL,
        Duration.ofSeconds(30), INTERVAL);
    // It is still a state conflict (exit 3) for every caller that is not the watcher.
    assertThat(race).isInstanceOf(StateConflictException.class);
    assertThat(race.kind()).isEqualTo(ArexportException.Kind.STATE_CONFLICT);
  }

  @Test
  void cyclesStartAnIntervalApartAndALongCycleIsFollowedAtOnce() {
    FakeTime time = new FakeTime();
    AtomicBoolean stop = new AtomicBoolean();
    Recorder events = new Recorder();
    SyncWatcher watcher = new SyncWatcher(time.clock(), time.sleeper(), stop::get,
        SyncWatcher.Policy.of(INTERVAL), events);

    // 1 min, then 15 min (longer than the interval), then 2 min.
    Deque<Duration> durations = new ArrayDeque<>(List.of(Duration.ofMinutes(1),
        Duration.ofMinutes(15), Duration.ofMinutes(2)));
    watcher.run(() -> {
      time.now = time.now.plus(durations.poll());
      if (durations.isEmpty()) {
        stop.set(true);
      }
      return summary(SyncSummary.SYNCED);
    });

    assertThat(time.sleeps).containsExactly(Duration.ofMinutes(9), Duration.ofMinutes(8));
    assertThat(events.events).containsExactly("synced synced next PT9M",
        "synced synced next PT0S", "synced synced next PT8M", "stopped between cycles");
  }

  @Test
  void runtimeFailuresBackOffExponentiallyUpToTheCapAndResetAfterSuccess() {
    FakeTime time = new FakeTime();
    AtomicBoolean stop = new AtomicBoolean();
    Recorder events = new Recorder();
    SyncWatcher.Policy policy = new SyncWatcher.Policy(INTERVAL, Duration.ofSeconds(30),
        Duration.ofMinutes(3), Duration.ofSeconds(30));
    RuntimeFailureException busy = new RuntimeFailureException("coreDb: database is locked", null);
    new SyncWatcher(time.clock(), time.sleeper(), stop::get, policy, events).run(script(time,
        stop, Duration.ZERO, busy, busy, busy, busy, busy, summary(SyncSummary.UP_TO_DATE), busy));

    assertThat(time.sleeps).containsExactly(Duration.ofSeconds(30), Duration.ofMinutes(1),
        Duration.ofMinutes(2), Duration.ofMinutes(3), Duration.ofMinutes(3), INTERVAL,
        Duration.ofSeconds(30));
    assertThat(events.events).startsWith("failed 1 retry PT30S", "failed 2 retry PT1M")
        .contains("synced up-to-date next PT10M", "failed 1 retry PT30S");
  }

  @Test
  void aHeldLockIsWaitedForAndThenTheCycleRuns() {
    FakeTime time = new FakeTime();
    AtomicBoolean stop = new AtomicBoolean();
    Recorder events = new Recorder();
    WarehouseLockedException held = new WarehouseLockedException("warehouse w is locked by x");
    new SyncWatcher(time.clock(), time.sleeper(), stop::get, SyncWatcher.Policy.of(INTERVAL),
        events).run(script(time, stop, Duration.ZERO, held, held, summary(SyncSummary.SYNCED)));

    assertThat(events.events).containsExactly("locked retry PT30S", "locked retry PT30S",
        "synced synced next PT10M", "stopped between cycles");
  }

  @Test
  void invalidInputOtherConflictsAndInternalErrorsEndTheLoop() {
    for (RuntimeException fatal : List.of(new InvalidInputException("coreDb not found"),
        new StateConflictException("existing partition overlaps"),
        new IllegalStateException("bug"))) {
      FakeTime time = new FakeTime();
      AtomicBoolean stop = new AtomicBoolean();
      Recorder events = new Recorder();
      SyncWatcher watcher = new SyncWatcher(time.clock(), time.sleeper(), stop::get,
          SyncWatcher.Policy.of(INTERVAL), events);
      assertThatThrownBy(() -> watcher.run(script(time, new AtomicBoolean(), Duration.ZERO,
          summary(SyncSummary.SYNCED), fatal, summary(SyncSummary.SYNCED))))
          .isSameAs(fatal);
      // A JSON consumer gets a last line saying why (an internal error is no report of ours).
      assertThat(events.events).containsExactlyElementsOf(fatal instanceof ArexportException
          ? List.of("synced synced next PT10M", "gave up: " + fatal.getMessage())
          : List.of("synced synced next PT10M"));
    }
  }

  @Test
  void aStopDuringACycleEndsTheLoopNormally() {
    FakeTime time = new FakeTime();
    Recorder events = new Recorder();
    AtomicBoolean stop = new AtomicBoolean();
    new SyncWatcher(time.clock(), time.sleeper(), stop::get, SyncWatcher.Policy.of(INTERVAL),
        events).run(script(time, new AtomicBoolean(), Duration.ZERO,
            new StoppedException("stopped on request while writing tags"),
            summary(SyncSummary.SYNCED)));
    assertThat(events.events).containsExactly(
        "stopped stopped on request while writing tags");
    assertThat(time.sleeps).isEmpty();
  }

  @Test
  void theSystemSleeperReturnsSoonAfterAStopRequest() {
    AtomicBoolean stop = new AtomicBoolean();
    Thread stopper = new Thread(() -> {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
      stop.set(true);
    });
    stopper.start();
    long started = System.nanoTime();
    Sleeper.SYSTEM.sleep(Duration.ofHours(1), stop::get);
    // Returned at all (not after an hour): the stop ended the sleep.
    assertThat(stop.get()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMinutes(1));
  }
}
