package io.arexport.cli;

import io.arexport.Cancellation;
import io.arexport.export.FaultPoints;
import java.io.PrintStream;
import java.util.Map;

/**
 * Test support: with {@code AREXPORT_FAULT_POINT=<point>[:<n>]} in the environment, the process
 * stops at the n-th time (default 1st) it reaches that point, prints a marker line on stderr and
 * waits, so a crash test can kill it with SIGKILL at an exact place in the protocol. A stop
 * request (SIGTERM/SIGINT) ends the wait, so the run then stops at its next safe point.
 */
final class PausingFaultPoints implements FaultPoints {
  static final String VARIABLE = "AREXPORT_FAULT_POINT";

  private final String point;
  private final int occurrence;
  private final PrintStream err;
  private final Cancellation cancellation;
  private int seen;

  private PausingFaultPoints(String point, int occurrence, PrintStream err,
      Cancellation cancellation) {
    this.point = point;
    this.occurrence = occurrence;
    this.err = err;
    this.cancellation = cancellation;
  }

  static FaultPoints fromEnvironment(Map<String, String> env, PrintStream err) {
    return fromEnvironment(env, err, Cancellation.NONE);
  }

  static FaultPoints fromEnvironment(Map<String, String> env, PrintStream err,
      Cancellation cancellation) {
    String spec = env.get(VARIABLE);
    if (spec == null || spec.isBlank()) {
      return FaultPoints.NONE;
    }
    int colon = spec.indexOf(':');
    String point = colon < 0 ? spec : spec.substring(0, colon);
    int occurrence = colon < 0 ? 1 : Integer.parseInt(spec.substring(colon + 1));
    return new PausingFaultPoints(point, occurrence, err, cancellation);
  }

  @Override
  public void reached(String reached) {
    if (!reached.equals(point) || ++seen != occurrence) {
      return;
    }
    err.println("arexport: fault point " + point + ":" + occurrence + " reached, waiting to be"
        + " killed");
    err.flush();
    try {
      while (!cancellation.requested()) {
        Thread.sleep(20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
