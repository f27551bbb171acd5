package io.arexport.export;

import io.arexport.Cancellation;
import io.arexport.HeightRange;
import io.arexport.StoppedException;
import io.arexport.schema.ExportTable;
import io.arexport.source.PartitionReader;
import io.arexport.source.SourcePaths;
import io.arexport.warehouse.JobParameters;
import io.arexport.warehouse.StagingJob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an export job: streams each aligned partition of the height range from SQLite into Parquet
 * files in the job's staging directory, hands the staged partition to the {@link
 * PartitionPublisher} of the run's mode, and advances the checkpoint (contract sections 3 and 4).
 * The loop does not know which mode it runs in. Up to {@link ExportRequest#threads()} partitions
 * are staged at once ({@link PartitionStager}); publishing and the checkpoint stay on this thread,
 * in height order, one partition at a time.
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

  private static final Logger LOG = LoggerFactory.getLogger(Exporter.class);
  private static final DateTimeFormatter RUN_ID =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS").withZone(ZoneOffset.UTC);

  private final Clock clock;
  private final long pid;
  private final ExportListener listener;
  private final FaultPoints faults;
  private final PartitionPublisher.Opener destination;
  private final Cancellation cancellation;
  private final long heapBytes;
  private final String command;

  /**
   * @param destination opens the publisher of the run's mode (e.g. {@link
   *     DirectoryPublisher#opener})
   * @param cancellation polled at safe points; when requested the run stops there
   */
  public Exporter(Clock clock, long pid, ExportListener listener, FaultPoints faults,
      PartitionPublisher.Opener destination, Cancellation cancellation) {
    // The Parquet writers running at once share a quarter of the heap for their row groups.
    this(clock, pid, listener, faults, destination, cancellation,
        Runtime.getRuntime().maxMemory(), "arexport export");
  }

  private Exporter(Clock clock, long pid, ExportListener listener, FaultPoints faults,
      PartitionPublisher.Opener destination, Cancellation cancellation, long heapBytes,
      String command) {
    this.heapBytes = heapBytes;
    this.clock = clock;
    this.pid = pid;
    this.listener = listener;
    this.faults = faults;
    this.destination = destination;
    this.cancellation = cancellation;
    this.command = command;
  }

  /**
   * Heights above the source's stable tip have no rows yet, but their partition is published
   * like any other, under its whole name; {@code sync} exports it again once the source has
   * blocks there that it lacks (see {@code Syncer}), a plain re-export is up to the operator.
   */
  private static void warnAboveStableTip(HeightRange range, PartitionReader reader) {
    OptionalLong tip = reader.highestHeightAtOrAfter(range.start());
    if (tip.isPresent() && tip.getAsLong() >= range.end()) {
      return;
    }
    if (tip.isPresent()) {
      LOG.warn("heights {}-{} are above the source's stable tip {}, so they are exported without"
          + " rows; export them again once the gateway has them", tip.getAsLong() + 1,
          range.end(), tip.getAsLong());
    } else {
      LOG.warn("the source has no stable rows at or above height {}, so heights {} are exported"
          + " without rows; export them again once the gateway has them", range.start(), range);
    }
  }

  /**
   * Whole partitions below the source's lowest stable height will never have rows: a range that
   * starts there is more likely a wrong range or a wrong database than an intent (the run itself
   * succeeds, writing nothing there). Not said for a range from 0 ("everything"), nor for the
   * partition holding the lowest height: a sync, or an export aligned to partitions, starts there
   * as a matter of course.
   */
  private static void warnBelowLowestStableHeight(HeightRange range, long partitionSize,
      PartitionReader reader) {
    OptionalLong lowest = reader.nextHeightAtOrAfter(0);
    if (lowest.isEmpty()) {
      return;
    }
    long firstPartitionWithRows = lowest.getAsLong() / partitionSize * partitionSize;
    if (range.start() > 0 && range.start() < firstPartitionWithRows) {
      LOG.warn("heights {}-{} are below the source's lowest stable height {}: there are no rows"
          + " there to export (is this the gateway's --coreDb/--bundlesDb, and the range?)",
          range.start(), Math.min(range.end(), lowest.getAsLong() - 1), lowest.getAsLong());
    }
  }

  /**
   * This exporter, naming {@code command} (e.g. {@code arexport sync --watch}) as the holder of
   * the warehouse lock, so an operator who finds the warehouse locked looks for the right process.
   */
  public Exporter runningAs(String command) {
    return new Exporter(clock, pid, listener, faults, destination, cancellation, heapBytes,
        command);
  }

  public ExportSummary run(ExportRequest request) {
    Instant started = clock.instant();
    // Sources are checked first, so bad input never creates or touches the destination.
    try (PartitionReader reader = PartitionReader.open(
        new SourcePaths(request.coreDb(), request.bundlesDb()),
        request.includeL1Transactions(), request.includeL1Tags())) {
      // Staging first as well: an unusable stagingDir must not leave a new, empty warehouse
      // (and is created only with the job, once the destination is open).
      DirectoryPublisher.requireCreatableDirectory(request.stagingDir(), "stagingDir");
      try (PartitionPublisher publisher = destination.open(request,
          command + " (pid " + pid + ", since " + started + ")")) {
        return runOpen(request, reader, publisher, started);
      }
    }
  }

  private ExportSummary runOpen(ExportRequest request, PartitionReader reader,
      PartitionPublisher publisher, Instant started) {
    warnBelowLowestStableHeight(request.range(), request.heightPartitionSize(), reader);
    warnAboveStableTip(request.range(), reader);
    JobParameters parameters = request.jobParameters();
    Optional<StagingJob> resumable = Optional.empty();
    if (request.resume()) {
      resumable = StagingJob.findResumable(request.stagingDir(), parameters);
      if (resumable.isEmpty()) {
        listener.noJobToResume(request.stagingDir());
      }
    }
    // A job's lock is held from here until the run ends, whichever way it ends.
    try (StagingJob resumed = resumable.orElse(null)) {
      long next = resumed == null ? request.range().start()
          : resumed.checkpoint().lastCompletedHeight() + 1;
      PartitionPlan plan = next > request.range().end() || next < request.range().start()
          ? null
          : new PartitionPlan(new HeightRange(next, request.range().end()),
              request.heightPartitionSize(), publisher::publishedPartitions,
              reader::nextHeightAtOrAfter);
      cancellation.stopIfRequested("before the export started");
      if (resumed != null) {
        return runJob(request, reader, publisher, started, resumed, true, plan);
      }
      try (StagingJob created = StagingJob.create(request.stagingDir(), parameters, started,
          pid)) {
        return runJob(request, reader, publisher, started, created, false, plan);
      }
    }
  }

  private ExportSummary runJob(ExportRequest request, PartitionReader reader,
      PartitionPublisher publisher, Instant started, StagingJob job, boolean resumed,
      PartitionPlan plan) {
    listener.jobStarted(job.jobId(), job.directory(), resumed, plan == null ? 0 : plan.total());
    Totals totals = new Totals();
    boolean icebergCommitted;
    try {
      job.clearPartitionFiles();
      stageAndPublish(request, plan, reader, publisher, job, RUN_ID.format(started) + "_" + pid,
          totals);
      // The source may end before the range does: the partitions left are empty.
      reader.endSnapshot();
      if (cancellation.requested() && publisher.finishRunWorks()) {
        throw stopped(job, "before the Iceberg commit", totals.partitions);
      }
      icebergCommitted = publisher.finishRun();
      job.delete();
      StagingJob.deleteSuperseded(request.stagingDir(), request.jobParameters());
    } catch (RuntimeException | Error e) {
      synchronized (listener) {
        listener.jobKept(job.directory());
      }
      throw e;
    }
    return new ExportSummary(job.jobId(), resumed, request.range().start(),
        request.range().end(), totals.partitions, totals.tables, totals.skippedDanglingTags,
        Duration.between(started, clock.instant()).toMillis(), publisher.destination(),
        icebergCommitted);
  }

  /**
   * The loop of the export: up to {@code threads} partitions of {@code plan} are staged at once,
   * and each is handed, in height order, to the publisher of the run's mode, which publishes it
   * and advances the checkpoint; {@code totals} adds up what was published.
   */
  private void stageAndPublish(ExportRequest request, PartitionPlan plan, PartitionReader reader,
      PartitionPublisher publisher, StagingJob job, String runId, Totals totals) {
    long total = plan == null ? 0 : plan.total();
    try (PartitionStager stager = new PartitionStager(request, request.threads(), job, runId,
        listener, faults, cancellation, heapBytes)) {
      Deque<InFlight> inFlight = new ArrayDeque<>();
      HeightRange upcoming = nextPartition(plan, reader);
      try {
        while (upcoming != null || !inFlight.isEmpty()) {
          // The same safe point as between partitions of a sequential run: nothing of the next
          // partition to publish is in the warehouse yet.
          if (cancellation.requested()) {
            HeightRange first = inFlight.isEmpty() ? upcoming : inFlight.peek().partition();
            throw stopped(job, "before partition " + first, totals.partitions);
          }
          while (upcoming != null && inFlight.size() < request.threads()) {
            inFlight.add(new InFlight(upcoming, stager.submit(upcoming)));
            upcoming = nextPartition(plan, reader);
          }
          PartitionStager.Staged staged = PartitionStager.await(inFlight.remove().staged());
          PartitionResult result = publish(publisher, job, staged);
          stager.published(result.partition());
          totals.add(result);
          synchronized (listener) {
            listener.partitionDone(result, plan.index(result.partition().end()), total);
          }
        }
      } catch (RuntimeException | Error e) {
        // The partitions still in flight stop at their next row; their staged files stay in
        // staging, as those of an interrupted sequential run would, and a resume clears them.
        stager.abort();
        throw e;
      }
    }
  }

  /** What the partitions a run published add up to, for its summary. */
  private static final class Totals {
    final Map<String, TableCounts> tables = new LinkedHashMap<>();
    long skippedDanglingTags;
    long partitions;

    Totals() {
      for (ExportTable table : ExportTable.values()) {
        tables.put(table.tableName(), TableCounts.ZERO);
      }
    }

    void add(PartitionResult result) {
      result.tables().forEach((name, counts) -> tables.merge(name, counts, TableCounts::plus));
      skippedDanglingTags += result.skippedDanglingTags();
      partitions++;
    }
  }

  /** A partition being staged on a worker. */
  private record InFlight(HeightRange partition, Future<PartitionStager.Staged> staged) {}

  /** The plan's next partition; the planning reader's snapshot ends after each probe. */
  private static HeightRange nextPartition(PartitionPlan plan, PartitionReader reader) {
    if (plan == null) {
      return null;
    }
    HeightRange next = plan.next();
    reader.endSnapshot();
    return next;
  }

  /**
   * Publishes one staged partition and advances the checkpoint past it; runs on the caller's
   * thread only, one partition at a time in height order, so the checkpoint names the highest
   * height below which every partition is published and publishers need no thread safety.
   */
  private PartitionResult publish(PartitionPublisher publisher, StagingJob job,
      PartitionStager.Staged staged) {
    HeightRange partition = staged.partition();
    faults.reached(FaultPoints.PARTITION_STAGED);
    publisher.publish(partition, staged.tables());
    faults.reached(FaultPoints.PARTITION_MOVED);
    job.advanceCheckpoint(partition.end(), clock.instant());
    faults.reached(FaultPoints.CHECKPOINT_ADVANCED);
    publisher.checkpointed(partition);
    job.clearPartitionFiles(partition);
    return new PartitionResult(partition, staged.counts(), staged.skippedDanglingTags());
  }

  private static StoppedException stopped(StagingJob job, String where, long exported) {
    return new StoppedException("stopped on request " + where + ": " + exported
        + (exported == 1 ? " partition" : " partitions") + " exported, checkpoint at height "
        + job.checkpoint().lastCompletedHeight());
  }
}
