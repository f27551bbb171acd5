package io.arexport;

import java.util.ArrayList;
import java.util.List;

/** An inclusive range of block heights, {@code [start, end]}. */
public record HeightRange(long start, long end) {

  public HeightRange {
    if (start < 0) {
      throw new InvalidInputException("height must not be negative: " + start);
    }
    if (start > end) {
      throw new InvalidInputException(
          "startHeight " + start + " is greater than endHeight " + end);
    }
  }

  public boolean contains(long height) {
    return height >= start && height <= end;
  }

  public boolean contains(HeightRange other) {
    return other.start >= start && other.end <= end;
  }

  public boolean overlaps(HeightRange other) {
    return other.start <= end && other.end >= start;
  }

  /** Number of heights in the range, saturating at {@link Long#MAX_VALUE}. */
  public long size() {
    long size = end - start + 1;
    return size <= 0 ? Long.MAX_VALUE : size;
  }

  /**
   * The partitions of this range when partitions are aligned to multiples of {@code partitionSize}:
   * partition k covers {@code [k*P, k*P+P-1]} intersected with this range.
   */
  public List<HeightRange> alignedPartitions(long partitionSize) {
    List<HeightRange> partitions = new ArrayList<>();
    long from = start;
    while (true) {
      HeightRange partition = alignedPartitionAt(from, partitionSize);
      partitions.add(partition);
      if (partition.end == end) {
        return partitions;
      }
      from = partition.end + 1;
    }
  }

  /** The aligned partition of this range that holds {@code height}. */
  public HeightRange alignedPartitionAt(long height, long partitionSize) {
    if (partitionSize <= 0) {
      throw new InvalidInputException("heightPartitionSize must be at least 1: " + partitionSize);
    }
    long alignedStart = height - Math.floorMod(height, partitionSize);
    // Guard the last partition below Long.MAX_VALUE against overflow.
    long alignedEnd =
        alignedStart > Long.MAX_VALUE - (partitionSize - 1)
            ? Long.MAX_VALUE
            : alignedStart + partitionSize - 1;
    return new HeightRange(Math.max(alignedStart, start), Math.min(alignedEnd, end));
  }

  /** The partition directory name, {@code height=S-E}. */
  public String directoryName() {
    return "height=" + start + "-" + end;
  }

  /**
   * Parses {@code height=S-E}; returns null when the name is not a partition directory name.
   * Only the canonical spelling {@link #directoryName()} gives is one: {@code height=01-5} or
   * {@code height=+1-5} would otherwise name the same range as {@code height=1-5}, and two
   * directories of one range would collapse into one, the other's rows unseen.
   */
  public static HeightRange parseDirectoryName(String name) {
    if (!name.startsWith("height=")) {
      return null;
    }
    String body = name.substring("height=".length());
    int dash = body.indexOf('-');
    if (dash <= 0) {
      return null;
    }
    try {
      long s = Long.parseLong(body.substring(0, dash));
      long e = Long.parseLong(body.substring(dash + 1));
      if (s < 0 || s > e) {
        return null;
      }
      HeightRange range = new HeightRange(s, e);
      return range.directoryName().equals(name) ? range : null;
    } catch (NumberFormatException ex) {
      return null;
    }
  }

  @Override
  public String toString() {
    return start + "-" + end;
  }
}
