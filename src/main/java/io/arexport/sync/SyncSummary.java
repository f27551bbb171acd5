package io.arexport.sync;

import io.arexport.export.TableCounts;
import java.util.List;
import java.util.Map;

/**
 * What one sync cycle did, printed on stdout (a line of text, or {@code --json}; the keys are
 * documented in docs/operations.md and are an interface).
 *
 * @param outcome {@code "synced"} when something was exported, {@code "up-to-date"} when there was
 *     nothing new (and nothing was written)
 * @param sourceLowest the source's lowest stable height (null: no stable rows)
 * @param sourceTip the source's highest stable height (null: no stable rows)
 * @param target the highest height this cycle exports to: the tip, capped by --endHeight
 * @param frontierBefore the frontier before the cycle (null: the warehouse was empty)
 * @param highestBefore the highest height the warehouse held before the cycle
 * @param highestAfter the highest height it holds after the cycle
 * @param runs the exports the cycle ran, in order
 * @param partitions partitions exported over all runs
 */
public record SyncSummary(
    String outcome,
    String startedAt,
    Long sourceLowest,
    Long sourceTip,
    Long target,
    Long frontierBefore,
    Long highestBefore,
    Long highestAfter,
    List<Run> runs,
    long partitions,
    Map<String, TableCounts> tables,
    long skippedDanglingTags,
    boolean icebergCommitted,
    long durationMillis,
    String warehouse) {

  public static final String SYNCED = "synced";
  public static final String UP_TO_DATE = "up-to-date";

  /**
   * One export of the cycle.
   *
   * @param kind why the range was exported
   */
  public record Run(SyncPlan.Kind kind, long startHeight, long endHeight, String jobId,
      boolean resumed, long partitions, long rows) {}
}
