package io.arexport.export;

import io.arexport.HeightRange;
import io.arexport.schema.ExportTable;
import java.nio.file.Path;

/** Receives an export's progress; the CLI turns it into stderr output. */
public interface ExportListener {
  ExportListener NONE = new ExportListener() {};

  /** A job starts (or resumes) with {@code partitions} partitions left to export. */
  default void jobStarted(String jobId, Path jobDir, boolean resumed, long partitions) {}

  /** {@code --resume} found no unfinished job with the same parameters; a new job starts. */
  default void noJobToResume(Path stagingDir) {}

  /**
   * {@code rows} rows of {@code table} written so far in the partition: 0 when the table starts,
   * then periodically.
   */
  default void rowsWritten(HeightRange partition, ExportTable table, long rows) {}

  /**
   * A partition is in the warehouse and checkpointed; it is number {@code position} of the
   * {@code total} aligned partitions of the run (empty ones are skipped without a callback).
   */
  default void partitionDone(PartitionResult result, long position, long total) {}

  /** The run failed after creating its job; the job directory is kept for {@code --resume}. */
  default void jobKept(Path jobDir) {}
}
