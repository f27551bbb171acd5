package io.arexport.export;

import io.arexport.Cancellation;
import io.arexport.HeightRange;
import io.arexport.StoppedException;
import io.arexport.parquet.PartitionFileWriter;
import io.arexport.parquet.StagedFile;
import io.arexport.schema.ExportTable;
import io.arexport.source.PartitionReader;
import io.arexport.source.RowCursor;
import io.arexport.source.SourcePaths;
import io.arexport.warehouse.JobParameters;
import io.arexport.warehouse.StagedPartition;
import io.arexport.warehouse.StagingJob;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs an export job: streams each aligned partition of the height range from SQLite into Parquet
 * files in the job's staging directory, hands the staged partition to the {@link
 * PartitionPublisher} of the run's mode, and advances the checkpoint, one partition at a time
 * (contract sections 3 and 4). The loop does not know which mode it runs in.
 *
 * <p>A stop request ({@link Cancellation}, SIGINT/SIGTERM) is honoured at safe points only:
 * before each partition, between rows while a partition is written to staging (its unfinished
 * files stay in staging, which a resume clears), and before the final Iceberg commit. Publishing
 * a staged partition and advancing the checkpoint always run to the end, so a stopped job's
 * checkpoint names exactly the partitions that are in the warehouse.
 */
public final class Exporter {
  /** Progress and fault points are reported every this many rows. */
  static final long ROWS_PER_TICK = 50_000;

  private static final DateTimeFormatter RUN_ID =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS").withZone(ZoneOffset.UTC);

  private final Clock clock;
  private final long pid;
  private final ExportListener listener;
  private final FaultPoints faults;
  private final PartitionPublisher.Opener destination;
  private final Cancellation cancellation;

  public Exporter(Clock clock, long pid, ExportListener listener, FaultPoints faults,
      PartitionPublisher.Opener destination) {
    this(clock, pid, listener, faults, destination, Cancellation.NONE);
  }

  /**
   * @param destination opens the publisher of the run's mode (e.g. {@link
   *     DirectoryPublisher#opener})
   * @param cancellation polled at safe points; when requested the run stops there
   */
  public Exporter(Clock clock, long pid, ExportListener listener, FaultPoints faults,
      PartitionPublisher.Opener destination, Cancellation cancellation) {
    this.clock = clock;
    this.pid = pid;
    this.listener = listener;
    this.faults = faults;
    this.destination = destination;
    this.cancellation = cancellation;
  }

  public ExportSummary run(ExportRequest request) {
    Instant started = clock.instant();
    // Sources are checked first, so bad input never creates or touches the destination.
    try (PartitionReader reader = PartitionReader.open(
        new SourcePaths(request.coreDb(), request.bundlesDb()),
        request.includeL1Transactions(), request.includeL1Tags())) {
      // Staging first as well: an unusable stagingDir must not leave a new, empty warehouse.
      DirectoryPublisher.requireWritableDirectory(request.stagingDir(), "stagingDir");
      try (PartitionPublisher publisher = destination.open(request,
          "arexport export (pid " + pid + ", since " + started + ")")) {
        return runOpen(request, reader, publisher, started);
      }
    }
  }

