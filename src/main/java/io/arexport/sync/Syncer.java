package io.arexport.sync;

import io.arexport.Cancellation;
import io.arexport.HeightRange;
import io.arexport.StateConflictException;
import io.arexport.export.ExportRequest;
import io.arexport.export.ExportSummary;
import io.arexport.export.Exporter;
import io.arexport.export.PartitionChangedException;
import io.arexport.export.TableCounts;
import io.arexport.schema.ExportTable;
import io.arexport.source.SourcePaths;
import io.arexport.source.StableHeights;
import io.arexport.warehouse.JobParameters;
import io.arexport.warehouse.StagingJob;
import io.arexport.warehouse.UnfinishedJob;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sync cycle ({@code arexport sync}): brings the warehouse up to the source's stable tip by
 * planning ranges ({@link SyncPlan}) and exporting each with the ordinary {@link Exporter}, so
 * every guarantee of {@code export} (staging, atomic publish, checkpoint, lock, Iceberg commit)
 * holds for sync unchanged.
 *
 * <p>A cycle first resumes the unfinished jobs in staging that have exactly this request's
 * settings (a killed or stopped earlier cycle, or an export with the same settings), so their
 * work is not redone and no job directory is left behind, except jobs reaching above {@code
 * --endHeight}; then it exports the planned ranges.
 * After each successful export the range is recorded in the {@link CoverageStore}. A cycle with
 * nothing new exports nothing and writes nothing.
 *
 * <p>An export that loses a commit race to another writer ({@link PartitionChangedException},
 * catalog mode) has its job dropped, so the next cycle plans from the tables as the other writer
 * left them instead of resuming into the same race.
 */
public final class Syncer {
  private static final Logger LOG = LoggerFactory.getLogger(Syncer.class);
  private final Clock clock;
  private final Exporter exporter;
  private final CoverageStore coverage;
  private final SyncListener listener;
  private final Cancellation cancellation;
  private final Set<Path> unreadableJobsWarned = new HashSet<>();

  public Syncer(Clock clock, Exporter exporter, CoverageStore coverage, SyncListener listener,
      Cancellation cancellation) {
    this.clock = clock;
    this.exporter = exporter;
    this.coverage = coverage;
    this.listener = listener;
    this.cancellation = cancellation;
  }

  /**
   * A job whose checkpoint cannot be read is not resumed: its heights are planned afresh like any
   * others, so nothing is lost, but the directory stays until someone looks. Said once per job
   * and process, not on every cycle of a {@code --watch}. (A job killed before its first
   * checkpoint has no file at all; the next export removes it, nothing to say.)
   */
  private void warnOnceIfUnreadable(UnfinishedJob job) {
    if (job.hasCheckpointFile() && unreadableJobsWarned.add(job.directory())) {
      LOG.warn("not resuming {}: {}; its heights are exported afresh (status lists it; delete the"
          + " directory once no export uses it)", job.directory(), job.problem());
    }
  }

