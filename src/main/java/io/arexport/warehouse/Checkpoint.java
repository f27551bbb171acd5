package io.arexport.warehouse;

/**
 * A job's progress: every partition up to and including {@code lastCompletedHeight} is in the
 * warehouse. Starts at {@code startHeight - 1}.
 *
 * <p>A checkpoint read back is checked like one made: a height outside the job's range or inside
 * a partition would make {@code --resume} skip heights (or call a job done that is not), so such
 * a file is refused as unreadable (exit 3 at resume; {@code status} reports the job's problem).
 */
public record Checkpoint(int formatVersion, String jobId, JobParameters parameters,
    long lastCompletedHeight, String updatedAt) {
  public static final int FORMAT_VERSION = 1;

  public Checkpoint {
    if (formatVersion != FORMAT_VERSION) {
      throw new IllegalArgumentException("formatVersion " + formatVersion
          + " is not the one this arexport writes (" + FORMAT_VERSION + ")");
    }
    if (parameters == null) {
      throw new IllegalArgumentException("no parameters");
    }
    long start = parameters.startHeight();
    long end = parameters.endHeight();
    long size = parameters.heightPartitionSize();
    if (start < 0 || end < start || size < 1) {
      throw new IllegalArgumentException("parameters name no valid job: heights " + start + "-"
          + end + ", heightPartitionSize " + size);
    }
    // Partitions end at k*P-1 (or at the job's end): a checkpoint only ever stops there.
    boolean atPartitionEnd = lastCompletedHeight == start - 1 || lastCompletedHeight == end
        || Math.floorMod(lastCompletedHeight + 1, size) == 0;
    if (lastCompletedHeight < start - 1 || lastCompletedHeight > end || !atPartitionEnd) {
      throw new IllegalArgumentException("lastCompletedHeight " + lastCompletedHeight
          + " is not the end of a partition of the job's heights " + start + "-" + end
          + " (heightPartitionSize " + size + ")");
    }
  }

  Checkpoint advancedTo(long height, String now) {
    return new Checkpoint(formatVersion, jobId, parameters, height, now);
  }
}
