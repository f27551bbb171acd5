package io.arexport.iceberg;

import io.arexport.ArexportException;

/**
 * The maintenance of at least one table failed; the others' ran. Carries the summary of the
 * whole run, so the command still reports what was done, and takes its kind (and so the exit
 * status) and its message from the first table's failure.
 */
public final class MaintenanceFailedException extends ArexportException {
  private static final long serialVersionUID = 1L;

  private final transient MaintainSummary summary;
  private final Kind kind;

  MaintenanceFailedException(MaintainSummary summary, ArexportException first) {
    super(message(summary, first), first);
    this.summary = summary;
    this.kind = first.kind();
  }

  private static String message(MaintainSummary summary, ArexportException first) {
    int failed = summary.failedTables().size();
    return first.getMessage() + (failed > 1 ? " (and " + (failed - 1) + " more table"
        + (failed > 2 ? "s" : "") + " failed)" : "") + (summary.tables().isEmpty() ? ""
        : "; " + String.join(", ", summary.tables().stream().map(MaintainSummary.Table::table)
            .toList()) + " maintained");
  }

  /** What the run did, failed tables included. */
  public MaintainSummary summary() {
    return summary;
  }

  @Override
  public Kind kind() {
    return kind;
  }
}
