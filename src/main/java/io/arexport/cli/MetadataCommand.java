package io.arexport.cli;

import io.arexport.iceberg.MetadataRequest;
import io.arexport.iceberg.MetadataSummary;
import io.arexport.iceberg.MetadataWriter;
import io.arexport.lakehouse.CatalogMigration;
import io.arexport.catalog.CatalogSpec;
import io.arexport.iceberg.TableFailure;
import io.arexport.iceberg.TableResult;
import io.arexport.iceberg.TablesFailedException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code arexport metadata}: options to a validated {@link MetadataRequest}, then {@link
 * MetadataWriter}.
 */
@Command(
    name = "metadata",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    header = "Makes the exported tables Apache Iceberg tables by committing their metadata.",
    description = "Writes Apache Iceberg metadata (format v2) for the tables that 'arexport"
        + " export' wrote: each run commits one snapshot per table with the Parquet files added,"
        + " replaced or removed since the last one, and nothing when nothing changed. Once a"
        + " table has metadata, every export commits it too (unless --no-iceberg). See"
        + " docs/iceberg.md.",
    footer = {
        "",
        "Examples:",
        "  # Metadata for what 'arexport export' wrote with its defaults",
        "  arexport metadata",
        "",
        "  # Metadata whose paths are URLs, for DuckDB's iceberg_scan over HTTP",
        "  arexport metadata --datasets-dir data/datasets/default \\",
        "      --datasets-root http://localhost:4000/local/datasets/default",
        "",
        "  # Register (migrate) the warehouse in a REST catalog on S3 (docs/lakehouse.md)",
        "  arexport metadata --datasets-dir /srv/warehouse --catalog-type rest \\",
        "      --catalog-uri https://catalog.example/api \\",
        "      --catalog-warehouse s3://bucket/ario",
        "",
        "  # Only blocks and transactions, with a JSON summary for cron",
        "  arexport metadata --tables blocks,transactions --json",
        "",
        "Exit status: 0 ok, 1 runtime failure, 2 usage or invalid input (missing directory, no"
            + " tables, a Parquet file that does not match its table), 3 state conflict (lock"
            + " held, corrupt version-hint.text or metadata file), 4 internal error."})
final class MetadataCommand implements Callable<Integer> {
  private final CommandEnvironment environment;

  @Option(names = {"--datasets-dir", "--warehouseDir", "--warehouse-dir"}, paramLabel = "DIR",
      defaultValue = "data/datasets/default",
      description = "Warehouse written by 'arexport export' (default: ${DEFAULT-VALUE}).")
  Path warehouseDir;

  @Option(names = "--datasets-root", paramLabel = "URL",
      description = "Record every location under URL/<table>/... (e.g. http://host:4000/local/"
          + "datasets/default) instead of file:<warehouse>. Without it, a table keeps the root it"
          + " was last written with; a different root starts a new history for that root.")
  String datasetsRoot;

  @Option(names = "--tables", paramLabel = "TABLE", split = ",",
      description = "Tables to commit: blocks, transactions, tags (default: all that exist).")
  List<String> tables;

  @Mixin CatalogOptions catalog = new CatalogOptions();

  @Mixin SummaryOptions output = new SummaryOptions();

  MetadataCommand(CommandEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() throws Exception {
    MetadataRequest request = MetadataRequest.of(warehouseDir, datasetsRoot, tables);
    CatalogSpec spec = catalog.spec(environment.env());
    MetadataSummary summary;
    try (QuietLogging logging = output.logging(environment)) {
      if (spec.isDirectory()) {
        summary = new MetadataWriter(environment.clock(), environment.pid(),
            PausingFaultPoints.fromEnvironment(environment.env(), environment.err()))
            .run(request);
      } else {
        // Migration: the directory warehouse's tables registered in catalog tables.
        summary = new CatalogMigration(environment.clock(), environment.pid())
            .run(request, spec);
      }
    } catch (TablesFailedException e) {
      // The tables committed before and after the failed one stay on record (--json for cron).
      output.print(e.summary(MetadataSummary.class), environment.out(), MetadataCommand::print);
      throw e;
    }
    output.print(summary, environment.out(), MetadataCommand::print);
    return ExitCodes.OK;
  }

  private static void print(MetadataSummary summary, PrintStream out) {
    out.printf("iceberg metadata of %s in %s%n", summary.warehouse(),
        SummaryText.duration(Duration.ofMillis(summary.durationMillis())));
    for (TableResult table : summary.tables()) {
      out.printf("  %-13s v%-4d %-9s %,6d files %,14d rows  (+%d -%d files", table.table(),
          table.version(), table.action(), table.dataFiles(), table.records(),
          table.addedFiles(), table.removedFiles());
      if (table.deletedReplacedFiles() > 0) {
        out.printf(", %d replaced files deleted", table.deletedReplacedFiles());
      }
      out.printf(")%n    %s%n", table.metadataFile());
    }
    for (TableFailure failure : summary.failedTables()) {
      out.printf("  %-13s FAILED: %s%n", failure.table(), failure.error());
    }
  }
}
