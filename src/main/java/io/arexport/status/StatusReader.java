package io.arexport.status;

import io.arexport.ArexportException;
import io.arexport.HeightRange;
import io.arexport.export.FaultPoints;
import io.arexport.iceberg.LocalTableOperations;
import io.arexport.iceberg.Snapshots;
import io.arexport.iceberg.WarehouseFileIO;
import io.arexport.parquet.FooterRows;
import io.arexport.schema.ExportTable;
import io.arexport.source.SourcePaths;
import io.arexport.source.StableHeights;
import io.arexport.status.WarehouseStatus.CoverageStatus;
import io.arexport.status.WarehouseStatus.IcebergStatus;
import io.arexport.status.WarehouseStatus.JobStatus;
import io.arexport.status.WarehouseStatus.LockStatus;
import io.arexport.status.WarehouseStatus.Range;
import io.arexport.status.WarehouseStatus.RecordedRows;
import io.arexport.status.WarehouseStatus.SourceStatus;
import io.arexport.status.WarehouseStatus.TableStatus;
import io.arexport.sync.Coverage;
import io.arexport.sync.DirectoryCoverageStore;
import io.arexport.sync.ExportSettings;
import io.arexport.warehouse.Checkpoint;
import io.arexport.warehouse.JobParameters;
import io.arexport.warehouse.PartitionCommitter;
import io.arexport.warehouse.ReplacedFiles;
import io.arexport.warehouse.UnfinishedJob;
import io.arexport.warehouse.WarehouseLayout;
import io.arexport.warehouse.WarehouseLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.TableMetadata;
import org.apache.parquet.io.InputFile;

/**
 * Reads what a warehouse holds for {@code arexport status}, without changing anything and
 * without taking the lock: per table the partitions, files, rows (Parquet footers only, see
 * {@link FooterRows}) and bytes, and the current Iceberg version (metadata file only, no
 * manifests); the coverage and gaps ({@link DirectoryCoverageStore}); the source's stable tip;
 * unfinished staging jobs; the lock holder. Cost: one directory listing per partition, one footer
 * per file. Anything unreadable is reported in its place rather than failing the whole status.
 */
public final class StatusReader {
  /** Builds the command that resumes an unfinished job (the CLI knows its syntax). */
  @FunctionalInterface
  public interface ResumeCommands {
    String of(JobParameters parameters, Path stagingDir);
  }

  /** The rows of one Parquet file. */
  @FunctionalInterface
  private interface RowCounter {
    long rows(Path file) throws IOException;
  }

  private final Clock clock;
  private final RowCounter rowCounter;
  private final ResumeCommands resumeCommands;

  public StatusReader(Clock clock, ResumeCommands resumeCommands) {
    this(clock, FooterRows.local()::rows, resumeCommands);
  }

  /** @param inputFiles how Parquet files are opened (tests count the bytes read) */
  StatusReader(Clock clock, Function<Path, InputFile> inputFiles,
      ResumeCommands resumeCommands) {
    this(clock, new FooterRows(inputFiles)::rows, resumeCommands);
  }

  private StatusReader(Clock clock, RowCounter rows, ResumeCommands resumeCommands) {
    this.clock = clock;
    this.rowCounter = rows;
    this.resumeCommands = resumeCommands;
  }

  public WarehouseStatus read(StatusRequest request) {
    WarehouseLayout layout = new WarehouseLayout(request.warehouseDir());
    layout.requireExistingDirectory();
    Instant now = clock.instant();
    CoverageResult coverage = coverage(layout);
    SourceStatus source = source(request, coverage.covered(), coverage.settings());
    Map<String, TableStatus> tables = new LinkedHashMap<>();
    for (ExportTable table : ExportTable.values()) {
      tables.put(table.tableName(), table(layout, table));
    }
    WarehouseLock.State lock = WarehouseLock.probe(layout);
    Integer replaced;
    try {
      replaced = ReplacedFiles.load(layout).paths().size();
    } catch (ArexportException e) {
      replaced = null;
    }
    return new WarehouseStatus(WarehouseStatus.Mode.DIRECTORY, layout.root().toString(),
        now.toString(), coverage.status,
        source, tables, jobs(request.stagingDir(),
            // The staging directory may be shared (the default data/staging is): another
            // warehouse's job, with its resume command, is not this warehouse's.
            parameters -> request.warehouseDir().toString().equals(parameters.warehouseDir()),
            resumeCommands),
        new LockStatus(lock.held(), lock.stale(), lock.holder()),
        Files.exists(PartitionCommitter.journalFile(layout)), replaced,
        PartitionCommitter.pendingCommitProblem(layout).orElse(null),
        request.stagingDir().toString());
  }

  private record CoverageResult(CoverageStatus status, Coverage covered,
      Optional<ExportSettings> settings) {}

