package io.arexport;

/** A bad option value, path, or source database: the operator must change the input. */
public final class InvalidInputException extends ArexportException {
  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(message, null);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Kind kind() {
    return Kind.INVALID_INPUT;
  }
}
