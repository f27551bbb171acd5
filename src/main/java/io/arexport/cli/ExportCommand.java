package io.arexport.cli;

import io.arexport.Cancellation;
import io.arexport.export.ExportRequest;
import io.arexport.export.ExportSummary;
import io.arexport.export.Exporter;
import io.arexport.export.FaultPoints;
import io.arexport.parquet.Compression;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code arexport export}: options to a validated {@link ExportRequest}, then {@link Exporter}. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    header = "Exports the stable rows of a height range from the gateway's SQLite databases"
        + " to Parquet.",
    description = "Streams the rows into Parquet tables blocks, transactions and tags,"
        + " partitioned by height. Each partition is written to a staging job directory, moved"
        + " atomically into the warehouse and checkpointed; after a failure, rerun the same"
        + " command with --resume. On a terminal a progress bar shows the run; otherwise one"
        + " line per partition goes to stderr.",
    footer = {
        "",
        "Examples:",
        "  # Heights 1000000-1010000 from data/sqlite into data/datasets/default",
        "  arexport export --startHeight 1000000 --endHeight 1010000",
        "",
        "  # 5000-block partitions, L1 transactions and tags, a custom warehouse",
        "  arexport export --startHeight 1000000 --endHeight 2000000 \\",
        "      --heightPartitionSize 5000 --includeL1Transactions --includeL1Tags \\",
        "      --warehouseDir /srv/warehouse",
        "",
        "  # Lakehouse mode: publish to S3 through a REST catalog (docs/lakehouse.md)",
        "  arexport export --startHeight 1000000 --endHeight 1010000 \\",
        "      --catalog-type rest --catalog-uri https://catalog.example/api \\",
        "      --catalog-warehouse s3://bucket/ario --catalog-property token=$TOKEN",
        "",
        "  # Continue after a crash, with a JSON summary for cron",
        "  arexport export --startHeight 1000000 --endHeight 2000000 --resume --json",
        "",
        "SIGINT/SIGTERM stop the run at the next safe point (status 1); --resume continues.",
        "",
        "Exit status: 0 ok, 1 runtime failure, 2 usage or invalid input,"
            + " 3 state conflict (lock held, overlapping partition, checkpoint mismatch),"
            + " 4 internal error."})
final class ExportCommand implements Callable<Integer> {
  private final CommandEnvironment environment;

  @Mixin HeightRangeOptions heights = new HeightRangeOptions();

  @Mixin SourceOptions source = new SourceOptions();

  @Mixin CatalogOptions catalog = new CatalogOptions();

  @Mixin ExportWriteOptions write = new ExportWriteOptions();

  @Option(names = "--resume",
      description = "Continue the newest unfinished job with the same parameters.")
  boolean resume;

  @Option(names = "--no-iceberg",
      description = "Do not commit Iceberg metadata at the end, even for tables that have it"
          + " (directory warehouse only).")
  boolean noIceberg;

  @Mixin ProgressOptions progressOptions = new ProgressOptions();

  @Option(names = "--json", description = "Print the run summary as JSON on stdout.")
  boolean json;

  @Mixin StacktraceOption stacktrace = new StacktraceOption();

  ExportCommand(CommandEnvironment environment) {
    this.environment = environment;
  }

  @SuppressWarnings("try") // the resource is held for the block, not used in it
  @Override
  public Integer call() throws Exception {
    try (QuietLogging logging = progressOptions.logging(environment)) {
      return export();
    }
  }

  private int export() throws Exception {
    ExportRequest request = ExportRequest.builder(heights.range(), source.coreDb,
            source.bundlesDb)
        .stagingDir(write.stagingDir)
        .warehouseDir(source.warehouseDir)
        .heightPartitionSize(source.heightPartitionSize)
        .maxFileRows(write.maxFileRows)
        .includeL1Transactions(source.includeL1Transactions)
        .includeL1Tags(source.includeL1Tags)
        .resume(resume)
        .compression(Compression.parse(write.compression))
        .commitIceberg(!noIceberg)
        .threads(write.threads())
        .catalog(catalog.spec(environment.env()))
        .build();
    ConsoleProgress progress = progressOptions.progress(environment, request.range(),
        resumeCommand(request));
    Cancellation cancellation = environment.stopRequests().cooperate();
    FaultPoints faults = PausingFaultPoints.fromEnvironment(environment.env(), environment.err(),
        cancellation);
    Exporter exporter = new Exporter(environment.clock(), environment.pid(), progress, faults,
        Modes.publisher(request.catalog(), environment, faults), cancellation);
    ExportSummary summary = exporter.run(request);
    progress.finished();
    if (json) {
      SummaryOptions.printJson(summary, environment.out());
    } else {
      SummaryText.print(summary, environment.out());
    }
    return ExitCodes.OK;
  }

  /** The exact command that resumes this request, with absolute paths. */
  static String resumeCommand(ExportRequest request) {
    StringBuilder command = new StringBuilder("arexport export")
        .append(" --startHeight ").append(request.range().start())
        .append(" --endHeight ").append(request.range().end())
        .append(" --heightPartitionSize ").append(request.heightPartitionSize())
        .append(" --maxFileRows ").append(request.maxFileRows());
    if (request.includeL1Transactions()) {
      command.append(" --includeL1Transactions");
    }
    if (request.includeL1Tags()) {
      command.append(" --includeL1Tags");
    }
    command.append(" --coreDb ").append(Shell.quote(request.coreDb().toString()))
        .append(" --bundlesDb ").append(Shell.quote(request.bundlesDb().toString()))
        .append(" --stagingDir ").append(Shell.quote(request.stagingDir().toString()))
        .append(request.catalog().isDirectory()
            ? " --warehouseDir " + Shell.quote(request.warehouseDir().toString())
            : request.catalog().options(Shell::quote))
        .append(" --compression ").append(request.compression().optionValue())
        .append(request.commitIceberg() ? "" : " --no-iceberg")
        .append(" --resume");
    return command.toString();
  }
}
