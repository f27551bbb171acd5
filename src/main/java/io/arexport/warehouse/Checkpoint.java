package io.arexport.warehouse;

/**
 * A job's progress: every partition up to and including {@code lastCompletedHeight} is in the
 * warehouse. Starts at {@code startHeight - 1}.
 */
public record Checkpoint(int formatVersion, String jobId, JobParameters parameters,
    long lastCompletedHeight, String updatedAt) {
  public static final int FORMAT_VERSION = 1;

  public Checkpoint advancedTo(long height, String now) {
    return new Checkpoint(formatVersion, jobId, parameters, height, now);
  }
}
