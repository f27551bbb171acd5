package io.arexport.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.arexport.HeightRange;
import io.arexport.sync.ExportSettings;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code arexport status} reports. Serialized as is for {@code --json}: the keys are an
 * interface, documented in docs/operations.md ("status --json keys"); add keys, never rename.
 *
 * @param mode where the tables are: a warehouse directory or a catalog
 * @param coverage the heights the warehouse holds (one coverage for all tables: a partition is
 *     published for all three at once)
 * @param tables per table, in contract order
 * @param stagingJobs unfinished jobs in the staging directory, oldest first
 * @param pendingCommit an interrupted partition commit waits in {@code .arexport/}; the next
 *     export or metadata run completes or undoes it
 * @param pendingCommitProblem why that journal cannot be completed (it does not parse: exports
 *     and metadata runs stop with exit 3 until it is dealt with); null when it can, or none waits
 * @param replacedFilesAwaitingDeletion files a re-export replaced that the current Iceberg
 *     snapshot still lists (deleted by the next Iceberg commit)
 * @param stagingDir the staging directory whose jobs {@code stagingJobs} lists (absolute)
 * @param lock the warehouse lock; null in catalog mode (the catalog's optimistic commits
 *     serialize writers, there is no lock)
 */
public record WarehouseStatus(
    Mode mode,
    String warehouse,
    String generatedAt,
    CoverageStatus coverage,
    SourceStatus source,
    Map<String, TableStatus> tables,
    List<JobStatus> stagingJobs,
    LockStatus lock,
    boolean pendingCommit,
    Integer replacedFilesAwaitingDeletion,
    String pendingCommitProblem,
    String stagingDir) {

  /** Where the status was read from; {@code "directory"} or {@code "catalog"} in JSON. */
  public enum Mode {
    DIRECTORY, CATALOG;

    @JsonValue
    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** An inclusive height range. */
  public record Range(long start, long end) {
    public static List<Range> of(List<HeightRange> ranges) {
      return ranges.stream().map(r -> new Range(r.start(), r.end())).toList();
    }
  }

  /**
   * @param ranges covered heights, merged
   * @param gaps heights between the lowest and highest covered one that are not covered
   * @param recorded whether {@code .arexport/exported-heights.json} exists (written by sync); when
   *     not, coverage comes from partition directories alone, and partitions without any rows
   *     show as gaps
   * @param recordedRows the settings the record was written with (null without a record)
   * @param error why the record could not be read (coverage then from directories alone)
   */
  public record CoverageStatus(List<Range> ranges, List<Range> gaps, Long lowestHeight,
      Long highestHeight, boolean recorded, RecordedRows recordedRows, String error) {}

  /**
   * The settings of the sync record; {@code heightPartitionSize} is null in a record written
   * before arexport recorded it.
   */
  public record RecordedRows(boolean includeL1Transactions, boolean includeL1Tags,
      Long heightPartitionSize) {
    public static RecordedRows of(ExportSettings settings) {
      return new RecordedRows(settings.includeL1Transactions(), settings.includeL1Tags(),
          settings.storedPartitionSize());
    }
  }

  /**
   * @param available whether both databases could be read
   * @param stableTip the highest stable height (blocks, data items, L1 transactions)
   * @param lagHeights {@code stableTip - coverage.highestHeight} (null when either is unknown);
   *     negative when the warehouse holds heights the source does not
   * @param error why the source is not available
   */
  public record SourceStatus(boolean available, String coreDb, String bundlesDb,
      Long lowestHeight, Long stableTip, Long lagHeights, String error) {}

  /**
   * @param partitions partition directories
   * @param files Parquet data files
   * @param rows rows of those files, from their footers
   * @param bytes their size on disk
   * @param dataRanges the merged heights of this table's partition directories (a partition
   *     where this table had no rows has no directory, so these can have holes coverage has not)
   * @param unreadableFiles files whose footer could not be read (not counted in rows)
   * @param iceberg the table's Iceberg metadata; null when it has none
   */
  public record TableStatus(long partitions, long files, long rows, long bytes,
      List<Range> dataRanges, List<String> unreadableFiles, IcebergStatus iceberg) {}

  /**
   * @param version N of the current {@code vN.metadata.json}
   * @param snapshotId the current snapshot (null: none yet)
   * @param committedAt when the current snapshot was committed (ISO-8601, UTC)
   * @param snapshots how many snapshots the metadata lists
   * @param snapshotRows the current snapshot's {@code total-records}
   * @param error why the metadata could not be read (the other fields are then null)
   * @param metadataFile catalog mode only: the current metadata file as the catalog reports it
   *     (omitted from the JSON in directory mode)
   */
  public record IcebergStatus(Integer version, Long snapshotId, String committedAt,
      Integer snapshots, Long snapshotRows, String error,
      @JsonInclude(JsonInclude.Include.NON_NULL) String metadataFile) {}

  /**
   * @param lastCompletedHeight the checkpoint: every partition through it is in the warehouse
   * @param resumeCommand the exact command that resumes it (a sync with the same settings also
   *     resumes it on its own)
   * @param problem why there is no usable checkpoint (the other fields are then null)
   * @param running a live run holds the job's lock: it is being worked on, not left behind
   */
  public record JobStatus(String jobId, String directory, Long startHeight, Long endHeight,
      Long lastCompletedHeight, String updatedAt, Long heightPartitionSize,
      Boolean includeL1Transactions, Boolean includeL1Tags, String warehouseDir,
      String resumeCommand, String problem, boolean running) {}

  /**
   * @param held whether a process holds the warehouse lock now
   * @param stale a holder line is left but nobody holds the lock (its process died; the next run
   *     takes the lock over)
   * @param holder the holder line ("arexport export (pid N, since T)"), null when none
   */
  public record LockStatus(boolean held, boolean stale, String holder) {}
}
