package io.arexport.iceberg;

import io.arexport.ArexportException;
import java.util.List;

/**
 * A run over several tables ({@code maintain}, {@code metadata}) in which at least one table
 * failed while the others' work stood. Carries the summary of the whole run, so the command
 * still reports what was done, and takes its kind (and so the exit status) and its message from
 * the first table's failure.
 */
public final class TablesFailedException extends ArexportException {
  private static final long serialVersionUID = 1L;

  private final transient Object summary;
  private final Kind kind;

  /**
   * @param done the tables whose part succeeded, for the message ("blocks, tags maintained")
   * @param verb what was done to them, e.g. "maintained"
   */
  TablesFailedException(Object summary, ArexportException first, int failed, List<String> done,
      String verb) {
    super(first.getMessage() + (failed > 1 ? " (and " + (failed - 1) + " more table"
        + (failed > 2 ? "s" : "") + " failed)" : "")
        + (done.isEmpty() ? "" : "; " + String.join(", ", done) + " " + verb), first);
    this.summary = summary;
    this.kind = first.kind();
  }

  /** What the run did, failed tables included. */
  public <T> T summary(Class<T> type) {
    return type.cast(summary);
  }

  @Override
  public Kind kind() {
    return kind;
  }
}