  private static CoverageResult coverage(WarehouseLayout layout) {
    DirectoryCoverageStore store = new DirectoryCoverageStore(layout);
    Coverage covered;
    Optional<ExportSettings> settings;
    String error = null;
    try {
      covered = store.covered();
      settings = store.recordedSettings();
    } catch (ArexportException e) {
      covered = store.directories();
      settings = Optional.empty();
      error = e.getMessage();
    }
    CoverageStatus status = new CoverageStatus(Range.of(covered.ranges()),
        Range.of(covered.gaps()), boxed(covered.lowest()), boxed(covered.highest()),
        Files.exists(store.recordFile()),
        settings.map(RecordedRows::of).orElse(null), error);
    return new CoverageResult(status, covered, settings);
  }

  /**
   * The source's stable heights and how far {@code covered} lags behind them; shared with the
   * catalog-mode status reader.
   */
  public static SourceStatus source(StatusRequest request, Coverage covered,
      Optional<ExportSettings> recordedSettings) {
    String core = request.coreDb().toString();
    String bundles = request.bundlesDb().toString();
    // The tables a sync of this warehouse reads: L1 transactions unless the record says not.
    boolean includeL1 = recordedSettings
        .map(r -> r.includeL1Transactions() || r.includeL1Tags()).orElse(true);
    try {
      StableHeights heights = StableHeights.read(
          new SourcePaths(request.coreDb(), request.bundlesDb()), includeL1);
      Long tip = boxed(heights.highest());
      Long highest = boxed(covered.highest());
      return new SourceStatus(true, core, bundles, boxed(heights.lowest()), tip,
          tip == null || highest == null ? null : tip - highest, null);
    } catch (ArexportException e) {
      return new SourceStatus(false, core, bundles, null, null, null, e.getMessage());
    }
  }

  private TableStatus table(WarehouseLayout layout, ExportTable table) {
    long files = 0;
    long rows = 0;
    long bytes = 0;
    List<String> unreadable = new ArrayList<>();
    Map<HeightRange, Path> dirs = layout.partitionDirs(table);
    for (Path dir : dirs.values()) {
      for (Path file : WarehouseLayout.parquetFiles(dir)) {
        files++;
        try {
          bytes += Files.size(file);
          rows += rowCounter.rows(file);
        } catch (IOException | RuntimeException e) {
          unreadable.add(layout.relative(file));
        }
      }
    }
    return new TableStatus(dirs.size(), files, rows, bytes,
        Range.of(Coverage.of(dirs.keySet()).ranges()), unreadable, iceberg(layout, table));
  }

  private static IcebergStatus iceberg(WarehouseLayout layout, ExportTable table) {
    Path metadataDir = layout.metadataDir(table);
    if (!Files.isDirectory(metadataDir)) {
      return null;
    }
    try {
      LocalTableOperations ops = LocalTableOperations.open(metadataDir,
          new WarehouseFileIO(layout.root()), FaultPoints.NONE);
      TableMetadata metadata = ops.current();
      if (metadata == null) {
        return null;
      }
      Snapshot snapshot = metadata.currentSnapshot();
      Long total = Snapshots.totalRecords(snapshot);
      return new IcebergStatus(ops.version(), snapshot == null ? null : snapshot.snapshotId(),
          snapshot == null ? null : Instant.ofEpochMilli(snapshot.timestampMillis()).toString(),
          metadata.snapshots().size(), total, null, null);
    } catch (RuntimeException e) {
      return new IcebergStatus(null, null, null, null, null,
          String.valueOf(e.getMessage()).lines().findFirst().orElse(""), null);
    }
  }

  /**
   * The unfinished jobs in {@code stagingDir} whose parameters {@code belongs} accepts (jobs
   * without a readable checkpoint are always listed: nobody knows where they publish).
   */
  public static List<JobStatus> jobs(Path stagingDir, Predicate<JobParameters> belongs,
      ResumeCommands resumeCommands) {
    List<JobStatus> jobs = new ArrayList<>();
    for (UnfinishedJob job : UnfinishedJob.list(stagingDir)) {
      Checkpoint checkpoint = job.checkpoint();
      String name = job.directory().getFileName().toString();
      if (checkpoint != null && !belongs.test(checkpoint.parameters())) {
        continue;
      }
      if (checkpoint == null) {
        jobs.add(new JobStatus(name.substring("job-".length()), job.directory().toString(),
            null, null, null, null, null, null, null, null, null, job.problem(),
            job.running()));
        continue;
      }
      JobParameters p = checkpoint.parameters();
      jobs.add(new JobStatus(checkpoint.jobId(), job.directory().toString(), p.startHeight(),
          p.endHeight(), checkpoint.lastCompletedHeight(), checkpoint.updatedAt(),
          p.heightPartitionSize(), p.includeL1Transactions(), p.includeL1Tags(),
          p.warehouseDir(), resumeCommands.of(p, stagingDir), null, job.running()));
    }
    return jobs;
  }

  static Long boxed(java.util.OptionalLong value) {
    return value.isPresent() ? value.getAsLong() : null;
  }
}
