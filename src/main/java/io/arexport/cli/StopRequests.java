package io.arexport.cli;

import io.arexport.Cancellation;

/**
 * SIGINT/SIGTERM as a stop request, for the commands that can stop at safe points (export, sync,
 * verify). A command opts in by calling {@link #cooperate()}; for any other command (e.g. one with
 * its own shutdown hook) a signal ends the JVM as usual, with status 128 + signal.
 */
@FunctionalInterface
interface StopRequests {
  /** In-process runs: nothing ever asks to stop. */
  StopRequests NONE = () -> Cancellation.NONE;

  /**
   * Declares that the calling command polls the returned {@link Cancellation} at its safe points
   * and returns soon after a stop is requested; from then on a signal waits (bounded) for it to
   * return and the process exits with the status {@link ExitCodes} gives that return.
   */
  Cancellation cooperate();
}
