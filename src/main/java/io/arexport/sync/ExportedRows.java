package io.arexport.sync;

/**
 * Which optional rows an export includes: the L1 flags. Heights exported with other flags hold
 * other rows, so coverage recorded under one setting says nothing about another.
 */
public record ExportedRows(boolean includeL1Transactions, boolean includeL1Tags) {
  /** The flags as command-line options, e.g. "--includeL1Transactions", or "no L1 flags". */
  public String describe() {
    if (!includeL1Transactions && !includeL1Tags) {
      return "no L1 flags";
    }
    return ((includeL1Transactions ? "--includeL1Transactions " : "")
        + (includeL1Tags ? "--includeL1Tags" : "")).trim();
  }
}
