package io.arexport.cli;

import io.arexport.HeightRange;
import io.arexport.export.ExportRequest;
import io.arexport.catalog.CatalogSpec;
import io.arexport.lakehouse.CatalogStatusReader;
import io.arexport.status.StatusReader;
import io.arexport.status.StatusRequest;
import io.arexport.status.WarehouseStatus;
import io.arexport.warehouse.JobParameters;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code arexport status}: options to a {@link StatusRequest}, then {@link StatusReader}
 * (directory mode) or {@link CatalogStatusReader} (catalog options).
 */
@Command(
    name = "status",
    header = "Shows what a warehouse holds, its gaps, its lag behind the gateway and its"
        + " pending jobs.",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
        "Shows what a warehouse holds: the heights covered and the gaps, per table the"
            + " partitions, files, rows (from Parquet footers) and bytes and the current Iceberg"
            + " snapshot; the gateway's stable tip and how far behind the warehouse is; unfinished"
            + " staging jobs with the command that resumes each; who holds the lock. Only reads,"
            + " takes no lock. With the catalog options it reports the catalog's tables from"
            + " their current snapshots' manifests (rows are the commits' record counts), the"
            + " metadata file the catalog reports, and the staging jobs that publish to that"
            + " catalog; there is no lock (docs/lakehouse.md)."},
    footer = {
        "",
        "Examples:",
        "  arexport status",
        "  arexport status --warehouseDir /srv/warehouse --stagingDir /srv/staging --json",
        "",
        "  # The tables of a JDBC catalog (lakehouse mode, docs/lakehouse.md)",
        "  arexport status --json --stagingDir /srv/staging \\",
        "      --catalog-type jdbc --catalog-uri jdbc:postgresql://db/iceberg \\",
        "      --catalog-warehouse s3://bucket/ario \\",
        "      --catalog-property jdbc.user=ario \\",
        "      --catalog-property jdbc.password=$PGPASSWORD",
        "",
        "Exit status: 0 ok (whatever the warehouse's state), 1 runtime failure (catalog"
            + " unreachable), 2 usage or"
            + " invalid input (no such warehouse, bad catalog options), 4 internal error."})
final class StatusCommand implements Callable<Integer> {
  private final CommandEnvironment environment;

  @Option(names = {"--warehouseDir", "--warehouse-dir", "--datasets-dir"}, paramLabel = "DIR",
      defaultValue = "data/datasets/default",
      description = "The warehouse (default: ${DEFAULT-VALUE}).")
  Path warehouseDir;

  @Option(names = {"--stagingDir", "--staging-dir"}, paramLabel = "DIR",
      defaultValue = "data/staging",
      description = "Where unfinished jobs are (default: ${DEFAULT-VALUE}).")
  Path stagingDir;

  @Option(names = {"--coreDb", "--core-db"}, paramLabel = "FILE",
      defaultValue = "data/sqlite/core.db",
      description = "Gateway core.db, for the stable tip; optional (default: ${DEFAULT-VALUE}).")
  Path coreDb;

  @Option(names = {"--bundlesDb", "--bundles-db"}, paramLabel = "FILE",
      defaultValue = "data/sqlite/bundles.db",
      description = "Gateway bundles.db, for the stable tip; optional"
          + " (default: ${DEFAULT-VALUE}).")
  Path bundlesDb;

  @Mixin CatalogOptions catalog = new CatalogOptions();

  @Option(names = "--json", description = "Print the status as JSON on stdout.")
  boolean json;

  @Mixin StacktraceOption stacktrace = new StacktraceOption();

