package io.arexport.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arexport.HeightRange;
import io.arexport.testing.Cli;
import io.arexport.testing.LoggedWarnings;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.IcebergReader;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SourceOracle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code arexport status} with catalog options on a JdbcCatalog over a local warehouse: two
 * ranges with a gap, the second stopped after its first partition (an unfinished job). Every
 * field is checked against Iceberg's own JdbcCatalog and the SQLite source; no secret is
 * printed; an unreachable catalog is one line and exit 1.
 */
class CatalogStatusTest {
  static final List<String> TABLES = List.of("blocks", "transactions", "tags");
  static final String SECRET = "SECRETVALUE-status-41";

  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  @Test
  void reportsTheCatalogTablesCoverageGapAndUnfinishedJob(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    LocalCatalog catalog = LocalCatalog.in(work);
    List<String> secret = List.of("--catalog-property", "s3.secret-access-key=" + SECRET);
    Cli.Result first = Cli.run(withSecret(catalog.with(paths.export(100, 149, 50,
        "--includeL1Transactions", "--includeL1Tags")), secret));
    assertThat(first.status()).as(first.err()).isZero();
    Cli.Result second = Cli.run(withSecret(catalog.with(paths.export(250, 349, 50,
        "--includeL1Transactions", "--includeL1Tags")), secret));
    assertThat(second.status()).as(second.err()).isZero();
    // Stopped once under way (while its first partition is written): a job to resume.
    AtomicInteger polls = new AtomicInteger();
    Cli.Result stopped = Cli.run(() -> polls.incrementAndGet() > 2, Map.of(),
        withSecret(catalog.with(paths.export(150, 249, 50, "--includeL1Transactions",
            "--includeL1Tags", "--threads", "1")), secret));
    assertThat(stopped.status()).as(stopped.err()).isEqualTo(1);
    // A directory-mode job in the same staging directory is another destination's: not listed.
    AtomicInteger directoryPolls = new AtomicInteger();
    Cli.Result directoryJob = Cli.run(() -> directoryPolls.incrementAndGet() > 2, Map.of(),
        paths.export(150, 249, 50, "--threads", "1"));
    assertThat(directoryJob.status()).as(directoryJob.err()).isEqualTo(1);
    try (var jobDirs = Files.list(paths.stagingDir())) {
      assertThat(jobDirs.filter(d -> d.getFileName().toString().startsWith("job-")).count())
          .isEqualTo(2);
    }

    List<String> statusArgs = new ArrayList<>(List.of("status", "--json",
        "--stagingDir", paths.stagingDir().toString(), "--coreDb", paths.coreDb().toString(),
        "--bundlesDb", paths.bundlesDb().toString(),
        "--warehouseDir", paths.warehouseDir().toString()));
    statusArgs.addAll(catalog.options());
    statusArgs.addAll(secret);
    Cli.Result result = Cli.run(statusArgs.toArray(String[]::new));
    assertThat(result.status()).as(result.err()).isZero();
    assertThat(result.out() + result.err()).doesNotContain(SECRET);
    JsonNode status = new ObjectMapper().readTree(result.out());

    assertThat(names(status)).containsExactly("mode", "warehouse", "generatedAt", "coverage",
        "source", "tables", "stagingJobs", "lock", "pendingCommit",
        "replacedFilesAwaitingDeletion", "pendingCommitProblem", "stagingDir");
    assertThat(status.get("mode").asText()).isEqualTo("catalog");
    assertThat(status.get("warehouse").asText())
        .isEqualTo("jdbc catalog ar_io at " + catalog.uri() + ", namespace default, warehouse "
            + catalog.warehouse());
    assertThat(status.get("lock").isNull()).isTrue();
    assertThat(status.get("pendingCommit").asBoolean()).isFalse();
    assertThat(status.get("replacedFilesAwaitingDeletion").isNull()).isTrue();
    assertThat(status.get("pendingCommitProblem").isNull()).isTrue();

    // The unfinished job: its checkpoint says how far the second range is published.
    JsonNode jobs = status.get("stagingJobs");
    assertThat(jobs).hasSize(1);
    JsonNode job = jobs.get(0);
    long checkpoint = job.get("lastCompletedHeight").asLong();
    assertThat(checkpoint).isBetween(149L, 199L);
    assertThat((checkpoint - 149) % 50).isZero();
    assertThat(job.get("startHeight").asLong()).isEqualTo(150);
    assertThat(job.get("endHeight").asLong()).isEqualTo(249);
    assertThat(job.get("warehouseDir").asText()).isEqualTo("catalog: " + status.get("warehouse")
        .asText());
    assertThat(job.get("resumeCommand").asText()).startsWith("arexport export --startHeight 150"
        + " --endHeight 249 --heightPartitionSize 50").contains("--catalog-type jdbc",
        "--catalog-uri " + catalog.uri(), "--catalog-property 's3.secret-access-key=****'")
        .endsWith("--resume").doesNotContain("--warehouseDir");

    // Coverage and gap, merged over the tables.
    // 100-149 and 250-349 exported, 150-249 published through the checkpoint.
    long highest = 349;
    List<HeightRange> held = List.of(new HeightRange(100, checkpoint),
        new HeightRange(250, 349));
    JsonNode coverage = status.get("coverage");
    assertThat(ranges(coverage.get("ranges"))).isEqualTo(held);
    assertThat(ranges(coverage.get("gaps"))).containsExactly(
        new HeightRange(checkpoint + 1, 249));
    assertThat(coverage.get("lowestHeight").asLong()).isEqualTo(100);
    assertThat(coverage.get("highestHeight").asLong()).isEqualTo(highest);
    assertThat(coverage.get("recorded").asBoolean()).isFalse();

    JsonNode source = status.get("source");
    assertThat(source.get("available").asBoolean()).as(source.toString()).isTrue();
    assertThat(source.get("stableTip").asLong()).isGreaterThanOrEqualTo(349);
    assertThat(source.get("lagHeights").asLong())
        .isEqualTo(source.get("stableTip").asLong() - highest);

    try (SourceOracle oracle = new SourceOracle(paths.coreDb(), paths.bundlesDb())) {
      for (String name : TABLES) {
        JsonNode table = status.get("tables").get(name);
        Table loaded = catalog.load(name);
        List<DataFile> files = IcebergReader.dataFiles(loaded);
        long sourceRows = 0;
        for (HeightRange range : held) {
          sourceRows += oracle.count(name, range, true, true);
        }
        assertThat(table.get("rows").asLong()).as(name).isEqualTo(sourceRows)
            .isEqualTo(IcebergReader.rows(loaded).size());
        assertThat(table.get("files").asLong()).as(name).isEqualTo(files.size());
        assertThat(table.get("bytes").asLong()).as(name)
            .isEqualTo(files.stream().mapToLong(DataFile::fileSizeInBytes).sum());
        long partitions = files.stream().map(f -> f.location().replaceFirst(".*/data/", "")
            .replaceFirst("/[^/]*$", "")).distinct().count();
        assertThat(table.get("partitions").asLong()).as(name).isEqualTo(partitions);
        assertThat(ranges(table.get("dataRanges"))).as(name).isEqualTo(held);
        assertThat(table.get("unreadableFiles")).isEmpty();

        JsonNode iceberg = table.get("iceberg");
        Snapshot current = loaded.currentSnapshot();
        assertThat(iceberg.get("snapshotId").asLong()).isEqualTo(current.snapshotId());
        assertThat(Instant.parse(iceberg.get("committedAt").asText()).toEpochMilli())
            .isEqualTo(current.timestampMillis());
        int snapshots = 0;
        for (Snapshot ignored : loaded.snapshots()) {
          snapshots++;
        }
        assertThat(iceberg.get("snapshots").asInt()).isEqualTo(snapshots).isGreaterThan(1);
        assertThat(iceberg.get("snapshotRows").asLong()).isEqualTo(sourceRows);
        String metadataFile = ((HasTableOperations) loaded).operations().current()
            .metadataFileLocation();
        assertThat(iceberg.get("metadataFile").asText()).isEqualTo(metadataFile);
        assertThat(metadataFile).contains(String.format("%05d-", iceberg.get("version").asInt()));
        assertThat(iceberg.get("error").isNull()).isTrue();
      }
    }

    // The text form says the same without secrets.
    statusArgs.remove("--json");
    Cli.Result text = Cli.run(statusArgs.toArray(String[]::new));
    assertThat(text.status()).as(text.err()).isZero();
    assertThat(text.out()).contains("heights:  100-" + checkpoint + ", 250-349",
        "gaps:     " + (checkpoint + 1) + "-249", "metadata: ", "lock:     none").doesNotContain(SECRET);
    assertThat(text.err()).doesNotContain(SECRET);
  }

