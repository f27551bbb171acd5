package io.arexport.export;

import io.arexport.HeightRange;
import io.arexport.schema.ExportTable;
import io.arexport.warehouse.StagedPartition;
import java.util.List;
import java.util.Map;

/**
 * Where a staged partition goes: the publish step of one export mode. The export loop knows
 * nothing else about its destination. It stages every table of a partition, hands the partition
 * to {@link #publish}, advances its checkpoint, then calls {@link #checkpointed}; at the end of
 * the run it calls {@link #finishRun}. Implementations: {@link DirectoryPublisher} (the warehouse
 * directory is the truth; contract section 4) and the catalog publisher of lakehouse mode (the
 * Iceberg commit is the publish; contract section 7).
 *
 * <p>An open publisher holds whatever makes the run the destination's only writer where the mode
 * needs one (the directory mode's warehouse lock); {@link #close} releases it.
 */
public interface PartitionPublisher extends AutoCloseable {

  /**
   * The partitions the destination already holds, in any table, that overlap {@code heights}. The
   * plan exports each of them again (a re-export replaces or removes what is there) and refuses to
   * start when one overlaps a partition of the run without lying inside it.
   */
  List<PublishedPartition> publishedPartitions(HeightRange heights);

  /**
   * Publishes {@code staged} (per table, the staged directory and its finished files; a table
   * without rows has an empty file list) as partition {@code partition}, replacing everything the
   * destination held inside that range. All or nothing across a crash: either the destination shows
   * the old partition or the new one, or the next open publisher completes or undoes the publish.
   */
  void publish(HeightRange partition, Map<ExportTable, StagedPartition> staged);

  /** The job's checkpoint now names {@code partition} as done: recovery state can go. */
  void checkpointed(HeightRange partition);

  /**
   * Every partition of the run is published and checkpointed. Returns true when this step
   * committed Iceberg metadata (directory mode's closing commit).
   */
  boolean finishRun();

  /**
   * Whether {@link #finishRun} still has work that a stop request should leave to the run that
   * continues the job (directory mode's closing Iceberg commit). When false, a run whose every
   * partition is published is complete, stop request or not.
   */
  default boolean finishRunWorks() {
    return true;
  }

  /** What the run summary names as the destination (a warehouse path, a catalog table set). */
  String destination();

  /** Releases the destination (e.g. the warehouse lock). */
  @Override
  void close();

  /** A partition the destination holds: its range and where it is, for messages. */
  record PublishedPartition(ExportTable table, HeightRange range, String location) {}

  /** Opens the destination of one export run; bad or conflicting state fails here. */
  @FunctionalInterface
  interface Opener {
    /**
     * @param holder who is opening it, e.g. "arexport export (pid 1234, since ...)", for lock
     *     messages
     */
    PartitionPublisher open(ExportRequest request, String holder);
  }
}
