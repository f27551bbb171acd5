package io.arexport.export;

import io.arexport.HeightRange;
import io.arexport.StateConflictException;
import io.arexport.export.PartitionPublisher.PublishedPartition;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * The aligned partitions a run still has to export, produced one at a time. A partition is worth
 * exporting when the source has rows in it or the warehouse has a partition directory in it (a
 * re-export must replace, or remove, what is there); runs of empty heights in between are skipped
 * with one indexed query instead of one query per empty partition, so even a range reaching
 * towards 2^63 costs only what its data costs. Nothing here is proportional to the range's size.
 */
final class PartitionPlan {
  private final HeightRange remaining;
  private final long partitionSize;
  private final LongFunction<OptionalLong> nextSourceHeight;
  private final List<PublishedPartition> published;
  private int dirCursor;
  private long cursor;
  private boolean finished;

  /**
   * @param remaining the heights still to export (from the checkpoint to the end of the range)
   * @param published the partitions the destination holds that overlap the argument
   * @param nextSourceHeight the lowest source height at or above the argument, if any
   */
  PartitionPlan(HeightRange remaining, long partitionSize,
      Function<HeightRange, List<PublishedPartition>> published,
      LongFunction<OptionalLong> nextSourceHeight) {
    this.remaining = remaining;
    this.partitionSize = partitionSize;
    this.nextSourceHeight = nextSourceHeight;
    this.published = published.apply(remaining).stream()
        .filter(p -> p.range().overlaps(remaining))
        .sorted(Comparator.comparingLong(p -> p.range().start()))
        .toList();
    this.cursor = remaining.start();
    checkNoOverlap();
  }

  /**
   * Stops before anything is written when an existing partition overlaps a partition of this run
   * without lying inside it (e.g. written with another heightPartitionSize): replacing it would
   * drop the rows it holds outside this run's partition.
   */
  private void checkNoOverlap() {
    for (PublishedPartition existing : published) {
      HeightRange dir = existing.range();
      HeightRange partition = remaining.alignedPartitionAt(
          Math.max(dir.start(), remaining.start()), partitionSize);
      if (!partition.contains(dir)) {
        throw new StateConflictException("existing partition " + existing.location()
            + " overlaps partition " + partition + " of this run without lying inside it"
            + " (exported with another heightPartitionSize, or this run's start or end height lies"
            + " inside it?)");
      }
    }
  }

  /** How many aligned partitions the remaining range spans (saturating). */
  long total() {
    return index(remaining.end());
  }

  /** The 1-based position of the partition holding {@code height} among {@link #total()}. */
  long index(long height) {
    long first = Math.floorDiv(remaining.start(), partitionSize);
    long count = Math.floorDiv(height, partitionSize) - first;
    return count == Long.MAX_VALUE ? Long.MAX_VALUE : count + 1;
  }

  /** The next partition to export, or null when the rest of the range is empty. */
  HeightRange next() {
    if (finished) {
      return null;
    }
    long height = lowest(nextSourceHeight.apply(cursor), nextWarehouseHeight());
    if (height < 0 || height > remaining.end()) {
      finished = true;
      return null;
    }
    HeightRange partition = remaining.alignedPartitionAt(height, partitionSize);
    if (partition.end() == remaining.end()) {
      finished = true;
    } else {
      cursor = partition.end() + 1;
    }
    return partition;
  }

  /** The lowest height at or above the cursor covered by a partition the destination holds. */
  private long nextWarehouseHeight() {
    // Partitions are sorted by start and the cursor only moves up: those ending below it stay
    // behind it, and among the rest the first one gives the lowest height.
    while (dirCursor < published.size() && published.get(dirCursor).range().end() < cursor) {
      dirCursor++;
    }
    return dirCursor < published.size()
        ? Math.max(published.get(dirCursor).range().start(), cursor)
        : -1;
  }

  private long lowest(OptionalLong source, long warehouse) {
    long fromSource = source.isPresent() ? Math.max(source.getAsLong(), cursor) : -1;
    if (fromSource < 0) {
      return warehouse;
    }
    return warehouse < 0 ? fromSource : Math.min(fromSource, warehouse);
  }
}
