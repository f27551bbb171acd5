package io.arexport;

/**
 * Existing state (a checkpoint, a partition directory, a lock) conflicts with the request. Not
 * final: {@code WarehouseLockedException} is the one conflict that ends by itself.
 */
public class StateConflictException extends ArexportException {
  private static final long serialVersionUID = 1L;

  public StateConflictException(String message) {
    super(message, null);
  }

  public StateConflictException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Kind kind() {
    return Kind.STATE_CONFLICT;
  }
}
