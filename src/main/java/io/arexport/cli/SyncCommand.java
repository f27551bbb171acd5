package io.arexport.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.arexport.ArexportException;
import io.arexport.Cancellation;
import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import io.arexport.export.ExportListener;
import io.arexport.export.Exporter;
import io.arexport.export.FaultPoints;
import io.arexport.export.PartitionChangedException;
import io.arexport.export.PartitionResult;
import io.arexport.parquet.Compression;
import io.arexport.schema.ExportTable;
import io.arexport.sync.CoverageStore;
import io.arexport.sync.Sleeper;
import io.arexport.sync.SyncListener;
import io.arexport.sync.SyncPlan;
import io.arexport.sync.SyncRequest;
import io.arexport.sync.SyncSummary;
import io.arexport.sync.SyncWatcher;
import io.arexport.sync.Syncer;
import io.arexport.warehouse.WarehouseLockedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code arexport sync}: options to a validated {@link SyncRequest}, then {@link Syncer}. */
@Command(
    name = "sync",
    header = "Exports everything new since the last run, up to the gateway's stable tip.",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
        "Exports everything new since the last run: from the warehouse's frontier (the highest"
            + " height through which every partition is complete; a partial partition at the old"
            + " tip is exported again whole) up to the gateway's highest stable height. With"
            + " nothing new it writes nothing. Unfinished jobs with the same settings are resumed"
            + " first (not those reaching above --endHeight). --watch repeats it every --interval, for a service."},
    footer = {
        "",
        "Examples:",
        "  # First run on an empty warehouse: start at height 1000000",
        "  arexport sync --startHeight 1000000 --includeL1Transactions --includeL1Tags",
        "",
        "  # From cron or a systemd timer: everything new, a JSON summary",
        "  arexport sync --includeL1Transactions --includeL1Tags --json",
        "",
        "  # As a service: a cycle every 10 minutes, stop with SIGTERM",
        "  arexport sync --watch --interval 10m --includeL1Transactions --includeL1Tags",
        "",
        "  # Also export partitions missing below the frontier",
        "  arexport sync --fill-gaps",
        "",
        "  # Lakehouse mode: sync the tables of a REST catalog (docs/lakehouse.md)",
        "  arexport sync --includeL1Transactions --includeL1Tags --catalog-type rest \\",
        "      --catalog-uri https://catalog.example/api \\",
        "      --catalog-warehouse s3://bucket/ario --catalog-property token=$TOKEN",
        "",
        "Give every run the same --heightPartitionSize and L1 flags.",
        "Without --watch: exit 0 synced or up to date, 1 runtime failure or stopped, 2 invalid"
            + " input, 3 state conflict (lock held, overlapping partition, other L1 flags),"
            + " 4 internal error. With --watch: retries runtime failures with a backoff, waits"
            + " for a held lock, exits 0 when stopped by SIGINT/SIGTERM, 2, 3 or 4 as above."
            + " In catalog mode there is no lock; a commit that conflicts with another writer"
            + " exits 3 (the job is dropped: the next sync plans from the tables); with --watch"
            + " the next cycle does that after a backoff."})
