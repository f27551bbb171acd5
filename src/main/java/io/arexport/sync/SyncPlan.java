package io.arexport.sync;

import com.fasterxml.jackson.annotation.JsonValue;
import io.arexport.HeightRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * What one sync cycle exports, computed from the warehouse's coverage and the source's stable
 * heights alone (no I/O, so every case is unit-tested).
 *
 * <p>The <em>frontier</em> is the highest height through which every partition is complete. The
 * highest covered height {@code b} ends a complete partition when {@code b + 1} is a multiple of
 * {@code P}; otherwise its partition is partial (the old tip) and the frontier is just below that
 * partition, so the new range starts there and re-exports the partial partition whole. The
 * <em>floor</em> is the lowest height the warehouse should hold: {@code --startHeight}, else its
 * lowest covered height, else (empty warehouse) the source's lowest stable height. The frontier
 * never reaches below the floor, so a warehouse that starts inside a partition stays that way.
 *
 * @param frontier the frontier before this cycle; empty for an empty warehouse
 * @param ranges the ranges to export, in order: gaps below the frontier (with {@code
 *     --fill-gaps}), then the new range from the frontier to the target; empty when up to date
 * @param target the highest height this cycle exports to: the source's stable tip, capped by
 *     {@code --endHeight}; empty when the source has no stable rows
 */
public record SyncPlan(OptionalLong frontier, List<Range> ranges, OptionalLong target) {

  /** One range to export and why. */
  public record Range(Kind kind, HeightRange heights) {}

  /** Why a range is exported; lower case in the sync summary's JSON ({@code runs[].kind}). */
  public enum Kind {
    /** An unfinished job left by an earlier run, resumed from its checkpoint. */
    RESUME,
    /** Missing partitions below the frontier ({@code --fill-gaps}). */
    GAP,
    /** From the frontier to the source's stable tip. */
    NEW;

    @JsonValue
    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  boolean upToDate() {
    return ranges.isEmpty();
  }

  /**
   * @param covered what the warehouse holds now
   * @param startHeight {@code --startHeight}, if given
   * @param endHeight {@code --endHeight}, if given
   * @param sourceLowest the source's lowest stable height, if it has rows
   * @param sourceTip the source's highest stable height, if it has rows
   */
  static SyncPlan compute(Coverage covered, OptionalLong startHeight,
      OptionalLong endHeight, OptionalLong sourceLowest, OptionalLong sourceTip,
      long partitionSize, boolean fillGaps) {
    OptionalLong floor = startHeight.isPresent() ? startHeight
        : covered.isEmpty() ? sourceLowest : covered.lowest();
    OptionalLong frontier = frontier(covered, floor, partitionSize);
    if (sourceTip.isEmpty() || floor.isEmpty()) {
      return new SyncPlan(frontier, List.of(), OptionalLong.empty());
    }
    long target = endHeight.isPresent()
        ? Math.min(endHeight.getAsLong(), sourceTip.getAsLong()) : sourceTip.getAsLong();
    long from = Math.max(frontier.isPresent() ? frontier.getAsLong() + 1 : floor.getAsLong(),
        floor.getAsLong());
    List<Range> ranges = new ArrayList<>();
    if (fillGaps && from > floor.getAsLong()) {
      long gapsEnd = Math.min(from - 1, target);
      if (gapsEnd >= floor.getAsLong()) {
        for (HeightRange gap : alignedGaps(covered, new HeightRange(floor.getAsLong(), gapsEnd),
            partitionSize)) {
          ranges.add(new Range(Kind.GAP, gap));
        }
      }
    }
    // Nothing new unless the source has heights above the highest covered one: re-exporting the
    // partial tip partition when the tip has not moved would write the same rows again.
    boolean grown = covered.isEmpty() || target > covered.highest().getAsLong();
    if (grown && from <= target) {
      ranges.add(new Range(Kind.NEW, new HeightRange(from, target)));
    }
    return new SyncPlan(frontier, List.copyOf(ranges), OptionalLong.of(target));
  }

  /** See the class comment; empty when nothing is covered at or above the floor. */
  static OptionalLong frontier(Coverage covered, OptionalLong floor, long partitionSize) {
    if (covered.isEmpty() || floor.isEmpty()) {
      return OptionalLong.empty();
    }
    long highest = covered.highest().getAsLong();
    if (highest < floor.getAsLong()) {
      return OptionalLong.empty();
    }
    long partitionStart = highest - Math.floorMod(highest, partitionSize);
    boolean completes = Math.floorMod(highest, partitionSize) == partitionSize - 1;
    if (completes) {
      return OptionalLong.of(highest);
    }
    long restart = Math.max(partitionStart, floor.getAsLong());
    return restart == 0 ? OptionalLong.empty() : OptionalLong.of(restart - 1);
  }

  /**
   * The uncovered heights of {@code within}, widened to whole aligned partitions (never below
   * {@code within}'s start nor above its end) and merged: a gap is filled by re-exporting the
   * partitions it touches, so the partition layout stays one directory per partition.
   */
  static List<HeightRange> alignedGaps(Coverage covered, HeightRange within, long partitionSize) {
    List<HeightRange> widened = new ArrayList<>();
    for (HeightRange gap : covered.gapsWithin(within)) {
      widened.add(new HeightRange(
          within.alignedPartitionAt(gap.start(), partitionSize).start(),
          within.alignedPartitionAt(gap.end(), partitionSize).end()));
    }
    return Coverage.of(widened).ranges();
  }
}