  public SyncSummary run(SyncRequest request) {
    Instant started = clock.instant();
    // The source first: bad input fails before the warehouse is looked at.
    StableHeights source = StableHeights.read(
        new SourcePaths(request.coreDb(), request.bundlesDb()),
        request.includeL1Transactions() || request.includeL1Tags());
    coverage.checkNoWriter();
    coverage.recoverInterruptedCommit();
    checkRecordedSettings(request);
    Coverage before = coverage.covered();

    Totals totals = new Totals();
    // Jobs with the same parameters are one resume: the export resumes the newest of them and
    // deletes the others as superseded, so a second entry would export its range afresh.
    Set<JobParameters> resumed = new HashSet<>();
    for (UnfinishedJob job : UnfinishedJob.list(request.stagingDir())) {
      if (job.checkpoint() == null) {
        warnOnceIfUnreadable(job);
        continue;
      }
      if (job.running()) {
        // Another run (a slow sync overlapping the next cron start) works on it; its heights
        // are planned below from what is covered, so a race with it is the catalog's to settle.
        LOG.info("unfinished job {} is being worked on by another run: not resumed",
            job.checkpoint().jobId());
        continue;
      }
      JobParameters theirs = job.checkpoint().parameters();
      if (theirs.startHeight() > theirs.endHeight()) {
        continue;
      }
      HeightRange range = new HeightRange(theirs.startHeight(), theirs.endHeight());
      ExportRequest resume = request.exportOf(range, true);
      if (!resume.jobParameters().differences(theirs).isEmpty()
          || !resumed.add(resume.jobParameters())) {
        continue;
      }
      if (request.endHeight().isPresent() && range.end() > request.endHeight().getAsLong()) {
        // A resume exports the job's whole range; --endHeight promises nothing above it. The
        // heights below it are planned as usual, the job waits for a sync without the cap.
        LOG.info("unfinished job {} (heights {}) reaches above --endHeight {}: not resumed by"
            + " this sync", job.checkpoint().jobId(), range, request.endHeight().getAsLong());
      } else {
        export(SyncPlan.Kind.RESUME, resume, job.checkpoint().jobId(), request, source, totals);
      }
    }

    Coverage covered = withoutStaleTopPartition(
        totals.runs.isEmpty() ? before : coverage.covered(), request, source);
    SyncPlan plan = SyncPlan.compute(covered, request.startHeight(), request.endHeight(),
        source.lowest(), source.highest(), request.heightPartitionSize(), request.fillGaps());
    for (SyncPlan.Range range : plan.ranges()) {
      export(range.kind(), request.exportOf(range.heights(), false), null, request, source,
          totals);
    }
    Coverage after = totals.runs.isEmpty() ? before : coverage.covered();
    OptionalLong frontierBefore = SyncPlan.frontier(before,
        request.startHeight().isPresent() ? request.startHeight() : before.lowest(),
        request.heightPartitionSize());
    return new SyncSummary(totals.runs.isEmpty() ? SyncSummary.UP_TO_DATE : SyncSummary.SYNCED,
        started.toString(), boxed(source.lowest()), boxed(source.highest()),
        boxed(plan.target()), boxed(frontierBefore), boxed(before.highest()),
        boxed(after.highest()), List.copyOf(totals.runs), totals.partitions, totals.tables,
        totals.skipped, totals.iceberg, Duration.between(started, clock.instant()).toMillis(),
        coverage.describe());
  }

  private void export(SyncPlan.Kind kind, ExportRequest export, String jobId,
      SyncRequest request, StableHeights source, Totals totals) {
    cancellation.stopIfRequested("before exporting heights " + export.range());
    listener.exporting(kind, export.range(), jobId);
    ExportSummary summary;
    try {
      summary = exporter.run(export);
    } catch (PartitionChangedException e) {
      // Another writer's version of a partition is live now. Resuming the job would only
      // re-export the other writer's partition and then race it again on the next one. Record
      // what the job published before it (its partitions without rows leave no data file), then
      // drop the job: the next sync plans from what the tables hold.
      publishedThrough(request, export).ifPresent(end -> record(
          new HeightRange(export.range().start(), end), source, request));
      StagingJob.deleteSuperseded(request.stagingDir(), export.jobParameters());
      listener.exportFailed(export.range(), false);
      throw new PartitionChangedException(e.conflict(), "this sync's job for heights "
          + export.range() + " is dropped; the next sync (with --watch: the next cycle) plans"
          + " again from what " + coverage.describe() + " holds", e);
    } catch (RuntimeException | Error e) {
      listener.exportFailed(export.range(), true);
      throw e;
    }
    record(export.range(), source, request);
    totals.add(kind, summary);
  }

  /**
   * Records {@code exported}, but never above the stable tip this cycle read: a resumed job may
   * reach above it (an {@code export} given an {@code --endHeight} beyond the tip), and its
   * heights there were published without the rows the gateway had not stabilised yet. Claiming
   * them would make every later cycle skip them.
   */
  private void record(HeightRange exported, StableHeights source, SyncRequest request) {
    if (source.highest().isEmpty() || exported.start() > source.highest().getAsLong()) {
      return;
    }
    coverage.record(new HeightRange(exported.start(),
        Math.min(exported.end(), source.highest().getAsLong())), request.settings());
  }

