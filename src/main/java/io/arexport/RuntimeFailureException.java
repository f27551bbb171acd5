package io.arexport;

/** I/O, SQLite, Parquet or Iceberg failed; rerunning (or resuming) may succeed. */
public final class RuntimeFailureException extends ArexportException {
  private static final long serialVersionUID = 1L;

  public RuntimeFailureException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Kind kind() {
    return Kind.RUNTIME;
  }
}
