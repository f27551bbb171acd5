package io.arexport.verify;

/** Receives verify's results as they are found, so nothing accumulates in memory. */
public interface VerifyListener {
  VerifyListener NONE = new VerifyListener() {};

  /**
   * The warehouse and the sources are open: the run has begun. Nothing is reported before it
   * (a run refused for bad input reports nothing), except findings made while opening them.
   */
  default void started() {}

  /** A table-partition was compared (whether or not it matched). */
  default void checked(PartitionCheck check) {}

  /** Something was found: a difference or a note. */
  default void found(Finding finding) {}
}
