package io.arexport;

/**
 * Base of the typed failures the core reports. Each subclass stands for one exit status, so the
 * command line maps them in one place and the core never knows about exit codes or picocli.
 */
public abstract class ArexportException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected ArexportException(String message, Throwable cause) {
    super(message, cause);
  }

  /** What kind of failure this is, which decides the exit status. */
  public abstract Kind kind();

  /** The failure kinds of the output contract (section 6). */
  public enum Kind {
    /** I/O, SQLite, Parquet or Iceberg failed while running. */
    RUNTIME,
    /** The operator gave a bad option, path or source database. */
    INVALID_INPUT,
    /** Existing state disagrees with the request: checkpoint mismatch, overlap, lock held. */
    STATE_CONFLICT,
    /** The operator stopped the run (SIGINT/SIGTERM); it stopped at a safe point. */
    STOPPED
  }
}
