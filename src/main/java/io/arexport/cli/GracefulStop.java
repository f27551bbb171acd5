package io.arexport.cli;

import io.arexport.Cancellation;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import sun.misc.Signal;

/**
 * Graceful stop on SIGINT, SIGTERM and SIGHUP. When the running command has opted in
 * ({@link #cooperate()}: export, verify, sync), a signal requests a stop through the {@link
 * Cancellation} the command polls at its safe points; the command returns with the status {@link
 * ExitCodes} chose ({@link ExitCodes#STOPPED} for a stop; 0 if it happened to finish) and
 * {@link Main#main} exits with it. A command that reaches no safe point within {@link #GRACE} is
 * ended anyway, as is one given a second signal: that is no worse than a SIGKILL, which the commit
 * protocol survives (the checkpoint only advances after a partition is published). For a command
 * that has not opted in, a signal ends the JVM as it would by default: shutdown hooks run (serve's
 * closes its listener), status 128 + signal.
 *
 * <p>Why signal handlers and not a shutdown hook: once the JVM shuts down, every library's hooks
 * run at the same time as ours — Iceberg's terminates its worker pool, Hadoop closes its cached
 * file systems — so the partition being published at the stop request failed half-way instead of
 * finishing. With the handlers the JVM starts shutting down only after the command returned.
 * {@code sun.misc.Signal} is in the JDK's {@code jdk.unsupported} module, which exists to keep
 * such APIs available; a signal the JVM reserves or ignores (a job started with {@code nohup},
 * SIGINT of a background job) keeps the JVM's behaviour.
 *
 * <p>Only {@link Main#main} installs it; in-process runs ({@link Main#run}) never touch signals.
 */
final class GracefulStop implements StopRequests {
  /** Longest wait for a safe point: below the 10 s Docker and most supervisors allow by default. */
  static final Duration GRACE = Duration.ofSeconds(8);

  private static final String[] SIGNALS = {"INT", "TERM", "HUP"};

  /** What an operator needs to know after a stop that did not wait for a safe point. */
  private static final String CONSISTENT = "Published partitions and the checkpoint are"
      + " consistent: rerun the same command to continue (export with --resume; sync and verify"
      + " as they are)";

  private final PrintStream err;
  private final Duration grace;
  private final IntConsumer exit;
  private final IntConsumer halt;
  private final AtomicBoolean requested = new AtomicBoolean();
  private volatile boolean cooperating;
  private final CountDownLatch finished = new CountDownLatch(1);

  /**
   * @param exit ends the JVM running shutdown hooks ({@link Runtime#exit})
   * @param halt ends it at once ({@link Runtime#halt})
   */
  GracefulStop(PrintStream err, Duration grace, IntConsumer exit, IntConsumer halt) {
    this.err = err;
    this.grace = grace;
    this.exit = exit;
    this.halt = halt;
  }

  /**
   * Handles the stop signals from now on; call once, before the command starts. {@code exit} and
   * {@code halt} come from {@link Main#main}, the one place that ends the JVM.
   */
  static GracefulStop install(PrintStream err, Duration grace, IntConsumer exit,
      IntConsumer halt) {
    GracefulStop stop = new GracefulStop(err, grace, exit, halt);
    for (String name : SIGNALS) {
      try {
        Signal.handle(new Signal(name), signal -> stop.onSignal(signal.getNumber()));
      } catch (IllegalArgumentException e) {
        // Reserved here (e.g. under -Xrs): the JVM's own handling stays.
      }
    }
    return stop;
  }

  @Override
  public Cancellation cooperate() {
    cooperating = true;
    return requested::get;
  }

  /** The command returned; {@link System#exit} with its status follows. */
  void finished() {
    finished.countDown();
  }

  /**
   * A stop signal arrived (on a thread of its own). Returns when the command has returned (its
   * status is then {@link Main#main}'s to give) or when there is nothing to wait for.
   */
  void onSignal(int signalNumber) {
    if (finished.getCount() == 0) {
      return; // Main is exiting with the command's status already.
    }
    if (!cooperating) {
      exit.accept(128 + signalNumber);
      return;
    }
    if (!requested.compareAndSet(false, true)) {
      err.println("arexport: second stop request; exiting now. " + CONSISTENT);
      err.flush();
      halt.accept(ExitCodes.STOPPED);
      return;
    }
    err.println("arexport: stop requested; stopping at the next safe point (waiting at most "
        + grace.toSeconds() + " s)");
    err.flush();
    boolean done;
    try {
      done = finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      done = false;
    }
    if (!done) {
      err.println("arexport: no safe point reached within " + grace.toSeconds() + " s; exiting"
          + " now. " + CONSISTENT);
      err.flush();
      halt.accept(ExitCodes.STOPPED);
    }
  }
}
