package io.arexport.verify;

/** Receives verify's results as they are found, so nothing accumulates in memory. */
public interface VerifyListener {
  VerifyListener NONE = new VerifyListener() {};

  /** A table-partition was compared (whether or not it matched). */
  default void checked(PartitionCheck check) {}

  /** Something was found: a difference or a note. */
  default void found(Finding finding) {}
}
