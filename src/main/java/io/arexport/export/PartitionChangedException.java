package io.arexport.export;

import io.arexport.StateConflictException;

/**
 * Another writer committed to a partition while this run published its own version of it, so
 * this run's commit was refused (catalog mode: the validated overwrite lost the race). A state
 * conflict (exit 3) like any other for a one-shot run, but one that a new plan resolves: the
 * other writer's version is now what the tables hold, so {@code sync --watch} backs off and
 * plans its next cycle from that instead of exiting.
 */
public final class PartitionChangedException extends StateConflictException {
  private static final long serialVersionUID = 1L;

  private final String conflict;

  /**
   * @param conflict what happened, without advice (e.g. "partition 100-149 of table ns.blocks
   *     was changed by another writer while this run published it (...)")
   * @param advice what the operator does about it, appended to the message after ": "
   */
  public PartitionChangedException(String conflict, String advice, Throwable cause) {
    super(conflict + ": " + advice, cause);
    this.conflict = conflict;
  }

  /** The conflict without the advice, for a caller that gives its own. */
  public String conflict() {
    return conflict;
  }
}
