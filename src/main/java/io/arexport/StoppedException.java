package io.arexport;

/**
 * The run stopped at a safe point because the operator asked it to (SIGINT/SIGTERM): nothing
 * failed, the state on disk is consistent, and the run can be resumed.
 */
public final class StoppedException extends ArexportException {
  private static final long serialVersionUID = 1L;

  public StoppedException(String message) {
    super(message, null);
  }

  @Override
  public Kind kind() {
    return Kind.STOPPED;
  }
}
