package io.arexport.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.arexport.Cancellation;
import io.arexport.HeightRange;
import io.arexport.RuntimeFailureException;
import io.arexport.catalog.CatalogSpec;
import io.arexport.export.ExportListener;
import io.arexport.export.ExportRequest;
import io.arexport.export.Exporter;
import io.arexport.export.FaultPoints;
import io.arexport.testing.ChildJvm;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.LoggedWarnings;
import io.arexport.testing.SampleDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A catalog-mode export (JdbcCatalog on SQLite, local warehouse) in a child JVM is killed with
 * SIGKILL between upload and commit, between the commits of one partition's tables, and after the
 * commits before the checkpoint; {@code --resume} then finishes it. Every row of the source is in
 * the current snapshots exactly once, and no Parquet file is left that no snapshot references.
 */
class CatalogCrashTest {
  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  @ParameterizedTest(name = "[{index}] kill at {0}, then --resume")
  @ValueSource(strings = {"catalog-uploaded:4", "catalog-table-committed:4",
      "partition-moved:2", "catalog-uploaded:1"})
  void killedRunResumesWithRowsOnceAndNoOrphans(String point, @TempDir Path work)
      throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    LocalCatalog catalog = LocalCatalog.in(work);
    String[] args = catalog.with(paths.export(100, 349, 50, "--includeL1Transactions",
        "--includeL1Tags"));
    // A first export of the range, so the killed run is a re-export replacing live files.
    Cli.Result first = Cli.run(args);
    assertThat(first.status()).as(first.err()).isZero();

