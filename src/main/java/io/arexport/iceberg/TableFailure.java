package io.arexport.iceberg;

import io.arexport.ArexportException;
import java.util.List;
import java.util.Map;

/**
 * A table whose part of a {@code maintain} or {@code metadata} run failed, and why: the {@code
 * failedTables} entries of their summaries.
 */
public record TableFailure(String table, String error) {
  static List<TableFailure> of(Map<String, ArexportException> failed) {
    return failed.entrySet().stream()
        .map(f -> new TableFailure(f.getKey(), f.getValue().getMessage())).toList();
  }

  /** Throws {@code summary} in a {@link TablesFailedException} when a table failed. */
  static void throwIfAny(Object summary, Map<String, ArexportException> failed,
      List<String> done, String verb) {
    if (!failed.isEmpty()) {
      throw new TablesFailedException(summary, failed.values().iterator().next(), failed.size(),
          done, verb);
    }
  }
}