  private ExportSummary runOpen(ExportRequest request, PartitionReader reader,
      PartitionPublisher publisher, Instant started) {
    JobParameters parameters = request.jobParameters();
    Optional<StagingJob> resumable = Optional.empty();
    if (request.resume()) {
      resumable = StagingJob.findResumable(request.stagingDir(), parameters);
      if (resumable.isEmpty()) {
        listener.noJobToResume(request.stagingDir());
      }
    }
    long next = resumable.map(j -> j.checkpoint().lastCompletedHeight() + 1)
        .orElse(request.range().start());
    PartitionPlan plan = next > request.range().end() || next < request.range().start()
        ? null
        : new PartitionPlan(new HeightRange(next, request.range().end()),
            request.heightPartitionSize(), publisher::publishedPartitions,
            reader::nextHeightAtOrAfter);
    cancellation.stopIfRequested("before the export started");

    StagingJob job = resumable.orElseGet(
        () -> StagingJob.create(request.stagingDir(), parameters, started, pid));
    String runId = RUN_ID.format(started) + "_" + pid;
    long total = plan == null ? 0 : plan.total();
    listener.jobStarted(job.jobId(), job.directory(), resumable.isPresent(), total);
    Map<String, TableCounts> totals = new LinkedHashMap<>();
    for (ExportTable table : ExportTable.values()) {
      totals.put(table.tableName(), TableCounts.ZERO);
    }
    long skipped = 0;
    long exported = 0;
    boolean icebergCommitted;
    try {
      job.clearPartitionFiles();
      for (HeightRange partition = plan == null ? null : plan.next(); partition != null;
          partition = plan.next()) {
        if (cancellation.requested()) {
          throw stopped(job, "before partition " + partition, exported);
        }
        PartitionResult result = exportPartition(request, reader, publisher, job, partition,
            runId);
        result.tables().forEach((name, counts) -> totals.merge(name, counts, TableCounts::plus));
        skipped += result.skippedDanglingTags();
        exported++;
        listener.partitionDone(result, plan.index(partition.end()), total);
      }
      // The source may end before the range does: the partitions left are empty.
      reader.endSnapshot();
      if (cancellation.requested()) {
        throw stopped(job, "before the Iceberg commit", exported);
      }
      icebergCommitted = publisher.finishRun();
      job.delete();
      StagingJob.deleteSuperseded(request.stagingDir(), parameters);
    } catch (RuntimeException | Error e) {
      listener.jobKept(job.directory());
      throw e;
    }
    return new ExportSummary(job.jobId(), resumable.isPresent(), request.range().start(),
        request.range().end(), exported, totals, skipped,
        Duration.between(started, clock.instant()).toMillis(), publisher.destination(),
        icebergCommitted);
  }

  private PartitionResult exportPartition(ExportRequest request, PartitionReader reader,
      PartitionPublisher publisher, StagingJob job, HeightRange partition, String runId) {
    long skippedBefore = reader.skippedDanglingTags();
    Map<ExportTable, StagedPartition> staged = new EnumMap<>(ExportTable.class);
    Map<String, TableCounts> counts = new LinkedHashMap<>();
    for (ExportTable table : ExportTable.values()) {
      Path dir = job.partitionDir(table, partition);
      List<StagedFile> files = writeTable(request, reader, table, partition, dir, runId);
      staged.put(table, new StagedPartition(dir, files.stream().map(StagedFile::path).toList()));
      counts.put(table.tableName(), new TableCounts(
          files.stream().mapToLong(StagedFile::rows).sum(), files.size(),
          files.stream().mapToLong(StagedFile::bytes).sum()));
    }
    // All three tables were read from one snapshot per database; release it before publishing.
    reader.endSnapshot();
    faults.reached(FaultPoints.PARTITION_STAGED);
    publisher.publish(partition, staged);
    faults.reached(FaultPoints.PARTITION_MOVED);
    job.advanceCheckpoint(partition.end(), clock.instant());
    faults.reached(FaultPoints.CHECKPOINT_ADVANCED);
    publisher.checkpointed(partition);
    job.clearPartitionFiles();
    return new PartitionResult(partition, counts, reader.skippedDanglingTags() - skippedBefore);
  }

  private List<StagedFile> writeTable(ExportRequest request, PartitionReader reader,
      ExportTable table, HeightRange partition, Path dir, String runId) {
    try (RowCursor rows = reader.open(table, partition);
        PartitionFileWriter writer = new PartitionFileWriter(table, partition, dir, runId,
            request.heightPartitionSize(), request.maxFileRows(), request.compression())) {
      long written = 0;
      while (rows.next()) {
        if (cancellation.requested()) {
          throw new StoppedException("stopped on request while writing " + table.tableName()
              + " of partition " + partition + " (its unfinished files stay in staging; every"
              + " earlier partition is in the warehouse)");
        }
        writer.add(rows.current());
        if (++written % ROWS_PER_TICK == 0) {
          listener.rowsWritten(partition, table, written);
          faults.reached(FaultPoints.MID_PARTITION);
        }
      }
      return writer.finish();
    }
  }

  private static StoppedException stopped(StagingJob job, String where, long exported) {
    return new StoppedException("stopped on request " + where + ": " + exported
        + " partitions exported, checkpoint at height " + job.checkpoint().lastCompletedHeight());
  }
}