    try (ChildJvm child = ChildJvm.start(List.of("-Xmx512m"),
        Map.of("AREXPORT_FAULT_POINT", point), work, args)) {
      assertThat(child.awaitErrLine("fault point " + point + " reached", 120))
          .as("child reached %s; stderr:%n%s", point, child.err()).isTrue();
      child.kill();
    }
    if (point.startsWith("catalog-uploaded")) {
      assertThat(unreferenced(catalog)).as("the kill left uploads no snapshot references")
          .isNotEmpty();
    }
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 349));

    Cli.Result resumed = resume(args);
    assertThat(resumed.status()).as(resumed.err()).isZero();

    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 349));
    assertThat(unreferenced(catalog)).as("no orphan uploads after the next run").isEmpty();
    assertThat(journals(paths.stagingDir())).as("no upload journal left").isEmpty();
  }

  /**
   * SIGTERM while a staged partition waits to be published: the partition is still committed to
   * the catalog (Iceberg's worker pool and the JDBC connection stay up until the command returns:
   * the stop is a signal handler, not a shutdown hook that runs beside the libraries' own), the
   * run says "stopped on request" with status 1, and --resume completes the range.
   */
  @Test
  void sigtermPublishesTheStagedPartitionAndStopsCleanly(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    LocalCatalog catalog = LocalCatalog.in(work);
    String[] args = catalog.with(paths.export(100, 349, 50, "--includeL1Transactions",
        "--includeL1Tags", "--threads", "1"));
    String err;
    try (ChildJvm child = ChildJvm.start(List.of("-Xmx512m"),
        Map.of("AREXPORT_FAULT_POINT", "partition-staged:2"), work, args)) {
      assertThat(child.awaitErrLine("fault point partition-staged:2 reached", 120))
          .as(child.err()).isTrue();
      ProcessHandle.of(child.pid()).orElseThrow().destroy(); // SIGTERM
      assertThat(child.waitFor(10)).as(child.err()).isEqualTo(1);
      err = child.err();
    }
    assertThat(err).contains("stopped on request before partition 200-249: 2 partitions"
        + " exported, checkpoint at height 199").doesNotContain("rejected", "cannot publish");
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 199));

    Cli.Result resumed = resume(args);
    assertThat(resumed.status()).as(resumed.err()).isZero();
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 349));
    assertThat(unreferenced(catalog)).isEmpty();
  }

  /**
   * Two runs with the same parameters on one staging directory (a cron {@code sync} of a catalog
   * still running when the next starts; catalog mode takes no warehouse lock): the second does
   * not resume the first's job while the first works on it, so it neither deletes the staged
   * files the first is about to publish nor, when it succeeds, the first's job directory as
   * superseded. Once the first has stopped, its job is resumed as usual; rows once throughout.
   */
  @Test
  void aJobAnotherRunWorksOnIsNeitherResumedNorDeleted(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    LocalCatalog catalog = LocalCatalog.in(work);
    String[] args = catalog.with(paths.export(100, 349, 50, "--includeL1Transactions",
        "--includeL1Tags", "--threads", "1"));
    try (ChildJvm child = ChildJvm.start(List.of("-Xmx512m"),
        Map.of("AREXPORT_FAULT_POINT", "partition-staged:2"), work, args)) {
      assertThat(child.awaitErrLine("fault point partition-staged:2 reached", 120))
          .as(child.err()).isTrue();
      List<Path> jobs;
      try (Stream<Path> children = Files.list(paths.stagingDir())) {
        jobs = children.filter(p -> p.getFileName().toString().startsWith("job-")).toList();
      }
      assertThat(jobs).hasSize(1);
      Path childJob = jobs.get(0);
      Path staged = childJob.resolve("tags").resolve("height=150-199");
      assertThat(staged).as("the paused run's staged partition").isDirectoryContaining(
          p -> p.toString().endsWith(".parquet"));
      Cli.Result status = Cli.run(catalog.with("status", "--json", "--stagingDir",
          paths.stagingDir().toString(), "--coreDb", paths.coreDb().toString(), "--bundlesDb",
          paths.bundlesDb().toString()));
      assertThat(status.status()).as(status.err()).isZero();
      assertThat(new ObjectMapper().readTree(status.out()).get("stagingJobs").get(0)
          .get("running").asBoolean()).as("the paused run's job").isTrue();

      Cli.Result second = resume(args);

      assertThat(second.status()).as(second.err()).isZero();
      assertThat(second.out()).as("a job of its own").doesNotContain(", resumed");
      assertThat(staged).as("left to the run that staged it").isDirectoryContaining(
          p -> p.toString().endsWith(".parquet"));
      CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 349));

      ProcessHandle.of(child.pid()).orElseThrow().destroy(); // SIGTERM: publishes, then stops
      assertThat(child.waitFor(30)).as(child.err()).isEqualTo(1);
      assertThat(child.err()).contains("checkpoint at height 199")
          .doesNotContain("rejected", "cannot publish", "NoSuchFile");
      assertThat(childJob).as("kept to resume").isDirectory();
    }
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 349));

    Cli.Result resumed = resume(args);
    assertThat(resumed.status()).as(resumed.err()).isZero();
    assertThat(resumed.out()).as("the stopped run's job, resumed").contains(", resumed");
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 349));
    assertThat(unreferenced(catalog)).isEmpty();
    assertThat(paths.stagingDir().toFile().list()).as("no job left")
        .noneMatch(name -> name.startsWith("job-"));
  }

  /**
   * A commit whose outcome is unknown (the catalog did not answer; a REST server may still be
   * committing it) is marked in the run's journal, and the next run keeps that partition's
   * uploads although no snapshot references them yet: deleting them would break the table if the
   * commit landed afterwards. The resume then completes the range with rows once.
   */
  @Test
  void uploadsOfACommitWithAnUnknownOutcomeAreKeptByTheNextRun(@TempDir Path work)
      throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    LocalCatalog catalog = LocalCatalog.in(work);
    String[] args = catalog.with(paths.export(100, 249, 50, "--includeL1Transactions",
        "--includeL1Tags", "--threads", "1"));
    FaultPoints unknownOutcome = point -> {
      if (point.equals(FaultPoints.CATALOG_UPLOADED)) {
        throw new CommitStateUnknownException(new java.io.IOException("catalog did not answer"));
      }
    };
    ExportRequest request = ExportRequest.builder(new HeightRange(100, 249), paths.coreDb(),
            paths.bundlesDb())
        .stagingDir(paths.stagingDir()).warehouseDir(paths.warehouseDir())
        .heightPartitionSize(50).includeL1Transactions(true).includeL1Tags(true).threads(1)
        .catalog(CatalogSpec.resolve(Map.of("type", "jdbc", "uri", catalog.uri(), "warehouse",
            catalog.warehouse().toString()), List.of(), Optional.empty()))
        .build();
    Exporter exporter = new Exporter(Clock.systemUTC(), ProcessHandle.current().pid(),
        ExportListener.NONE, unknownOutcome,
        CatalogPublisher.opener(Clock.systemUTC(), ProcessHandle.current().pid(),
            unknownOutcome), Cancellation.NONE);
    assertThatThrownBy(() -> exporter.run(request)).isInstanceOf(RuntimeFailureException.class)
        .hasMessageContaining("unknown outcome");
    List<Path> uploads = unreferenced(catalog);
    assertThat(uploads).as("the blocks upload of 100-149").hasSize(1);

    LoggedWarnings.During<Cli.Result> resumed = LoggedWarnings.during(CatalogPublisher.class,
        () -> resume(args));

    assertThat(resumed.result().status()).as(resumed.result().err()).isZero();
    assertThat(resumed.warnings()).anySatisfy(w -> assertThat(w)
        .contains("1 uploads of a commit whose outcome was unknown are kept"));
    assertThat(uploads).allSatisfy(upload -> assertThat(upload).exists());
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 249));
    assertThat(journals(paths.stagingDir())).as("the journal is handled").isEmpty();
  }

  /**
   * A stop requested once the last partition is committed: in catalog mode nothing is left to
   * do, so the run is complete (status 0), not "stopped before the Iceberg commit" with a job
   * left to resume.
   */
  @Test
  void aStopAfterTheLastCommitEndsACompleteRun(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    LocalCatalog catalog = LocalCatalog.in(work);

    Cli.Result result = Cli.runUntil(err -> err.contains("[3/3]"),
        catalog.with(paths.export(100, 249, 50, "--includeL1Transactions", "--includeL1Tags",
            "--threads", "1")));

    assertThat(result.status()).as(result.err()).isZero();
    assertThat(result.err()).doesNotContain("stopped on request");
    assertThat(paths.stagingDir().toFile().list()).as("no job left")
        .noneMatch(name -> name.startsWith("job-"));
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 249));
  }

  /**
   * A dead run's upload journal that names files elsewhere (edited by hand, or damaged): the next
   * run deletes only what lies where it uploads a partition's files, not a file outside the
   * table's data or outside the partition the line names, and it names the lines it left alone.
   */
  @Test
  void aJournalNamingFilesElsewhereDeletesNoneOfThem(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    LocalCatalog catalog = LocalCatalog.in(work);
    Cli.Result first = Cli.run(catalog.with(paths.export(100, 149, 50)));
    assertThat(first.status()).as(first.err()).isZero();
    Path dataDir = catalog.load("blocks").location().replaceFirst("^file:", "").transform(
        Path::of).resolve("data");
    Path outside = Files.writeString(work.resolve("precious.parquet"), "precious");
    Path otherPartition = Files.writeString(Files.createDirectories(
        dataDir.resolve("height=150-199")).resolve("precious.parquet"), "precious");
    Path orphan = Files.writeString(dataDir.resolve("height=100-149").resolve(
        "blocks_100_149_left.parquet"), "an upload never committed");
    Path journals = Files.list(paths.stagingDir().resolve("catalog-uploads")).findFirst()
        .orElseThrow();
    Files.writeString(journals.resolve("dead-run.journal"), String.join("\n",
        "created 0",
        "blocks\t100-149\t" + outside,
        "blocks\t100-149\t" + dataDir.resolve("height=100-149/../../../../precious.parquet"),
        "blocks\t100-149\t" + otherPartition,
        "blocks\t100-149\t" + orphan, ""));

    List<String> warnings = io.arexport.testing.LoggedWarnings.during(CatalogPublisher.class,
        () -> {
          Cli.Result next = Cli.run(catalog.with(paths.export(150, 199, 50)));
          assertThat(next.status()).as(next.err()).isZero();
          return null;
        }).warnings();

    assertThat(outside).hasContent("precious");
    assertThat(otherPartition).hasContent("precious");
    assertThat(orphan).as("the one line naming its own partition's place").doesNotExist();
    assertThat(warnings).hasSize(3).allSatisfy(w -> assertThat(w).contains("left alone"));
    assertThat(journals(paths.stagingDir())).isEmpty();
  }

  /** The same export with --resume, in process. */
  private static Cli.Result resume(String[] args) {
    List<String> resumeArgs = new ArrayList<>(List.of(args));
    resumeArgs.add("--resume");
    return Cli.run(resumeArgs.toArray(String[]::new));
  }

  /** Parquet files under the catalog warehouse that no snapshot of their table references. */
  static List<Path> unreferenced(LocalCatalog catalog) {
    Set<String> referenced = new HashSet<>();
    for (String name : CatalogExportTest.TABLES) {
      Table table = catalog.load(name);
      for (Snapshot snapshot : table.snapshots()) {
        for (DataFile file : snapshot.addedDataFiles(table.io())) {
          referenced.add(file.location().replaceFirst("^file:", ""));
        }
      }
    }
    return catalog.parquetFiles().stream().filter(p -> !referenced.contains(p.toString()))
        .toList();
  }

  static List<Path> journals(Path stagingDir) throws IOException {
    Path dir = stagingDir.resolve("catalog-uploads");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.toString().endsWith(".journal")).toList();
    }
  }
}