  /** The first status against a new catalog, before any export: no tables, no crash. */
  @Test
  void aCatalogWithoutTheTablesIsReportedAsEmpty(@TempDir Path work) throws Exception {
    LocalCatalog catalog = LocalCatalog.in(work);
    catalog.open().close(); // the catalog's own tables, none of the export's
    assertEmpty(Cli.run(catalog.with("status", "--json", "--stagingDir",
        work.resolve("staging").toString())));
  }

  /**
   * SQLite creates a database file on connect: status must not create the catalog it reports on
   * (a mistyped path would look like an empty catalog and leave a stray file).
   */
  @Test
  void aJdbcSqliteCatalogFileThatDoesNotExistIsReportedEmptyAndNotCreated(@TempDir Path work)
      throws Exception {
    LocalCatalog catalog = LocalCatalog.in(work);
    LoggedWarnings.During<Cli.Result> status = LoggedWarnings.during(CatalogStatusReader.class,
        () -> Cli.run(catalog.with("status", "--json", "--stagingDir",
            work.resolve("staging").toString())));

    assertEmpty(status.result());
    assertThat(status.warnings()).singleElement().asString()
        .startsWith("no catalog database at " + catalog.database() + " (--catalog-uri ")
        .contains("nothing was exported to this catalog yet");
    assertThat(catalog.database()).doesNotExist();
  }

