package io.arexport.sync;

import io.arexport.HeightRange;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/**
 * The heights a warehouse holds, as sorted, merged, non-adjacent ranges: a height is covered when
 * every stable source row at it was exported (as the source was then), including heights without
 * rows. Adjacent ranges merge ({@code 0-999} and {@code 1000-1999} are {@code 0-1999}).
 */
public record Coverage(List<HeightRange> ranges) {
  public static final Coverage EMPTY = new Coverage(List.of());

  public Coverage {
    ranges = merge(ranges);
  }

  public static Coverage of(Collection<HeightRange> ranges) {
    return new Coverage(List.copyOf(ranges));
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  public OptionalLong lowest() {
    return ranges.isEmpty() ? OptionalLong.empty() : OptionalLong.of(ranges.get(0).start());
  }

  public OptionalLong highest() {
    return ranges.isEmpty() ? OptionalLong.empty()
        : OptionalLong.of(ranges.get(ranges.size() - 1).end());
  }

  public Coverage plus(HeightRange range) {
    List<HeightRange> all = new ArrayList<>(ranges);
    all.add(range);
    return new Coverage(all);
  }

  public Coverage plus(Coverage other) {
    List<HeightRange> all = new ArrayList<>(ranges);
    all.addAll(other.ranges);
    return new Coverage(all);
  }

  /** The covered heights below {@code height}. */
  public Coverage below(long height) {
    List<HeightRange> kept = new ArrayList<>();
    for (HeightRange range : ranges) {
      if (range.start() < height) {
        kept.add(new HeightRange(range.start(), Math.min(range.end(), height - 1)));
      }
    }
    return new Coverage(kept);
  }

  /** The heights of {@code within} that are not covered, in order. */
  List<HeightRange> gapsWithin(HeightRange within) {
    List<HeightRange> gaps = new ArrayList<>();
    long next = within.start();
    for (HeightRange range : ranges) {
      if (range.end() < next) {
        continue;
      }
      if (range.start() > within.end()) {
        break;
      }
      if (range.start() > next) {
        gaps.add(new HeightRange(next, range.start() - 1));
      }
      if (range.end() >= within.end()) {
        return gaps;
      }
      next = range.end() + 1;
    }
    gaps.add(new HeightRange(next, within.end()));
    return gaps;
  }

  /** The holes between the lowest and the highest covered height; none when empty. */
  public List<HeightRange> gaps() {
    if (ranges.isEmpty()) {
      return List.of();
    }
    return gapsWithin(new HeightRange(lowest().getAsLong(), highest().getAsLong()));
  }

  private static List<HeightRange> merge(List<HeightRange> input) {
    List<HeightRange> sorted = new ArrayList<>(input);
    sorted.sort(Comparator.comparingLong(HeightRange::start).thenComparingLong(HeightRange::end));
    List<HeightRange> merged = new ArrayList<>();
    for (HeightRange range : sorted) {
      if (!merged.isEmpty()) {
        HeightRange last = merged.get(merged.size() - 1);
        // end + 1 overflows only at Long.MAX_VALUE, where nothing can follow anyway.
        if (last.end() == Long.MAX_VALUE || range.start() <= last.end() + 1) {
          merged.set(merged.size() - 1,
              new HeightRange(last.start(), Math.max(last.end(), range.end())));
          continue;
        }
      }
      merged.add(range);
    }
    return List.copyOf(merged);
  }
}