  /**
   * The plan starts above the highest covered partition when that partition is complete (ends
   * at a multiple of the partition size), and a partition of any table counts as covering it.
   * Two ways it can be incomplete nonetheless, each of which would be skipped for good:
   * <ul>
   *   <li>an {@code export} whose range reached above the gateway's stable tip published the
   *       partition holding the tip under its whole name (it warns of it), with the rows stable
   *       then: the source now has more stable blocks there than the warehouse holds (blocks,
   *       because every height of the chain has one and every export writes them);
   *   <li>a catalog-mode run killed between the partition's table commits (one per table), whose
   *       job is not resumed: a table holds nothing there while the source has rows for it.
   * </ul>
   * Then the partition is taken out of the coverage, so this cycle exports it again whole. One
   * indexed count and two indexed lookups in the source (the tag lookup reads the partition's
   * tags only when none of them is exportable) and the footers (or manifests) of one partition,
   * so the check costs next to nothing. "Rows for it" are rows the export writes: a
   * partition whose tags are all dangling (no name or value) holds no tags and is complete.
   */
  private Coverage withoutStaleTopPartition(Coverage covered, SyncRequest request,
      StableHeights source) {
    if (covered.isEmpty() || source.highest().isEmpty()) {
      return covered;
    }
    long size = request.heightPartitionSize();
    long highest = covered.highest().getAsLong();
    long target = request.endHeight().isPresent()
        ? Math.min(request.endHeight().getAsLong(), source.highest().getAsLong())
        : source.highest().getAsLong();
    boolean complete = Math.floorMod(highest, size) == size - 1;
    boolean belowFloor = request.startHeight().isPresent()
        && request.startHeight().getAsLong() > highest;
    if (!complete || target < highest || belowFloor) {
      return covered;
    }
    HeightRange top = covered.ranges().get(covered.ranges().size() - 1);
    HeightRange partition = new HeightRange(
        Math.max(highest - Math.floorMod(highest, size), top.start()), highest);
    SourcePaths paths = new SourcePaths(request.coreDb(), request.bundlesDb());
    long held = coverage.rows(ExportTable.BLOCKS, partition);
    long stable = StableHeights.blocksIn(paths, partition);
    String lacking;
    if (held < stable) {
      lacking = held + " blocks, the source " + stable + ": exported before the gateway had all"
          + " its heights";
    } else if (coverage.rows(ExportTable.TRANSACTIONS, partition) == 0
        && StableHeights.hasTransactionsIn(paths, partition, request.includeL1Transactions())) {
      lacking = "no transactions, the source has some: its publish was interrupted";
    } else if (coverage.rows(ExportTable.TAGS, partition) == 0
        && StableHeights.hasTagsIn(paths, partition, request.includeL1Tags())) {
      lacking = "no tags, the source has some: its publish was interrupted";
    } else {
      return covered;
    }
    LOG.warn("partition {} of {} holds {}; exporting it again", partition, coverage.describe(),
        lacking);
    return covered.below(partition.start());
  }

  /** The highest height the unfinished job of {@code export} published, if it published any. */
  private static OptionalLong publishedThrough(SyncRequest request, ExportRequest export) {
    for (UnfinishedJob job : UnfinishedJob.list(request.stagingDir())) {
      if (job.checkpoint() != null
          && job.checkpoint().parameters().differences(export.jobParameters()).isEmpty()
          && job.checkpoint().lastCompletedHeight() >= export.range().start()) {
        return OptionalLong.of(job.checkpoint().lastCompletedHeight());
      }
    }
    return OptionalLong.empty();
  }

  /**
   * Heights recorded with other L1 flags hold other rows: continuing would mix the two. Heights
   * recorded with another partition size end their partitions elsewhere: the plan would take
   * the wrong partition for the partial tip (see {@link ExportSettings}).
   */
  private void checkRecordedSettings(SyncRequest request) {
    Optional<ExportSettings> recorded = coverage.recordedSettings();
    if (recorded.isPresent() && !recorded.get().admits(request.settings())) {
      throw new StateConflictException("warehouse " + coverage.describe() + " was synced with "
          + recorded.get().differences(request.settings())
          + ": pass the same settings (to change them, re-export the whole range with 'arexport"
          + " export' and then " + coverage.resetHint() + ")");
    }
  }

  private static Long boxed(OptionalLong value) {
    return value.isPresent() ? value.getAsLong() : null;
  }

  /** Sums of the cycle's exports. */
  private static final class Totals {
    final List<SyncSummary.Run> runs = new ArrayList<>();
    final Map<String, TableCounts> tables = new LinkedHashMap<>();
    long partitions;
    long skipped;
    boolean iceberg;

    Totals() {
      for (ExportTable table : ExportTable.values()) {
        tables.put(table.tableName(), TableCounts.ZERO);
      }
    }

    void add(SyncPlan.Kind kind, ExportSummary summary) {
      long rows = summary.tables().values().stream().mapToLong(TableCounts::rows).sum();
      runs.add(new SyncSummary.Run(kind,
          summary.startHeight(), summary.endHeight(), summary.jobId(), summary.resumed(),
          summary.partitions(), rows));
      summary.tables().forEach((name, counts) -> tables.merge(name, counts, TableCounts::plus));
      partitions += summary.partitions();
      skipped += summary.skippedDanglingTags();
      iceberg |= summary.icebergCommitted();
    }
  }
}
