package io.arexport.export;

import io.arexport.HeightRange;
import io.arexport.StateConflictException;
import io.arexport.schema.ExportTable;
import io.arexport.warehouse.WarehouseLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
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
  private final List<HeightRange> warehouseDirs;
  private int dirCursor;
  private long cursor;
  private boolean finished;

  /**
   * @param remaining the heights still to export (from the checkpoint to the end of the range)
   * @param nextSourceHeight the lowest source height at or above the argument, if any
   */
  PartitionPlan(HeightRange remaining, long partitionSize, WarehouseLayout layout,
      LongFunction<OptionalLong> nextSourceHeight) {
    this.remaining = remaining;
    this.partitionSize = partitionSize;
    this.nextSourceHeight = nextSourceHeight;
    List<HeightRange> dirs = new ArrayList<>();
    for (ExportTable table : ExportTable.values()) {
      for (Map.Entry<HeightRange, Path> dir : layout.partitionDirs(table).entrySet()) {
        if (dir.getKey().overlaps(remaining)) {
          dirs.add(dir.getKey());
        }
      }
    }
    dirs.sort(Comparator.comparingLong(HeightRange::start));
    this.warehouseDirs = dirs;
    this.cursor = remaining.start();
    checkNoOverlap(layout);
  }

  /**
   * Stops before anything is written when an existing partition directory overlaps a partition of
   * this run without lying inside it (e.g. written with another heightPartitionSize): replacing it
   * would drop the rows it holds outside this run's partition.
   */
  private void checkNoOverlap(WarehouseLayout layout) {
    for (ExportTable table : ExportTable.values()) {
      for (Map.Entry<HeightRange, Path> existing : layout.partitionDirs(table).entrySet()) {
        HeightRange dir = existing.getKey();
        if (!dir.overlaps(remaining)) {
          continue;
        }
        HeightRange partition = remaining.alignedPartitionAt(
            Math.max(dir.start(), remaining.start()), partitionSize);
        if (!partition.contains(dir)) {
          throw new StateConflictException("existing partition " + existing.getValue()
              + " overlaps partition " + partition + " of this run without lying inside it"
              + " (exported with a different heightPartitionSize or range?)");
        }
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

  /** The lowest height at or above the cursor covered by an existing partition directory. */
  private long nextWarehouseHeight() {
    // Directories are sorted by start and the cursor only moves up: those ending below it stay
    // behind it, and among the rest the first one gives the lowest height.
    while (dirCursor < warehouseDirs.size() && warehouseDirs.get(dirCursor).end() < cursor) {
      dirCursor++;
    }
    return dirCursor < warehouseDirs.size()
        ? Math.max(warehouseDirs.get(dirCursor).start(), cursor)
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
