package io.arexport;

/**
 * Tells long-running work that the operator asked it to stop (SIGINT/SIGTERM). The work polls
 * {@link #requested()} at its safe points, the places where stopping leaves every file and the
 * checkpoint consistent, and stops there by throwing {@link StoppedException}.
 */
@FunctionalInterface
public interface Cancellation {
  /** Never requested: for runs that cannot be stopped by a signal (in-process calls, tests). */
  Cancellation NONE = () -> false;

  /** True once a stop was requested; stays true. Cheap enough to call for every row. */
  boolean requested();

  /** Throws {@link StoppedException} with {@code where} in its message when a stop was requested. */
  default void stopIfRequested(String where) {
    if (requested()) {
      throw new StoppedException("stopped on request " + where);
    }
  }
}
