package io.arexport.sync;

import static io.arexport.testing.WarehouseAssertions.assertEqualsSource;
import static io.arexport.testing.WarehouseAssertions.jobDirs;
import static io.arexport.testing.WarehouseAssertions.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.arexport.HeightRange;
import io.arexport.testing.ChildJvm;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.IcebergReader;
import io.arexport.testing.LoggedWarnings;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SourceOracle;
import io.arexport.testing.WarehouseReader;
import io.arexport.warehouse.JobParameters;
import io.arexport.warehouse.StagingJob;
import io.arexport.warehouse.UnfinishedJob;
import io.arexport.warehouse.WarehouseLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code arexport sync} in-process against a source that grows between runs (issue 9): the
 * warehouse ends equal to the full source row for row (DuckDB against SQLite), the partial tip
 * partition is replaced whole, a run with nothing new writes nothing; gaps, flags and bad input.
 */
class SyncCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Spec.small(): heights 100-349; with P = 50, partitions 100-149 ... 300-349. */
  private static final HeightRange FULL = new HeightRange(100, 349);
  private static final long P = 50;

  @TempDir static Path pristine;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), pristine.resolve("core.db"),
        pristine.resolve("bundles.db"));
  }

  static String[] sync(ExportArgs paths, String... extra) {
    List<String> args = new ArrayList<>(List.of("sync", "--heightPartitionSize",
        Long.toString(P), "--includeL1Transactions", "--includeL1Tags",
        "--coreDb", paths.coreDb().toString(), "--bundlesDb", paths.bundlesDb().toString(),
        "--stagingDir", paths.stagingDir().toString(),
        "--warehouseDir", paths.warehouseDir().toString()));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  private static JsonNode ok(Cli.Result result) throws Exception {
    assertThat(result.status()).as(result.err()).isZero();
    return JSON.readTree(result.out());
  }

  private static List<String> dirs(Path warehouse, String table) throws Exception {
    return WarehouseReader.files(warehouse, table).keySet().stream().map(HeightRange::toString)
        .toList();
  }

  private static List<String> fileNames(Path warehouse, String table, HeightRange partition)
      throws Exception {
    return WarehouseReader.files(warehouse, table).get(partition).stream()
        .map(p -> p.getFileName().toString()).toList();
  }

  @Test
  void growingSourceEndsEqualToTheFullSourceAndANoChangeRunWritesNothing(@TempDir Path work)
      throws Exception {
    GrowingSource source = GrowingSource.copy(pristine, work.resolve("sources"));
    source.cutAbove(224);
    ExportArgs paths = new ExportArgs(source.coreDb(), source.bundlesDb(),
        work.resolve("staging"), work.resolve("warehouse"));

    // Empty warehouse, no --startHeight: from the source's lowest stable height to its tip.
    JsonNode first = ok(Cli.run(sync(paths, "--json")));
    assertThat(first.get("outcome").asText()).isEqualTo("synced");
    assertThat(first.get("sourceLowest").asLong()).isEqualTo(100);
    assertThat(first.get("sourceTip").asLong()).isEqualTo(224);
    assertThat(first.get("frontierBefore").isNull()).isTrue();
    assertThat(first.get("highestAfter").asLong()).isEqualTo(224);
    assertThat(first.get("runs")).hasSize(1);
    assertThat(first.get("runs").get(0).get("kind").asText()).isEqualTo("new");
    assertThat(first.get("runs").get(0).get("startHeight").asLong()).isEqualTo(100);
    assertThat(first.get("runs").get(0).get("endHeight").asLong()).isEqualTo(224);
    assertEqualsSource(paths.warehouseDir(), source.coreDb(), source.bundlesDb(),
        new HeightRange(100, 224), true, true);
    assertThat(dirs(paths.warehouseDir(), "blocks"))
        .containsExactly("100-149", "150-199", "200-224");
    List<String> unchanged = fileNames(paths.warehouseDir(), "tags", new HeightRange(100, 149));

    // Iceberg metadata from here on: each later sync commits it too.
    Cli.Result metadata = Cli.run("metadata", "--datasets-dir", paths.warehouseDir().toString());
    assertThat(metadata.status()).as(metadata.err()).isZero();

    source.restoreAbove(224);
    JsonNode second = ok(Cli.run(sync(paths, "--json")));
    assertThat(second.get("outcome").asText()).isEqualTo("synced");
    assertThat(second.get("frontierBefore").asLong()).as("the partition of 224 is partial")
        .isEqualTo(199);
    assertThat(second.get("highestBefore").asLong()).isEqualTo(224);
    assertThat(second.get("sourceTip").asLong()).isEqualTo(349);
    assertThat(second.get("runs")).hasSize(1);
    assertThat(second.get("runs").get(0).get("startHeight").asLong()).isEqualTo(200);
    assertThat(second.get("runs").get(0).get("endHeight").asLong()).isEqualTo(349);
    assertThat(second.get("partitions").asLong()).isEqualTo(3);
    assertThat(second.get("icebergCommitted").asBoolean()).isTrue();
    // The partial partition 200-224 was replaced by the whole 200-249; earlier ones untouched.
    assertThat(dirs(paths.warehouseDir(), "blocks"))
        .containsExactly("100-149", "150-199", "200-249", "250-299", "300-349");
    assertThat(fileNames(paths.warehouseDir(), "tags", new HeightRange(100, 149)))
        .isEqualTo(unchanged);
    assertEqualsSource(paths.warehouseDir(), source.coreDb(), source.bundlesDb(), FULL, true,
        true);
    try (SourceOracle oracle = new SourceOracle(source.coreDb(), source.bundlesDb())) {
      for (String table : List.of("blocks", "transactions", "tags")) {
        assertThat(IcebergReader.rows(IcebergReader.loadWithHadoop(paths.warehouseDir(), table)))
            .as(table + " rows of the current Iceberg snapshot")
            .containsExactlyInAnyOrderElementsOf(oracle.rows(table, FULL, true, true));
      }
    }
    assertThat(jobDirs(paths.stagingDir())).isEmpty();

    // Nothing new: says so, exits 0, and the warehouse tree is byte for byte as it was.
    SortedMap<String, String> before = snapshot(paths.warehouseDir());
    Cli.Result third = Cli.run(sync(paths));
    assertThat(third.status()).as(third.err()).isZero();
    assertThat(third.out()).startsWith("up to date: warehouse holds up to height 349, source"
        + " stable tip 349; nothing written");
    assertThat(snapshot(paths.warehouseDir())).isEqualTo(before);
    JsonNode fourth = ok(Cli.run(sync(paths, "--json")));
    assertThat(fourth.get("outcome").asText()).isEqualTo("up-to-date");
    assertThat(fourth.get("runs")).isEmpty();
    assertThat(snapshot(paths.warehouseDir())).isEqualTo(before);
  }

  /** --quiet, as for export: no progress on stderr (the cron log keeps only errors). */
  @Test
  void quietSyncPrintsNoProgress(@TempDir Path work) throws Exception {
    ExportArgs loud = ExportArgs.of(pristine, work.resolve("loud"));
    Cli.Result progress = Cli.run(sync(loud, "--endHeight", "199"));
    assertThat(progress.status()).as(progress.err()).isZero();
    assertThat(progress.errLines()).as(progress.err())
        .contains("arexport: sync: exporting heights 100-199")
        .anyMatch(l -> l.startsWith("[2/2] height=150-199"));

    ExportArgs quiet = ExportArgs.of(pristine, work.resolve("quiet"));
    Cli.Result result = Cli.run(sync(quiet, "--endHeight", "199", "--quiet"));
    assertThat(result.status()).as(result.err()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out()).startsWith("synced heights 100-199: 2 partitions");
  }

  /**
   * A warehouse written by export runs with a hole and without a partition that has no rows:
   * plain sync leaves the hole, --fill-gaps exports it, and afterwards sync is up to date.
   */
  @Test
  void fillGapsExportsMissingPartitionsBelowTheFrontier(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(pristine, work);
    for (long[] range : new long[][] {{100, 199}, {300, 349}}) {
      Cli.Result export = Cli.run(paths.export(range[0], range[1], P, "--includeL1Transactions",
          "--includeL1Tags"));
      assertThat(export.status()).as(export.err()).isZero();
    }

    JsonNode plain = ok(Cli.run(sync(paths, "--json")));
    assertThat(plain.get("outcome").asText()).isEqualTo("up-to-date");
    assertThat(dirs(paths.warehouseDir(), "blocks"))
        .containsExactly("100-149", "150-199", "300-349");

    JsonNode filled = ok(Cli.run(sync(paths, "--fill-gaps", "--json")));
    assertThat(filled.get("outcome").asText()).isEqualTo("synced");
    assertThat(filled.get("runs")).hasSize(1);
    assertThat(filled.get("runs").get(0).get("kind").asText()).isEqualTo("gap");
    assertThat(filled.get("runs").get(0).get("startHeight").asLong()).isEqualTo(200);
    assertThat(filled.get("runs").get(0).get("endHeight").asLong()).isEqualTo(299);
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), FULL, true, true);

    JsonNode again = ok(Cli.run(sync(paths, "--fill-gaps", "--json")));
    assertThat(again.get("outcome").asText()).isEqualTo("up-to-date");
  }

  /**
   * A partition without rows in any table leaves no directory; the sync record still says it
   * was exported, so the next sync neither re-exports it nor calls it a gap.
   */
  @Test
  void partitionsWithoutRowsCountAsExportedThroughTheRecord(@TempDir Path work)
      throws Exception {
    GrowingSource source = GrowingSource.copy(pristine, work.resolve("sources"));
    // No stable rows at 200-299 at all: partitions 200-249 and 250-299 are empty.
    try (var connection = DriverManager.getConnection(
        "jdbc:sqlite:" + source.coreDb())) {
      for (String table : List.of("stable_blocks", "stable_transactions",
          "stable_transaction_tags")) {
        connection.createStatement().executeUpdate(
            "DELETE FROM " + table + " WHERE height BETWEEN 200 AND 299");
      }
    }
    try (var connection = DriverManager.getConnection(
        "jdbc:sqlite:" + source.bundlesDb())) {
      for (String table : List.of("stable_data_items", "stable_data_item_tags")) {
        connection.createStatement().executeUpdate(
            "DELETE FROM " + table + " WHERE height BETWEEN 200 AND 299");
      }
    }
    ExportArgs paths = new ExportArgs(source.coreDb(), source.bundlesDb(),
        work.resolve("staging"), work.resolve("warehouse"));
    ok(Cli.run(sync(paths, "--json")));
    assertThat(dirs(paths.warehouseDir(), "blocks"))
        .containsExactly("100-149", "150-199", "300-349");

    JsonNode status = ok(Cli.run("status", "--json", "--warehouseDir",
        paths.warehouseDir().toString(), "--stagingDir", paths.stagingDir().toString(),
        "--coreDb", source.coreDb().toString(), "--bundlesDb", source.bundlesDb().toString()));
    assertThat(status.get("coverage").get("gaps")).isEmpty();
    assertThat(status.get("coverage").get("ranges").toString())
        .isEqualTo("[{\"start\":100,\"end\":349}]");
    assertThat(ok(Cli.run(sync(paths, "--fill-gaps", "--json"))).get("outcome").asText())
        .isEqualTo("up-to-date");

    // Without the record (an older warehouse) the empty partitions are a gap, which
    // --fill-gaps exports once (nothing to write) and records.
    Files.delete(paths.warehouseDir().resolve(".arexport/exported-heights.json"));
    JsonNode legacy = ok(Cli.run(sync(paths, "--fill-gaps", "--json")));
    assertThat(legacy.get("runs")).hasSize(1);
    assertThat(legacy.get("runs").get(0).get("kind").asText()).isEqualTo("gap");
    assertThat(legacy.get("runs").get(0).get("startHeight").asLong()).isEqualTo(200);
    assertThat(legacy.get("runs").get(0).get("endHeight").asLong()).isEqualTo(299);
    assertThat(legacy.get("partitions").asLong()).isZero();
    assertThat(ok(Cli.run(sync(paths, "--fill-gaps", "--json"))).get("outcome").asText())
        .isEqualTo("up-to-date");
    assertEqualsSource(paths.warehouseDir(), source.coreDb(), source.bundlesDb(), FULL, true,
        true);
  }

  /**
   * An export whose range reaches above the gateway's stable tip publishes the partition holding
   * the tip under its whole name (200-249 with rows only through 224; it warns). Once the gateway
   * has the rest, sync must export that partition again whole, not start above it and skip
   * heights 225-249 for good.
   */
  @Test
  void aPartitionExportedAboveTheStableTipIsExportedAgainOnceTheGatewayHasIt(@TempDir Path work)
      throws Exception {
    GrowingSource source = GrowingSource.copy(pristine, work.resolve("sources"));
    source.cutAbove(224);
    ExportArgs paths = new ExportArgs(source.coreDb(), source.bundlesDb(),
        work.resolve("staging"), work.resolve("warehouse"));
    Cli.Result export = Cli.run(paths.export(100, 349, P, "--includeL1Transactions",
        "--includeL1Tags"));
    assertThat(export.status()).as(export.err()).isZero();
    assertThat(dirs(paths.warehouseDir(), "blocks"))
        .containsExactly("100-149", "150-199", "200-249");

    source.restoreAbove(224);
    LoggedWarnings.During<Cli.Result> synced = LoggedWarnings.during(Syncer.class,
        () -> Cli.run(sync(paths, "--json")));
    JsonNode summary = ok(synced.result());
    assertThat(summary.get("runs")).hasSize(1);
    assertThat(summary.get("runs").get(0).get("startHeight").asLong()).isEqualTo(200);
    try (SourceOracle oracle = new SourceOracle(source.coreDb(), source.bundlesDb())) {
      assertThat(synced.warnings()).containsExactly("partition 200-249 of "
          + paths.warehouseDir() + " holds "
          + oracle.rows("blocks", new HeightRange(200, 224), true, true).size()
          + " blocks, the source "
          + oracle.rows("blocks", new HeightRange(200, 249), true, true).size()
          + ": exported before the gateway had all its heights; exporting it again");
    }
    assertEqualsSource(paths.warehouseDir(), source.coreDb(), source.bundlesDb(), FULL, true,
        true);
  }

  /** A complete top partition cut in two by exports that started inside it is not redone. */
  @Test
  void aCompleteTopPartitionInTwoDirectoriesIsUpToDate(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(pristine, work);
    for (long[] range : new long[][] {{100, 309}, {310, 349}}) {
      Cli.Result export = Cli.run(paths.export(range[0], range[1], P, "--includeL1Transactions",
          "--includeL1Tags"));
      assertThat(export.status()).as(export.err()).isZero();
    }
    assertThat(dirs(paths.warehouseDir(), "blocks")).endsWith("300-309", "310-349");
    SortedMap<String, String> before = snapshot(paths.warehouseDir());

    JsonNode synced = ok(Cli.run(sync(paths, "--json")));
    assertThat(synced.get("outcome").asText()).isEqualTo("up-to-date");
    assertThat(snapshot(paths.warehouseDir())).isEqualTo(before);
  }

  /**
   * A top partition whose tags are all dangling (no name in the dictionary) holds no tags, as
   * the export leaves such tags out. That partition is complete: the next sync is up to date and
   * does not export it again, on every cycle, for a tag the source has but no export writes.
   */
  @Test
  void aTopPartitionWhoseTagsAreAllDanglingIsUpToDate(@TempDir Path work) throws Exception {
    GrowingSource source = GrowingSource.copy(pristine, work.resolve("sources"));
    String dangling = "UPDATE %s SET tag_name_hash = X'00' || tag_name_hash"
        + " WHERE height BETWEEN 300 AND 349";
    for (String[] db : new String[][] {{source.coreDb().toString(), "stable_transaction_tags"},
        {source.bundlesDb().toString(), "stable_data_item_tags"}}) {
      try (Connection connection =
              DriverManager.getConnection("jdbc:sqlite:" + db[0]);
          Statement statement = connection.createStatement()) {
        assertThat(statement.executeUpdate(String.format(dangling, db[1]))).isPositive();
      }
    }
    ExportArgs paths = new ExportArgs(source.coreDb(), source.bundlesDb(),
        work.resolve("staging"), work.resolve("warehouse"));
    JsonNode first = ok(Cli.run(sync(paths, "--json")));
    assertThat(first.get("runs")).hasSize(1);
    assertThat(dirs(paths.warehouseDir(), "tags")).doesNotContain("300-349");
    assertThat(dirs(paths.warehouseDir(), "blocks")).endsWith("300-349");
    SortedMap<String, String> before = snapshot(paths.warehouseDir());

    LoggedWarnings.During<Cli.Result> again = LoggedWarnings.during(Syncer.class,
        () -> Cli.run(sync(paths, "--json")));
    assertThat(again.warnings()).isEmpty();
    assertThat(ok(again.result()).get("outcome").asText()).isEqualTo("up-to-date");
    assertThat(snapshot(paths.warehouseDir())).isEqualTo(before);
    assertEqualsSource(paths.warehouseDir(), source.coreDb(), source.bundlesDb(), FULL, true,
        true);
  }

  /**
   * The same through sync alone: a sync that resumes an unfinished export job reaching above the
   * tip records only the heights up to the tip it read, so a later sync exports the rest.
   */
  @Test
  void aResumedJobReachingAboveTheTipIsRecordedOnlyUpToTheTip(@TempDir Path work)
      throws Exception {
    GrowingSource source = GrowingSource.copy(pristine, work.resolve("sources"));
    source.cutAbove(174);
    ExportArgs paths = new ExportArgs(source.coreDb(), source.bundlesDb(),
        work.resolve("staging"), work.resolve("warehouse"));
    // Stopped (as by SIGTERM) once the first partition is published: the job, 100-349, stays.
    stopAfterTheFirstPartition(paths);
    assertThat(jobDirs(paths.stagingDir())).hasSize(1);

    JsonNode resumed = ok(Cli.run(sync(paths, "--json")));
    assertThat(resumed.get("runs").get(0).get("kind").asText()).isEqualTo("resume");
    assertThat(resumed.get("highestAfter").asLong()).as("not the job's end, 349")
        .isLessThanOrEqualTo(199);
    assertThat(jobDirs(paths.stagingDir())).isEmpty();

    source.restoreAbove(174);
    JsonNode later = ok(Cli.run(sync(paths, "--json")));
    assertThat(later.get("outcome").asText()).isEqualTo("synced");
    assertEqualsSource(paths.warehouseDir(), source.coreDb(), source.bundlesDb(), FULL, true,
        true);
  }

  /** An export of 100-349 stopped (as by Ctrl-C) once its first partition is published. */
  private static void stopAfterTheFirstPartition(ExportArgs paths) {
    Cli.Result stopped = Cli.runUntil(err -> err.contains("[1/"), paths.export(100, 349, P,
        "--includeL1Transactions", "--includeL1Tags", "--threads", "1"));
    assertThat(stopped.status()).as(stopped.err()).isEqualTo(1);
  }

  /**
   * Two unfinished jobs with the same parameters (an export stopped, then run again without
   * --resume and stopped again) are one resume: the export resumes the newer and deletes the
   * other, and sync must not then export the other's range afresh.
   */
  @Test
  void twoUnfinishedJobsWithTheSameParametersAreResumedOnce(@TempDir Path work)
      throws Exception {
    ExportArgs paths = ExportArgs.of(pristine, work);
    for (int attempt = 0; attempt < 2; attempt++) {
      stopAfterTheFirstPartition(paths);
      Thread.sleep(1100); // job directories are named to the second
    }
    assertThat(jobDirs(paths.stagingDir())).hasSize(2);

    JsonNode synced = ok(Cli.run(sync(paths, "--endHeight", "349", "--json")));

    List<String> runs = new ArrayList<>();
    synced.get("runs").forEach(run -> runs.add(run.get("kind").asText() + " "
        + run.get("startHeight").asLong() + "-" + run.get("endHeight").asLong()));
    assertThat(runs).as(synced.toString()).startsWith("resume 100-349")
        .doesNotHaveDuplicates().filteredOn(r -> r.endsWith("100-349")).hasSize(1);
    assertThat(jobDirs(paths.stagingDir())).isEmpty();
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(),
        new HeightRange(100, 349), true, true);
  }

  /**
   * An unfinished job whose lock a live run holds (here: this test, as an overlapping run would)
   * is being worked on: sync neither resumes it nor, once its own export succeeded, deletes it as
   * superseded. Released, the next sync resumes it.
   */
  @Test
  void anUnfinishedJobAnotherRunHoldsIsNeitherResumedNorDeleted(@TempDir Path work)
      throws Exception {
    ExportArgs paths = ExportArgs.of(pristine, work);
    stopAfterTheFirstPartition(paths);
    List<String> left = jobDirs(paths.stagingDir());
    assertThat(left).hasSize(1);
    JobParameters parameters = UnfinishedJob.list(paths.stagingDir()).get(0).checkpoint()
        .parameters();

    try (StagingJob held = StagingJob.findResumable(paths.stagingDir(), parameters)
        .orElseThrow()) {
      JsonNode synced = ok(Cli.run(sync(paths, "--endHeight", "349", "--json")));
      List<String> kinds = new ArrayList<>();
      synced.get("runs").forEach(run -> kinds.add(run.get("kind").asText()));
      assertThat(kinds).as(synced.toString()).doesNotContain("resume");
      assertThat(jobDirs(paths.stagingDir())).as("the held job stays").isEqualTo(left);
    }
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(),
        new HeightRange(100, 349), true, true);

    JsonNode released = ok(Cli.run(sync(paths, "--endHeight", "349", "--json")));
    assertThat(released.get("runs").get(0).get("kind").asText()).isEqualTo("resume");
    assertThat(jobDirs(paths.stagingDir())).isEmpty();
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(),
        new HeightRange(100, 349), true, true);
  }

  /**
   * --endHeight caps what a sync exports, resumes included: an unfinished job reaching above it
   * is left for a later sync, and the heights up to the cap are exported as planned.
   */
  @Test
  void anUnfinishedJobReachingAboveEndHeightIsNotResumed(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(pristine, work);
    stopAfterTheFirstPartition(paths);

    JsonNode capped = ok(Cli.run(sync(paths, "--endHeight", "199", "--json")));
    assertThat(capped.get("target").asLong()).isEqualTo(199);
    assertThat(capped.get("highestAfter").asLong()).isEqualTo(199);
    assertThat(capped.get("runs")).hasSize(1);
    assertThat(capped.get("runs").get(0).get("kind").asText()).isEqualTo("new");
    assertThat(dirs(paths.warehouseDir(), "blocks")).containsExactly("100-149", "150-199");
    assertThat(jobDirs(paths.stagingDir())).as("the job waits").hasSize(1);

    JsonNode uncapped = ok(Cli.run(sync(paths, "--json")));
    assertThat(uncapped.get("runs").get(0).get("kind").asText()).isEqualTo("resume");
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), FULL, true,
        true);
    assertThat(jobDirs(paths.stagingDir())).isEmpty();
  }

  /**
   * A job whose checkpoint was damaged cannot be resumed: sync exports its heights afresh, so
   * nothing is lost, and says once which directory it left alone.
   */
  @Test
  void aJobWithAnUnreadableCheckpointIsNamedAndItsHeightsExportedAfresh(@TempDir Path work)
      throws Exception {
    ExportArgs paths = ExportArgs.of(pristine, work);
    stopAfterTheFirstPartition(paths);
    Path job = paths.stagingDir().resolve(jobDirs(paths.stagingDir()).get(0));
    Files.writeString(job.resolve(".checkpoint"), "{\"jobId\": tru");

    LoggedWarnings.During<Cli.Result> synced = LoggedWarnings.during(Syncer.class,
        () -> Cli.run(sync(paths, "--json")));

    JsonNode summary = ok(synced.result());
    assertThat(summary.get("runs")).allSatisfy(run ->
        assertThat(run.get("kind").asText()).isEqualTo("new"));
    assertThat(synced.warnings()).singleElement().asString()
        .startsWith("not resuming " + job + ": ").contains("exported afresh");
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), FULL, true,
        true);
  }

  /**
   * A sync killed inside a partition's commit (partition-moved: blocks and transactions of
   * 150-199 moved in, tags not yet), after which the operator deleted staging. The next sync
   * must undo that half commit before planning, so the partition counts as missing and is
   * exported again, and no emptied directory is left to count as exported.
   */
  @Test
  void aHalfCommittedPartitionWhoseStagingWasDeletedIsExportedAgain(@TempDir Path work)
      throws Exception {
    ExportArgs paths = ExportArgs.of(pristine, work);
    Path journal = halfCommitWithoutStaging(paths, work);

    JsonNode synced = ok(Cli.run(sync(paths, "--json")));
    assertThat(synced.get("runs").get(0).get("startHeight").asLong()).isEqualTo(150);
    assertThat(journal).doesNotExist();
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), FULL, true,
        true);
    assertNoEmptyPartitionDirectory(paths.warehouseDir());
  }

  /** Undoing the half commit (here by metadata, which recovers too) leaves no emptied directory. */
  @Test
  void undoingAHalfCommitLeavesNoEmptyPartitionDirectory(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(pristine, work);
    Path journal = halfCommitWithoutStaging(paths, work);

    Cli.Result metadata = Cli.run("metadata", "--warehouseDir", paths.warehouseDir().toString());
    assertThat(metadata.status()).as(metadata.err()).isZero();
    assertThat(journal).doesNotExist();
    assertNoEmptyPartitionDirectory(paths.warehouseDir());
    assertThat(dirs(paths.warehouseDir(), "blocks")).containsExactly("100-149");
  }

  /**
   * Kills a sync inside the commit of its second partition (150-199: blocks and transactions
   * moved in), removes the tags file as if the kill came before it was moved, and deletes
   * staging, as an operator might; returns the commit journal left behind.
   */
  private static Path halfCommitWithoutStaging(ExportArgs paths, Path work) throws Exception {
    try (ChildJvm child = ChildJvm.start(List.of("-Xmx512m"),
        Map.of("AREXPORT_FAULT_POINT", "partition-moved:2"), work, sync(paths))) {
      assertThat(child.awaitErrLine("fault point partition-moved:2 reached", 120))
          .as(child.err()).isTrue();
      child.kill();
    }
    Path journal = paths.warehouseDir().resolve(".arexport/pending-commit.json");
    assertThat(journal).exists();
    for (Path tags : WarehouseReader.files(paths.warehouseDir(), "tags")
        .getOrDefault(new HeightRange(150, 199), List.of())) {
      Files.delete(tags);
    }
    for (String job : jobDirs(paths.stagingDir())) {
      deleteTree(paths.stagingDir().resolve(job));
    }
    return journal;
  }

  private static void assertNoEmptyPartitionDirectory(Path warehouse) throws Exception {
    for (String table : List.of("blocks", "transactions", "tags")) {
      try (var dirs = Files.list(warehouse.resolve(table).resolve("data"))) {
        assertThat(dirs.filter(d -> WarehouseLayout.parquetFiles(d).isEmpty()).toList())
            .as(table + ": no empty partition directory").isEmpty();
      }
    }
  }

  private static void deleteTree(Path root) throws Exception {
    try (var all = Files.walk(root)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Test
  void otherL1FlagsThanTheRecordedOnesAreAConflictAndWriteNothing(@TempDir Path work)
      throws Exception {
    ExportArgs paths = syncedThrough224ThenGrown(work);
    SortedMap<String, String> before = snapshot(paths.warehouseDir());

    Cli.Result withoutL1 = Cli.run("sync", "--heightPartitionSize", "50",
        "--coreDb", paths.coreDb().toString(), "--bundlesDb", paths.bundlesDb().toString(),
        "--stagingDir", paths.stagingDir().toString(),
        "--warehouseDir", paths.warehouseDir().toString());

    assertThat(withoutL1.status()).isEqualTo(3);
    assertThat(withoutL1.errLines()).hasSize(1);
    assertThat(withoutL1.err()).contains("was synced with --includeL1Transactions"
        + " --includeL1Tags (this run: no L1 flags): pass the same settings");
    assertThat(snapshot(paths.warehouseDir())).isEqualTo(before);
  }

  @Test
  void anotherPartitionSizeThanTheRecordedOneIsAConflictAndWritesNothing(@TempDir Path work)
      throws Exception {
    // Heights 100-224 at P = 50 end in a partial tip 200-249; at P = 100 the plan would take
    // 200-299 for the tip, and at P = 1000 the whole warehouse: either would misplan.
    ExportArgs paths = syncedThrough224ThenGrown(work);
    Path record = paths.warehouseDir().resolve(".arexport").resolve("exported-heights.json");
    assertThat(new ObjectMapper().readTree(record.toFile()).get("heightPartitionSize").asLong())
        .isEqualTo(P);
    SortedMap<String, String> before = snapshot(paths.warehouseDir());

    String[] args = sync(paths);
    args[2] = "100";
    Cli.Result otherSize = Cli.run(args);

    assertThat(otherSize.status()).isEqualTo(3);
    assertThat(otherSize.errLines()).hasSize(1);
    assertThat(otherSize.err()).contains("was synced with --heightPartitionSize " + P
        + " (this run: 100): pass the same settings");
    assertThat(snapshot(paths.warehouseDir())).isEqualTo(before);

    // A record from before sizes were recorded continues with any size, and records it.
    ObjectNode old = (ObjectNode) new ObjectMapper().readTree(record.toFile());
    old.remove("heightPartitionSize");
    Files.writeString(record, old.toString());
    ok(Cli.run(sync(paths, "--json")));
    assertThat(new ObjectMapper().readTree(record.toFile()).get("heightPartitionSize").asLong())
        .isEqualTo(P);
  }

  /** A warehouse synced while the source ended at 224; the source has grown to 349 since. */
  private ExportArgs syncedThrough224ThenGrown(Path work) throws Exception {
    GrowingSource source = GrowingSource.copy(pristine, work.resolve("sources"));
    source.cutAbove(224);
    ExportArgs paths = new ExportArgs(source.coreDb(), source.bundlesDb(),
        work.resolve("staging"), work.resolve("warehouse"));
    ok(Cli.run(sync(paths, "--json")));
    source.restoreAbove(224);
    return paths;
  }

  @Test
  void badInputIsOneLineAndExitTwo(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(pristine, work);
    ExportArgs missing = new ExportArgs(work.resolve("nope.db"), paths.bundlesDb(),
        paths.stagingDir(), paths.warehouseDir());
    Cli.Result noSource = Cli.run(sync(missing));
    assertThat(noSource.status()).isEqualTo(2);
    assertThat(noSource.errLines()).containsExactly(
        "arexport: coreDb database not found: " + work.resolve("nope.db").toAbsolutePath());
    assertThat(paths.warehouseDir()).doesNotExist();

    Cli.Result interval = Cli.run(sync(paths, "--interval", "10m"));
    assertThat(interval.status()).isEqualTo(2);
    assertThat(interval.err()).contains("--interval 10m needs --watch");

    for (String outOfRange : List.of("0s", "500ms", "367d", "99999999h")) {
      Cli.Result refused = Cli.run(sync(paths, "--watch", "--interval", outOfRange));
      assertThat(refused.status()).as(refused.err()).isEqualTo(2);
      assertThat(refused.errLines()).containsExactly(
          "arexport: --interval must be between 1s and 366d: " + outOfRange);
      assertThat(paths.warehouseDir()).doesNotExist();
    }

    Cli.Result badDuration = Cli.run(sync(paths, "--watch", "--interval", "soon"));
    assertThat(badDuration.status()).isEqualTo(2);
    assertThat(badDuration.err()).contains("'soon' is not a duration");

    Cli.Result inverted = Cli.run(sync(paths, "--startHeight", "300", "--endHeight", "200"));
    assertThat(inverted.status()).isEqualTo(2);
    assertThat(inverted.errLines()).hasSize(1);
    assertThat(paths.warehouseDir()).doesNotExist();
  }

  /**
   * A watch that cannot start, whether its options are bad or its first cycle finds bad input,
   * ends its JSON stream with one {@code exited} line saying why, as a service's supervisor
   * reads it; nothing is written.
   */
  @Test
  void aWatchRefusedForBadInputEndsItsJsonStreamWithTheReason(@TempDir Path work)
      throws Exception {
    ExportArgs paths = ExportArgs.of(pristine, work);
    ExportArgs missingDb = new ExportArgs(work.resolve("absent.db"), paths.bundlesDb(),
        paths.stagingDir(), paths.warehouseDir());
    Map<String, String[]> cases = Map.of(
        "startHeight 300 is greater than endHeight 100",
        sync(paths, "--watch", "--json", "--startHeight", "300", "--endHeight", "100"),
        "--interval must be between 1s and 366d: 0s",
        sync(paths, "--watch", "--json", "--interval", "0s"),
        work.resolve("absent.db").toString(), sync(missingDb, "--watch", "--json"));
    for (Map.Entry<String, String[]> refused : cases.entrySet()) {
      Cli.Result result = Cli.run(refused.getValue());

      assertThat(result.status()).as(result.err()).isEqualTo(2);
      List<String> lines = result.out().lines().toList();
      assertThat(lines).as(refused.getKey()).hasSize(1);
      JsonNode exited = JSON.readTree(lines.get(0));
      assertThat(exited.get("outcome").asText()).isEqualTo("exited");
      assertThat(exited.get("exitStatus").asInt()).isEqualTo(2);
      assertThat(exited.get("error").asText()).contains(refused.getKey());
      assertThat(paths.warehouseDir()).doesNotExist();
    }
  }

  /**
   * A cycle of {@code sync --watch} that fails with a runtime failure (a catalog nobody listens
   * on) is one line on stderr naming it, one {@code failed} event on stdout with {@code --json},
   * the stack trace only with {@code --stacktrace}, and the catalog token nowhere; the watch then
   * waits to retry and ends normally when stopped.
   */
  @Test
  void aFailedWatchCycleIsOneLineAndOneJsonEventAndNamesNoSecret(@TempDir Path work)
      throws Exception {
    String token = "tok-" + Long.toHexString(System.nanoTime());
    ExportArgs paths = ExportArgs.of(pristine, work);
    List<String> catalog = List.of("--catalog-type", "rest",
        "--catalog-uri", "http://127.0.0.1:1/catalog", "--catalog-property", "token=" + token,
        "--catalog-warehouse", work.resolve("lake").toUri().toString());
    for (boolean stacktrace : new boolean[] {false, true}) {
      List<String> extra = new ArrayList<>(List.of("--watch", "--json"));
      extra.addAll(catalog);
      if (stacktrace) {
        extra.add("--stacktrace");
      }
      Cli.Result watch = Cli.runUntil(err -> err.contains("sync cycle failed"),
          sync(paths, extra.toArray(String[]::new)));

      assertThat(watch.status()).as(watch.err()).isZero();
      List<String> events = watch.out().lines().toList();
      assertThat(events).hasSize(2);
      JsonNode failed = JSON.readTree(events.get(0));
      assertThat(JSON.readTree(events.get(1)).get("where").asText()).isEqualTo("between cycles");
      assertThat(failed.get("outcome").asText()).isEqualTo("failed");
      assertThat(failed.get("exitStatus").asInt()).isEqualTo(1);
      assertThat(failed.get("consecutiveFailures").asInt()).isEqualTo(1);
      assertThat(failed.get("retryInSeconds").asLong()).isPositive();
      assertThat(failed.get("error").asText()).contains("http://127.0.0.1:1/catalog");
      List<String> failureLines = watch.errLines().stream()
          .filter(l -> l.startsWith("arexport: sync cycle failed (1 in a row): ")).toList();
      assertThat(failureLines).hasSize(1);
      assertThat(failureLines.get(0)).contains(failed.get("error").asText(), "retrying in");
      assertThat(watch.err().contains("\tat io.arexport.")).as(watch.err()).isEqualTo(stacktrace);
      assertThat(watch.out() + watch.err()).doesNotContain(token);
      assertThat(watch.errLines()).last().asString().contains("stopped on request");
      assertThat(paths.warehouseDir()).doesNotExist();
      assertThat(work.resolve("lake")).doesNotExist();
    }
  }

  /**
   * A failed watch cycle's --stacktrace is scrubbed like a failed command's: the JDBC driver's
   * exception in the cause chain names the catalog URL as it was given, password included.
   */
  @Test
  void aFailedWatchCyclesStackTraceNamesNoPassword(@TempDir Path work) throws Exception {
    String password = "pw-" + Long.toHexString(System.nanoTime());
    ExportArgs paths = ExportArgs.of(pristine, work);
    String uri = "jdbc:postgresql://127.0.0.1:1/iceberg?user=ario&password=" + password;
    Cli.Result watch = Cli.runUntil(err -> err.contains("sync cycle failed"), sync(paths,
        "--watch", "--stacktrace", "--catalog-type", "jdbc", "--catalog-uri", uri,
        "--catalog-warehouse", work.resolve("lake").toString()));

    assertThat(watch.status()).as(watch.err()).isZero();
    assertThat(watch.err()).as("the trace was printed").contains("\tat ")
        .doesNotContain(password);
    assertThat(watch.out()).doesNotContain(password);
    // The driver takes no user:password@ (it reads them as the host): refused before any cycle.
    Cli.Result userInfo = Cli.run(sync(paths, "--watch", "--stacktrace", "--catalog-type", "jdbc",
        "--catalog-uri", "jdbc:postgresql://ario:" + password + "@127.0.0.1:1/iceberg",
        "--catalog-warehouse", work.resolve("lake").toString()));
    assertThat(userInfo.status()).isEqualTo(2);
    assertThat(userInfo.out() + userInfo.err()).doesNotContain(password);
  }

  /**
   * {@code sync --watch --json} stopped (SIGINT/SIGTERM) during an export: the partitions it
   * published are in no {@code synced} line, so the last line says the watch stopped, where, and
   * that it exits 0; the next start resumes the job.
   */
  @Test
  void aWatchStoppedDuringAnExportEndsWithAStoppedEvent(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(pristine, work);
    Cli.Result watch = Cli.runUntil(err -> err.contains("[1/"),
        sync(paths, "--watch", "--json", "--threads", "1"));

    assertThat(watch.status()).as(watch.err()).isZero();
    List<String> events = watch.out().lines().toList();
    assertThat(events).hasSize(1);
    JsonNode stopped = JSON.readTree(events.get(0));
    assertThat(stopped.get("outcome").asText()).isEqualTo("stopped");
    assertThat(stopped.get("exitStatus").asInt()).isZero();
    assertThat(stopped.get("at").asText()).isNotEmpty();
    assertThat(stopped.get("where").asText()).startsWith("stopped on request")
        .contains("exported, checkpoint at height 149");
    assertThat(jobDirs(paths.stagingDir())).hasSize(1);

    ok(Cli.run(sync(paths, "--json")));
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), FULL, true,
        true);
    assertThat(jobDirs(paths.stagingDir())).isEmpty();
  }
}