final class SyncCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);
  private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
  private static final Duration MAX_INTERVAL = Duration.ofDays(366);

  private final CommandEnvironment environment;

  @Option(names = {"--startHeight", "--start-height"}, paramLabel = "HEIGHT",
      description = "Lowest height the warehouse should hold (default: where it starts, or the"
          + " source's lowest stable height for an empty warehouse).")
  Long startHeight;

  @Option(names = {"--endHeight", "--end-height"}, paramLabel = "HEIGHT",
      description = "Export no higher than this (default: the source's highest stable height).")
  Long endHeight;

  @Mixin SourceOptions source = new SourceOptions();

  @Mixin ExportWriteOptions write = new ExportWriteOptions();

  @Option(names = "--no-iceberg",
      description = "Do not commit Iceberg metadata after each export, even for tables that"
          + " have it (directory warehouse only).")
  boolean noIceberg;

  @Mixin CatalogOptions catalog = new CatalogOptions();

  @Option(names = {"--fill-gaps", "--fillGaps"},
      description = "Also export the partitions missing below the frontier.")
  boolean fillGaps;

  @Option(names = "--watch", description = "Run a cycle every --interval until SIGINT/SIGTERM.")
  boolean watch;

  @Option(names = "--interval", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Time between the starts of two --watch cycles, e.g. 30s, 10m, 1h"
          + " (default: 10m; 1s to 366d).")
  Duration interval;

  @Option(names = "--json", description = "Print each cycle's summary as JSON on stdout (one"
      + " object per line with --watch).")
  boolean json;

  @Mixin ProgressOptions progressOptions = new ProgressOptions();

  @Mixin StacktraceOption stacktrace = new StacktraceOption();

  @Spec CommandSpec spec;

  SyncCommand(CommandEnvironment environment) {
    this.environment = environment;
  }

  @SuppressWarnings("try") // the resource is held for the block, not used in it
  @Override
  public Integer call() throws Exception {
    try (QuietLogging logging = progressOptions.logging(environment)) {
      return sync();
    }
  }

  private int sync() throws Exception {
    SyncRequest request;
    try {
      request = request();
    } catch (ArexportException e) {
      if (watch) {
        // A service's JSON stream ends saying why, whether the first cycle or the options failed.
        new WatchOutput().gaveUp(e);
      }
      throw e;
    }
    Cancellation cancellation = environment.stopRequests().cooperate();
    FaultPoints faults = PausingFaultPoints.fromEnvironment(environment.env(), environment.err(),
        cancellation);
    Progress progress = new Progress(request);
    CoverageStore coverage = Modes.coverage(request.catalog(), request.warehouseDir());
    Exporter exporter = new Exporter(environment.clock(), environment.pid(), progress, faults,
        Modes.publisher(request.catalog(), environment, faults), cancellation)
        .runningAs(watch ? "arexport sync --watch" : "arexport sync");
    Syncer syncer = new Syncer(environment.clock(), exporter, coverage, progress, cancellation);
    if (!watch) {
      SyncSummary summary = syncer.run(request);
      if (json) {
        SummaryOptions.printJson(summary, environment.out());
      } else {
        environment.out().println(line(summary));
      }
      return ExitCodes.OK;
    }
    new SyncWatcher(environment.clock(), Sleeper.SYSTEM, cancellation,
        SyncWatcher.Policy.of(every()), new WatchOutput())
        .run(() -> syncer.run(request));
    return ExitCodes.OK;
  }

  /** The options as a checked request; bad input fails here, before anything is opened. */
  private SyncRequest request() {
    if (interval != null && !watch) {
      throw new InvalidInputException("--interval " + intervalAsTyped() + " needs --watch");
    }
    // Below a second a watch only spins; beyond a year the next start overflows a clock.
    if (every().compareTo(MIN_INTERVAL) < 0 || every().compareTo(MAX_INTERVAL) > 0) {
      throw new InvalidInputException("--interval must be between 1s and 366d: "
          + intervalAsTyped());
    }
    return new SyncRequest(optional(startHeight), optional(endHeight),
        source.heightPartitionSize, write.maxFileRows, source.includeL1Transactions,
        source.includeL1Tags, source.coreDb, source.bundlesDb, write.stagingDir,
        source.warehouseDir, Compression.parse(write.compression), !noIceberg,
        write.threads(), fillGaps, catalog.spec(environment.env()));
  }

  /** How often --watch runs a cycle. */
  private Duration every() {
    return interval == null ? DEFAULT_INTERVAL : interval;
  }

  /** The --interval value as the operator typed it ("10m", not "PT10M"), for messages. */
  private String intervalAsTyped() {
    List<String> typed = spec.findOption("--interval").originalStringValues();
    return typed.isEmpty() ? String.valueOf(interval) : typed.get(typed.size() - 1);
  }

  private static OptionalLong optional(Long value) {
    return value == null ? OptionalLong.empty() : OptionalLong.of(value);
  }

  /** The one-line text summary of a cycle. */
  static String line(SyncSummary summary) {
    String position = "warehouse holds up to height " + orNone(summary.highestAfter())
        + ", source stable tip " + orNone(summary.sourceTip());
    if (summary.outcome().equals(SyncSummary.UP_TO_DATE)) {
      return "up to date: " + position + "; nothing written";
    }
    StringBuilder ranges = new StringBuilder();
    for (SyncSummary.Run run : summary.runs()) {
      if (ranges.length() > 0) {
        ranges.append(", ");
      }
      ranges.append(run.startHeight()).append('-').append(run.endHeight());
      if (run.kind() != SyncPlan.Kind.NEW) {
        ranges.append(run.kind() == SyncPlan.Kind.RESUME ? " (resumed job)" : " (gap)");
      }
    }
    long rows = summary.tables().values().stream().mapToLong(t -> t.rows()).sum();
    return String.format("synced heights %s: %,d partition%s, %,d rows (blocks %,d,"
            + " transactions %,d, tags %,d)%s in %s; %s", ranges, summary.partitions(),
        summary.partitions() == 1 ? "" : "s", rows, summary.tables().get("blocks").rows(),
        summary.tables().get("transactions").rows(), summary.tables().get("tags").rows(),
        summary.icebergCommitted() ? ", iceberg committed" : "",
        SummaryText.duration(Duration.ofMillis(summary.durationMillis())), position);
  }

  private static String orNone(Long height) {
    return height == null ? "(none)" : height.toString();
  }

  /**
   * Export progress on stderr, one {@link ConsoleProgress} per export of a cycle, each knowing the
   * command that resumes its own job.
   */
  private final class Progress implements ExportListener, SyncListener {
    private final SyncRequest request;
    private ConsoleProgress current;
    private Path kept;

    Progress(SyncRequest request) {
      this.request = request;
    }

    @Override
    public void exporting(SyncPlan.Kind kind, HeightRange heights, String jobId) {
      ConsoleProgress.Mode mode = progressOptions.mode();
      if (mode != ConsoleProgress.Mode.QUIET) {
        environment.err().println("arexport: sync: " + switch (kind) {
          case RESUME -> "resuming unfinished job " + jobId + " (heights " + heights + ")";
          case GAP -> "filling gap " + heights;
          case NEW -> "exporting heights " + heights;
        });
      }
      current = new ConsoleProgress(environment.err(), mode,
          Terminal.columnsOrDefault(environment.env()), environment.clock(),
          "the same 'arexport sync' (it resumes this job first), or "
              + ExportCommand.resumeCommand(request.exportOf(heights, true)), heights);
    }

    private ExportListener delegate() {
      return current == null ? ExportListener.NONE : current;
    }

    @Override
    public void jobStarted(String jobId, Path jobDir, boolean resumed, long partitions) {
      delegate().jobStarted(jobId, jobDir, resumed, partitions);
    }

    @Override
    public void noJobToResume(Path stagingDir) {
      delegate().noJobToResume(stagingDir);
    }

    @Override
    public void rowsWritten(HeightRange partition, ExportTable table, long rows) {
      delegate().rowsWritten(partition, table, rows);
    }

    @Override
    public void partitionDone(PartitionResult result, long position, long total) {
      delegate().partitionDone(result, position, total);
    }

    /**
     * Held back until the Syncer says whether the job stays: after a lost commit race it drops
     * the job, and "staging kept ..., resume with ..." would then be wrong.
     */
    @Override
    public void jobKept(Path jobDir) {
      kept = jobDir;
    }

    @Override
    public void exportFailed(HeightRange heights, boolean jobKept) {
      if (jobKept && kept != null) {
        delegate().jobKept(kept);
      }
      kept = null;
    }
  }

  /** --watch output: a line (or JSON object) per cycle on stdout, waits and failures on stderr. */
  private final class WatchOutput implements SyncWatcher.Listener {
    @Override
    public void synced(SyncSummary summary, Duration nextIn) {
      if (json) {
        print(JSON.valueToTree(summary));
      } else {
        environment.out().println(line(summary) + " (next cycle in "
            + SummaryText.duration(nextIn) + ")");
      }
    }

    @Override
    public void failed(ArexportException failure, int consecutiveFailures, Duration retryIn) {
      environment.err().println("arexport: sync cycle failed (" + consecutiveFailures
          + " in a row): " + failure.getMessage() + "; retrying in "
          + SummaryText.duration(retryIn));
      if (stacktrace.requested) {
        // The cause chain may hold a driver's exception naming the catalog URL as given.
        environment.err().print(ExitCodes.scrubbedStackTrace(failure, catalog));
      }
      Map<String, Object> event = new LinkedHashMap<>();
      event.put("outcome", "failed");
      event.put("at", environment.clock().instant().toString());
      event.put("error", failure.getMessage());
      event.put("exitStatus", ExitCodes.of(failure));
      event.put("consecutiveFailures", consecutiveFailures);
      event.put("retryInSeconds", retryIn.toSeconds());
      if (json) {
        print(JSON.valueToTree(event));
      }
    }

    @Override
    public void waitingForLock(WarehouseLockedException held, Duration retryIn) {
      environment.err().println("arexport: " + held.getMessage() + "; waiting, next try in "
          + SummaryText.duration(retryIn));
      Map<String, Object> event = new LinkedHashMap<>();
      event.put("outcome", "waiting-for-lock");
      event.put("at", environment.clock().instant().toString());
      event.put("error", held.getMessage());
      event.put("retryInSeconds", retryIn.toSeconds());
      if (json) {
        print(JSON.valueToTree(event));
      }
    }

    @Override
    public void lostRace(PartitionChangedException race, int consecutiveRaces,
        Duration retryIn) {
      environment.err().println("arexport: " + race.getMessage() + "; next cycle in "
          + SummaryText.duration(retryIn));
      Map<String, Object> event = new LinkedHashMap<>();
      event.put("outcome", "lost-race");
      event.put("at", environment.clock().instant().toString());
      event.put("error", race.getMessage());
      event.put("consecutiveRaces", consecutiveRaces);
      event.put("retryInSeconds", retryIn.toSeconds());
      if (json) {
        print(JSON.valueToTree(event));
      }
    }

    @Override
    public void stopped(String where) {
      environment.err().println("arexport: sync --watch stopped on request (" + where + ")");
      // The last JSON line says why the watch ended, as for "exited": a stop during an export
      // has published partitions that no "synced" line reports.
      if (json) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("outcome", "stopped");
        event.put("at", environment.clock().instant().toString());
        event.put("where", where);
        event.put("exitStatus", ExitCodes.OK);
        print(JSON.valueToTree(event));
      }
    }

    /** The last JSON line says why the watch ended (stderr has the error line already). */
    @Override
    public void gaveUp(ArexportException failure) {
      if (json) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("outcome", "exited");
        event.put("at", environment.clock().instant().toString());
        event.put("error", failure.getMessage());
        event.put("exitStatus", ExitCodes.of(failure));
        print(JSON.valueToTree(event));
      }
    }

    private void print(Object node) {
      environment.out().println(node.toString());
      environment.out().flush();
    }
  }
}
