package io.arexport.cli;

import io.arexport.Cancellation;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Graceful stop on SIGINT and SIGTERM (and SIGHUP: whatever makes the JVM shut down while a
 * command runs). The JVM runs shutdown hooks on those signals; when the running command has
 * opted in ({@link #cooperate()}: export, verify, sync), this hook requests a stop through the {@link
 * Cancellation} the command polls at its safe points, waits (at most {@link #GRACE}) for the
 * command to return, and then ends the process with the status {@link ExitCodes} chose for that
 * return ({@link ExitCodes#STOPPED} for a stop; 0 if the command happened to finish). A command
 * that reaches no safe point in time is ended anyway: that is no worse than a SIGKILL, which the
 * commit protocol survives (the checkpoint only advances after a partition is published). For a
 * command that has not opted in the hook does nothing, so the JVM shuts down as usual (other
 * hooks run, status 128 + signal).
 *
 * <p>Only {@link Main#main} installs it; in-process runs ({@link Main#run}) never touch the JVM's
 * hooks.
 */
final class GracefulStop implements StopRequests {
  /** Longest wait for a safe point: below the 10 s Docker and most supervisors allow by default. */
  static final Duration GRACE = Duration.ofSeconds(8);

  private final PrintStream err;
  private final Duration grace;
  private final AtomicBoolean requested = new AtomicBoolean();
  private volatile boolean cooperating;
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile int status = ExitCodes.STOPPED;

  GracefulStop(PrintStream err, Duration grace) {
    this.err = err;
    this.grace = grace;
  }

  /** Registers the shutdown hook; call once, before the command starts. */
  static GracefulStop install(PrintStream err, Duration grace) {
    GracefulStop stop = new GracefulStop(err, grace);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::onShutdown, "arexport-graceful-stop"));
    return stop;
  }

  @Override
  public Cancellation cooperate() {
    cooperating = true;
    return requested::get;
  }

  /** The command returned {@code exitStatus}; {@link System#exit} follows. */
  void finished(int exitStatus) {
    status = exitStatus;
    finished.countDown();
  }

  /** The hook's body (package-private for tests of the paths that do not halt). */
  void onShutdown() {
    if (finished.getCount() == 0 || !cooperating) {
      return; // The ordinary System.exit after the command returned, or a command without stops.
    }
    requested.set(true);
    err.println("arexport: stop requested; stopping at the next safe point (waiting at most "
        + grace.toSeconds() + " s)");
    err.flush();
    boolean done;
    try {
      done = finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      done = false;
    }
    if (!done) {
      err.println("arexport: no safe point reached within " + grace.toSeconds() + " s; exiting"
          + " now. Published partitions and the checkpoint are consistent: an export continues"
          + " with the same command and --resume");
    }
    System.out.flush();
    err.flush();
    // Runtime.exit would block in a shutdown hook; halt ends the process with our status instead
    // of the JVM's 128+signal. The command has returned, so no file is left half-written.
    Runtime.getRuntime().halt(done ? status : ExitCodes.STOPPED);
  }
}
