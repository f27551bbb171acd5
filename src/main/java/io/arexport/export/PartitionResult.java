package io.arexport.export;

import io.arexport.HeightRange;
import java.util.Map;

/** What one partition contributed: per table rows, files and bytes. */
public record PartitionResult(HeightRange partition, Map<String, TableCounts> tables,
    long skippedDanglingTags) {

  /** Rows over all tables. */
  public long rows() {
    return tables.values().stream().mapToLong(TableCounts::rows).sum();
  }
}
