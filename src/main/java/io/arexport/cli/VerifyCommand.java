package io.arexport.cli;

import io.arexport.verify.Verifier;
import io.arexport.verify.VerifyRequest;
import io.arexport.verify.VerifySummary;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code arexport verify}: options to a validated {@link VerifyRequest}, then {@link Verifier}. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    header = "Checks that the warehouse holds exactly the gateway's rows of a height range.",
    description = "Compares the warehouse with the gateway's SQLite databases over a height"
        + " range, per table and partition directory: row counts (from the Parquet footers), and"
        + " with --deep a digest of every value of every row. Also reports files no export"
        + " writes, partition directories that overlap or do not fit the partition size, and"
        + " whether the current Iceberg snapshot lists exactly the files on disk. Only reads;"
        + " give it the range, the partition size and the L1 flags the export used.",
    footer = {
        "",
        "Examples:",
        "  # Row counts of heights 1000000-1010000 (data/sqlite, data/datasets/default)",
        "  arexport verify --startHeight 1000000 --endHeight 1010000",
        "",
        "  # Every value, for an export made with L1 transactions and tags, as JSON",
        "  arexport verify --startHeight 1000000 --endHeight 1010000 \\",
        "      --includeL1Transactions --includeL1Tags --deep --json",
        "",
        "Exit status: 0 everything matches, 1 differences found (listed on stdout) or a runtime"
            + " failure, 2 usage or invalid input, 3 an export holds the warehouse lock,"
            + " 4 internal error."})
final class VerifyCommand implements Callable<Integer> {
  private final CommandEnvironment environment;

  @Mixin HeightRangeOptions heights = new HeightRangeOptions();

  @Mixin SourceOptions source = new SourceOptions();

  @Mixin CatalogOptions catalog = new CatalogOptions();

  @Option(names = "--deep", description = "Also compare every value of every row (reads all"
      + " Parquet data and all source rows; without it only row counts are compared, which"
      + " misses a changed value).")
  boolean deep;

  @Option(names = "--json", description = "Print the report as JSON on stdout.")
  boolean json;

  @Mixin StacktraceOption stacktrace = new StacktraceOption();

  VerifyCommand(CommandEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() {
    VerifyRequest request = new VerifyRequest(heights.range(), source.heightPartitionSize,
        source.includeL1Transactions, source.includeL1Tags, source.coreDb, source.bundlesDb,
        source.warehouseDir, deep, catalog.spec(environment.env()));
    VerifyReport report = json
        ? VerifyReport.json(environment.out(), request)
        : VerifyReport.text(environment.out(), environment.err(), Terminal.stderrIsTerminal(),
            request);
    VerifySummary summary;
    try {
      summary = new Verifier(environment.clock(), environment.stopRequests().cooperate(),
          Modes.verifiedSide(request.catalog())).run(request, report);
    } catch (RuntimeException e) {
      report.aborted(e);
      throw e;
    }
    report.finished(summary);
    return summary.ok() ? ExitCodes.OK : ExitCodes.VERIFY_DIFFERENCES;
  }
}
