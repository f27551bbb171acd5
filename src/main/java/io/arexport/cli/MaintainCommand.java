package io.arexport.cli;

import io.arexport.iceberg.MaintainRequest;
import io.arexport.iceberg.MaintainSummary;
import io.arexport.iceberg.TableFailure;
import io.arexport.iceberg.TablesFailedException;
import io.arexport.iceberg.WarehouseMaintenance;
import io.arexport.lakehouse.CatalogMaintenance;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code arexport maintain}: options to a validated {@link MaintainRequest}, then {@link
 * WarehouseMaintenance} (directory mode) or {@link CatalogMaintenance} (catalog options).
 */
@Command(
    name = "maintain",
    header = "Expires old Iceberg snapshots and removes the files and manifests no one needs.",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
        "Maintains the Iceberg tables of a warehouse now: expires snapshots per each table's"
            + " retention properties (history.expire.max-snapshot-age-ms,"
            + " history.expire.min-snapshots-to-keep), deletes the files no retained snapshot"
            + " references, rewrites the manifests when too many small ones accumulated, and"
            + " removes orphan files older than the safety age"
            + " (arexport.maintenance.orphan-min-age-ms, default 3 days; younger files are"
            + " kept). export and metadata run the same at most once per"
            + " arexport.maintenance.interval-ms (default 1 day). With the catalog options it"
            + " maintains the catalog's tables through their own FileIO, without a warehouse"
            + " lock (docs/lakehouse.md). See docs/iceberg.md."},
    footer = {
        "",
        "Examples:",
        "  # Maintain every table of the default warehouse",
        "  arexport maintain",
        "",
        "  # Only tags, with a JSON summary for cron and only warnings on stderr",
        "  arexport maintain --datasets-dir /srv/datasets --tables tags --json --quiet",
        "",
        "  # Keep a week of snapshots (Iceberg's own property, set with",
        "  # any engine, e.g. Spark), then maintain",
        "  #   ALTER TABLE c.default.tags SET TBLPROPERTIES",
        "  #     ('history.expire.max-snapshot-age-ms'='604800000')",
        "  arexport maintain --tables tags",
        "",
        "  # The tables of a JDBC catalog (lakehouse mode, docs/lakehouse.md)",
        "  arexport maintain --catalog-type jdbc \\",
        "      --catalog-uri jdbc:postgresql://db/iceberg \\",
        "      --catalog-warehouse s3://bucket/ario \\",
        "      --catalog-property jdbc.user=ario \\",
        "      --catalog-property jdbc.password=$PGPASSWORD",
        "",
        "Exit status: 0 ok, 1 runtime failure, 2 usage or invalid input (missing directory, no"
            + " Iceberg table), 3 state conflict (lock held, corrupt metadata), 4 internal error."})
final class MaintainCommand implements Callable<Integer> {
  private final CommandEnvironment environment;

  @Option(names = {"--datasets-dir", "--warehouseDir", "--warehouse-dir"}, paramLabel = "DIR",
      defaultValue = "data/datasets/default",
      description = "Warehouse whose Iceberg tables to maintain (default: ${DEFAULT-VALUE}).")
  Path warehouseDir;

  @Option(names = "--tables", paramLabel = "TABLE", split = ",",
      description = "Tables to maintain: blocks, transactions, tags (default: all with"
          + " metadata).")
  List<String> tables;

  @Mixin CatalogOptions catalog = new CatalogOptions();

  @Mixin SummaryOptions output = new SummaryOptions();

  MaintainCommand(CommandEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() throws Exception {
    MaintainRequest request = MaintainRequest.of(warehouseDir, tables,
        catalog.spec(environment.env()));
    try (QuietLogging logging = output.logging(environment)) {
      MaintainSummary summary = request.catalog().isDirectory()
          ? new WarehouseMaintenance(environment.clock(), environment.pid()).run(request)
          : new CatalogMaintenance(environment.clock()).run(request);
      output.print(summary, environment.out(), MaintainCommand::print);
      return ExitCodes.OK;
    } catch (TablesFailedException e) {
      // What the other tables' maintenance did stays on record (a cron job's --json log).
      output.print(e.summary(MaintainSummary.class), environment.out(), MaintainCommand::print);
      throw e;
    }
  }

  private static void print(MaintainSummary summary, PrintStream out) {
    out.printf("maintained %s in %s%n", summary.warehouse(),
        SummaryText.duration(Duration.ofMillis(summary.durationMillis())));
    for (MaintainSummary.Table table : summary.tables()) {
      out.printf("  %-13s v%-4d %,d %s kept (%d expired), %d %s deleted, %d %s rewritten%n",
          table.table(), table.version(), table.snapshots(),
          SummaryText.plural(table.snapshots(), "snapshot"), table.expiredSnapshots(),
          table.deletedFiles(), SummaryText.plural(table.deletedFiles(), "file"),
          table.rewrittenManifests(), SummaryText.plural(table.rewrittenManifests(), "manifest"));
      out.printf("    orphan files: %d removed, %d younger than the safety age kept; %d version"
          + " %s%n", table.orphanFilesDeleted(), table.orphanFilesKept(), table.metadataFiles(),
          SummaryText.plural(table.metadataFiles(), "file"));
    }
    for (TableFailure failure : summary.failedTables()) {
      out.printf("  %-13s FAILED: %s%n", failure.table(), failure.error());
    }
  }
}
