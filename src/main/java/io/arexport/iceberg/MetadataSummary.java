package io.arexport.iceberg;

import io.arexport.ArexportException;
import java.util.List;
import java.util.Map;

/**
 * The result of {@code arexport metadata}, printed on stdout (text or {@code --json}).
 *
 * @param failedTables the tables whose commit failed (the run then exits non-zero, after
 *     printing this summary of what was committed)
 */
public record MetadataSummary(String warehouse, List<TableResult> tables,
    List<TableFailure> failedTables, long durationMillis) {

  /**
   * The summary of a run: returned when every table committed, else thrown inside a {@link
   * TablesFailedException} (the other tables' commits stand).
   */
  public static MetadataSummary of(String warehouse, List<TableResult> committed,
      Map<String, ArexportException> failed, long durationMillis) {
    MetadataSummary summary = new MetadataSummary(warehouse, List.copyOf(committed),
        TableFailure.of(failed), durationMillis);
    TableFailure.throwIfAny(summary, failed,
        committed.stream().map(TableResult::table).toList(), "committed");
    return summary;
  }
}