  /** A SQLite file that is no catalog (a gateway database given by mistake) is not made one. */
  @Test
  void aDatabaseThatIsNoCatalogIsReportedEmptyAndLeftAsItWas(@TempDir Path work)
      throws Exception {
    Path gatewayDb = Files.copy(sources.resolve("core.db"), work.resolve("core.db"));
    byte[] before = Files.readAllBytes(gatewayDb);
    LocalCatalog notACatalog = new LocalCatalog(gatewayDb, work.resolve("lake"));

    LoggedWarnings.During<Cli.Result> status = LoggedWarnings.during(CatalogStatusReader.class,
        () -> Cli.run(notACatalog.with("status", "--json", "--stagingDir",
            work.resolve("staging").toString())));

    assertEmpty(status.result());
    assertThat(status.warnings()).singleElement().asString()
        .startsWith("no Iceberg catalog in the database (--catalog-uri jdbc:sqlite:" + gatewayDb)
        .contains("no iceberg_tables table");
    assertThat(Files.readAllBytes(gatewayDb)).as("the database is unchanged").isEqualTo(before);
  }

  private static void assertEmpty(Cli.Result result) throws Exception {
    assertThat(result.status()).as(result.err()).isZero();
    JsonNode status = new ObjectMapper().readTree(result.out());
    assertThat(status.get("coverage").get("ranges")).isEmpty();
    for (String table : List.of("blocks", "transactions", "tags")) {
      assertThat(status.get("tables").get(table).get("partitions").asLong()).isZero();
      assertThat(status.get("tables").get(table).get("iceberg").isNull()).as(table).isTrue();
    }
  }

  @Test
  void unreachableCatalogIsOneLineAndExitOne(@TempDir Path work) {
    Cli.Result result = Cli.run("status", "--stagingDir", work.resolve("staging").toString(),
        "--catalog-type", "jdbc", "--catalog-uri", "jdbc:postgresql://127.0.0.1:1/iceberg",
        "--catalog-warehouse", work.resolve("lake").toString(),
        "--catalog-property", "jdbc.password=" + SECRET);
    CatalogBadInputTest.assertOneLineWith(result, 1, List.of(SECRET),
        "cannot open jdbc catalog ar_io at jdbc:postgresql://127.0.0.1:1");
    assertThat(result.out()).isEmpty();
    assertThat(Files.exists(work.resolve("lake"))).isFalse();
  }

  private static String[] withSecret(String[] args, List<String> secret) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(secret);
    return all.toArray(String[]::new);
  }

  private static List<HeightRange> ranges(JsonNode node) {
    List<HeightRange> ranges = new ArrayList<>();
    node.forEach(r -> ranges.add(new HeightRange(r.get("start").asLong(), r.get("end").asLong())));
    return ranges;
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    Iterator<String> it = node.fieldNames();
    it.forEachRemaining(names::add);
    return names;
  }
}
