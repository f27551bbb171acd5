package io.arexport.verify;

import java.util.Map;

/**
 * The outcome of a verification.
 *
 * @param tables per table: partitions compared, rows expected and found, files read
 * @param differences findings that fail the verification
 * @param notes findings that do not
 */
public record VerifySummary(Map<String, TableTotals> tables, long differences, long notes,
    long durationMillis) {

  /** True when the warehouse matches the source: no difference at all. */
  public boolean ok() {
    return differences == 0;
  }

  /**
   * Totals of one table.
   *
   * @param partitions partition directories compared
   * @param missingPartitions partitions the source has rows for and the warehouse has no
   *     directory of (each also a {@code missing-partition} difference)
   */
  public record TableTotals(long partitions, long partitionsMatching, long expectedRows,
      long foundRows, long files, long missingPartitions) {
    static final TableTotals ZERO = new TableTotals(0, 0, 0, 0, 0, 0);

    TableTotals plus(PartitionCheck check) {
      return new TableTotals(partitions + (check.directory() ? 1 : 0),
          partitionsMatching + (check.directory() && check.matches() ? 1 : 0),
          expectedRows + check.expectedRows(), foundRows + check.foundRows(),
          files + check.files(),
          missingPartitions + (!check.directory() && check.expectedRows() > 0 ? 1 : 0));
    }
  }
}
