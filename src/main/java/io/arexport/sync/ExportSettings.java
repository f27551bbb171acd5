package io.arexport.sync;

import java.util.ArrayList;
import java.util.List;

/**
 * The settings a sync record's heights were exported with: the L1 flags, which decide what rows
 * those heights hold, and the height partition size, which decides where the partition that
 * holds the highest height ends (see {@link SyncPlan}). A later sync with other settings would
 * mix rows, or misread which partition is the partial tip and report an unfilled gap as "up to
 * date".
 *
 * @param heightPartitionSize the partition size; {@link #UNRECORDED} in a record written before
 *     the size was recorded, which any size matches
 */
public record ExportSettings(boolean includeL1Transactions, boolean includeL1Tags,
    long heightPartitionSize) {
  /** The partition size of a record written before it was recorded. */
  public static final long UNRECORDED = 0;

  /** The settings as a record stores them: {@code heightPartitionSize} null when unrecorded. */
  public static ExportSettings stored(boolean includeL1Transactions, boolean includeL1Tags,
      Long heightPartitionSize) {
    return new ExportSettings(includeL1Transactions, includeL1Tags,
        heightPartitionSize == null ? UNRECORDED : heightPartitionSize);
  }

  /** The partition size as a record stores it: null when unrecorded. */
  public Long storedPartitionSize() {
    return heightPartitionSize == UNRECORDED ? null : heightPartitionSize;
  }

  /** Whether a run with {@code run}'s settings may continue the heights recorded with these. */
  boolean admits(ExportSettings run) {
    return differences(run).isEmpty();
  }

  /**
   * What these settings are where {@code run}'s differ, as command-line options, each with the
   * run's in parentheses: e.g. "--includeL1Transactions --includeL1Tags (this run: no L1
   * flags)"; empty when they {@link #admits admit} it.
   */
  public String differences(ExportSettings run) {
    List<String> differences = new ArrayList<>();
    if (includeL1Transactions != run.includeL1Transactions || includeL1Tags != run.includeL1Tags) {
      differences.add(flags() + " (this run: " + run.flags() + ")");
    }
    if (heightPartitionSize != UNRECORDED && heightPartitionSize != run.heightPartitionSize) {
      differences.add("--heightPartitionSize " + heightPartitionSize + " (this run: "
          + run.heightPartitionSize + ")");
    }
    return String.join(" and ", differences);
  }

  /** The L1 flags as command-line options, e.g. "--includeL1Transactions", or "no L1 flags". */
  private String flags() {
    if (!includeL1Transactions && !includeL1Tags) {
      return "no L1 flags";
    }
    return ((includeL1Transactions ? "--includeL1Transactions " : "")
        + (includeL1Tags ? "--includeL1Tags" : "")).trim();
  }
}