  StatusCommand(CommandEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() throws Exception {
    CatalogSpec spec = catalog.spec(environment.env());
    StatusRequest request = new StatusRequest(warehouseDir, stagingDir, coreDb, bundlesDb, spec);
    WarehouseStatus status = spec.isDirectory()
        ? new StatusReader(environment.clock(), StatusCommand::resumeCommand).read(request)
        : new CatalogStatusReader(environment.clock(),
            (parameters, staging) -> resumeCommand(parameters, staging, spec)).read(request);
    if (json) {
      SummaryOptions.printJson(status, environment.out());
    } else {
      print(status, environment.out());
    }
    return ExitCodes.OK;
  }

  /**
   * The export command that resumes a job. The checkpoint does not record the compression or
   * --no-iceberg (a resume need not match them), so the command has the defaults.
   */
  static String resumeCommand(JobParameters p, Path stagingDir) {
    return ExportCommand.resumeCommand(resumeOf(p, stagingDir)
        .warehouseDir(Path.of(p.warehouseDir()))
        .build());
  }

  /**
   * The export command that resumes a job of the catalog {@code spec}: its catalog options, with
   * secrets redacted as in every printed command (the operator supplies them again).
   */
  static String resumeCommand(JobParameters p, Path stagingDir, CatalogSpec spec) {
    return ExportCommand.resumeCommand(resumeOf(p, stagingDir)
        .warehouseDir(Path.of("."))
        .catalog(spec)
        .build());
  }

  /** The resume of the job {@code p} with the default compression and Iceberg commit. */
  private static ExportRequest.Builder resumeOf(JobParameters p, Path stagingDir) {
    return ExportRequest.builder(new HeightRange(p.startHeight(), p.endHeight()),
            Path.of(p.coreDb()), Path.of(p.bundlesDb()))
        .stagingDir(stagingDir)
        .heightPartitionSize(p.heightPartitionSize())
        .maxFileRows(p.maxFileRows())
        .includeL1Transactions(p.includeL1Transactions())
        .includeL1Tags(p.includeL1Tags())
        .resume(true)
        .threads(1);
  }

  static void print(WarehouseStatus status, PrintStream out) {
    boolean directory = status.mode() == WarehouseStatus.Mode.DIRECTORY;
    out.println("warehouse " + status.warehouse());
    printCoverage(status.coverage(), directory, out);
    printSource(status.source(), out);
    for (Map.Entry<String, WarehouseStatus.TableStatus> entry : status.tables().entrySet()) {
      printTable(entry.getKey(), entry.getValue(), directory, out);
    }
    printJobs(status, out);
    if (directory) {
      printLockAndCommits(status, out);
    } else {
      out.println("  lock:     none (catalog commits are optimistic)");
    }
  }

  private static void printCoverage(WarehouseStatus.CoverageStatus coverage, boolean directory,
      PrintStream out) {
    out.println("  heights:  " + (coverage.ranges().isEmpty() ? "none" : ranges(coverage.ranges()))
        + (coverage.recorded() ? ""
            : directory ? " (from partition directories; no sync record)"
            : " (from the tables' live data files)"));
    out.println("  gaps:     " + (coverage.gaps().isEmpty() ? "none" : ranges(coverage.gaps())));
    if (coverage.error() != null) {
      out.println("  coverage record unreadable: " + coverage.error());
    }
  }

  private static void printSource(WarehouseStatus.SourceStatus source, PrintStream out) {
    if (source.available()) {
      out.println("  source:   stable tip " + orNone(source.stableTip()) + ", lowest "
          + orNone(source.lowestHeight()) + lag(source.lagHeights()));
    } else {
      out.println("  source:   not readable (" + source.error() + ")");
    }
  }

  private static void printTable(String name, WarehouseStatus.TableStatus table,
      boolean directory, PrintStream out) {
    out.printf("  %-13s %,8d partitions %,8d files %,14d rows %12s%n", name,
        table.partitions(), table.files(), table.rows(), SummaryText.bytes(table.bytes()));
    WarehouseStatus.IcebergStatus iceberg = table.iceberg();
    if (iceberg == null) {
      out.println("                iceberg: none");
    } else if (iceberg.error() != null) {
      out.println("                iceberg: unreadable (" + iceberg.error() + ")");
    } else {
      out.println("                iceberg: v" + iceberg.version() + ", snapshot "
          + orNone(iceberg.snapshotId()) + " committed " + orNone(iceberg.committedAt()) + ", "
          + iceberg.snapshots() + " snapshot" + (iceberg.snapshots() == 1 ? "" : "s"));
      if (iceberg.metadataFile() != null) {
        out.println("                metadata: " + iceberg.metadataFile());
      }
      // In directory mode the files on disk are the table; the snapshot catches up at the next
      // commit (a stopped or --no-iceberg run left it behind, or replaced files await it). The
      // rows of an unreadable file are not in table.rows(): then the difference is that file,
      // which a commit would not mend (metadata refuses an unreadable file).
      if (directory && iceberg.snapshotRows() != null && iceberg.snapshotRows() != table.rows()
          && table.unreadableFiles().isEmpty()) {
        out.printf("                snapshot lists %,d rows, the partition directories %,d:"
            + " 'arexport metadata' (or the next export, or a sync that exports something)"
            + " commits the difference%n",
            iceberg.snapshotRows(), table.rows());
      }
    }
    for (String file : table.unreadableFiles()) {
      out.println("                unreadable footer: " + file);
    }
    if (!table.unreadableFiles().isEmpty()) {
      out.println("                (not counted in rows: export that partition's heights"
          + " again to replace the file)");
    }
  }

  private static void printJobs(WarehouseStatus status, PrintStream out) {
    if (status.stagingJobs().isEmpty()) {
      out.println("  staging:  no unfinished jobs in " + status.stagingDir());
    }
    for (WarehouseStatus.JobStatus job : status.stagingJobs()) {
      if (job.problem() != null) {
        out.println("  job " + job.jobId() + ": " + job.problem());
      } else {
        out.println("  job " + job.jobId() + ": heights " + job.startHeight() + "-"
            + job.endHeight() + ", checkpoint at " + job.lastCompletedHeight() + " ("
            + job.updatedAt() + ")" + (job.running() ? ", running" : ""));
        if (!job.running()) {
          out.println("    resume: " + job.resumeCommand());
        }
      }
    }
  }

  /** The warehouse lock and the state files of a directory warehouse's commits. */
  private static void printLockAndCommits(WarehouseStatus status, PrintStream out) {
    WarehouseStatus.LockStatus lock = status.lock();
    out.println("  lock:     " + (lock.held() ? "held by " + orNone(lock.holder())
        : lock.stale() ? "free (stale holder line: " + lock.holder() + ")" : "free"));
    if (status.pendingCommitProblem() != null) {
      out.println("  an interrupted partition commit is pending but its journal is unusable, so"
          + " export, sync and metadata stop (exit 3) until it is dealt with: "
          + status.pendingCommitProblem());
    } else if (status.pendingCommit() && lock.held()) {
      out.println("  a partition commit is in progress (or the lock holder completes an"
          + " interrupted one)");
    } else if (status.pendingCommit()) {
      out.println("  an interrupted partition commit is pending; the next export, sync or"
          + " metadata run completes (or, its staged files gone, undoes) it");
    }
    Integer replaced = status.replacedFilesAwaitingDeletion();
    if (replaced == null) {
      out.println("  the record of replaced files (.arexport/replaced-files.json) is unreadable:"
          + " export (unless --no-iceberg), metadata and verify stop on it (exit 3) until it is"
          + " dealt with, and Parquet readers may see the files it lists beside their"
          + " replacements");
    } else if (replaced > 0) {
      out.println("  " + replaced + " replaced files await the next Iceberg commit");
    }
  }

  private static String lag(Long heights) {
    if (heights == null) {
      return "";
    }
    return heights >= 0 ? ", warehouse " + heights + " heights behind"
        : ", warehouse " + -heights + " heights ahead of the source";
  }

  private static String ranges(List<WarehouseStatus.Range> ranges) {
    return ranges.stream().map(r -> r.start() + "-" + r.end()).collect(Collectors.joining(", "));
  }

  private static String orNone(Object value) {
    return value == null ? "none" : value.toString();
  }
}
