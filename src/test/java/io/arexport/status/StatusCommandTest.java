package io.arexport.status;

import static io.arexport.testing.WarehouseAssertions.assertEqualsSource;
import static io.arexport.testing.WarehouseAssertions.jobDirs;
import static io.arexport.testing.WarehouseAssertions.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arexport.HeightRange;
import io.arexport.testing.ChildJvm;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.IcebergReader;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SourceOracle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code arexport status --json} on an empty, a partial (with a gap, with Iceberg metadata), a
 * locked, a stale-lock and a pending-resume warehouse, checked field by field against the files
 * on disk, the SQLite source (row counts) and Iceberg's own reader; status never writes.
 */
class StatusCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> TABLES = List.of("blocks", "transactions", "tags");

  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  private static String[] status(ExportArgs paths, String... extra) {
    List<String> args = new ArrayList<>(List.of("status", "--json",
        "--warehouseDir", paths.warehouseDir().toString(),
        "--stagingDir", paths.stagingDir().toString(),
        "--coreDb", paths.coreDb().toString(), "--bundlesDb", paths.bundlesDb().toString()));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  private static JsonNode statusOf(ExportArgs paths) throws Exception {
    SortedMap<String, String> before = snapshot(paths.warehouseDir());
    Cli.Result result = Cli.run(status(paths));
    assertThat(result.status()).as(result.err()).isZero();
    assertThat(snapshot(paths.warehouseDir())).as("status writes nothing").isEqualTo(before);
    return JSON.readTree(result.out());
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  private static String ranges(JsonNode node) {
    List<String> ranges = new ArrayList<>();
    node.forEach(r -> ranges.add(r.get("start").asLong() + "-" + r.get("end").asLong()));
    return String.join(",", ranges);
  }

  /** Two warehouses sharing one staging directory: each status lists only its own jobs. */
  @Test
  void anotherWarehousesJobInTheSharedStagingIsNotListed(@TempDir Path work) throws Exception {
    ExportArgs first = ExportArgs.of(sources, work);
    ExportArgs second = new ExportArgs(first.coreDb(), first.bundlesDb(), first.stagingDir(),
        work.resolve("second"));
    Cli.Result stopped = Cli.runUntil(err -> err.contains("[1/"),
        first.export(100, 349, 50, "--threads", "1"));
    assertThat(stopped.status()).as(stopped.err()).isEqualTo(1);
    Cli.Result other = Cli.run(second.export(100, 149, 50));
    assertThat(other.status()).as(other.err()).isZero();

    JsonNode own = statusOf(first);
    assertThat(own.get("stagingJobs")).hasSize(1);
    assertThat(own.get("stagingJobs").get(0).get("warehouseDir").asText())
        .isEqualTo(first.warehouseDir().toString());
    assertThat(statusOf(second).get("stagingJobs")).isEmpty();
  }

  @Test
  void emptyWarehouseEveryKeyOfTheInterface(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    Files.createDirectories(paths.warehouseDir());
    JsonNode status = statusOf(paths);

    assertThat(names(status)).containsExactly("mode", "warehouse", "generatedAt", "coverage",
        "source", "tables", "stagingJobs", "lock", "pendingCommit",
        "replacedFilesAwaitingDeletion", "pendingCommitProblem", "stagingDir");
    assertThat(status.get("mode").asText()).isEqualTo("directory");
    assertThat(status.get("warehouse").asText())
        .isEqualTo(paths.warehouseDir().toAbsolutePath().toString());
    assertThat(Instant.parse(status.get("generatedAt").asText())).isNotNull();

    JsonNode coverage = status.get("coverage");
    assertThat(names(coverage)).containsExactly("ranges", "gaps", "lowestHeight",
        "highestHeight", "recorded", "recordedRows", "error");
    assertThat(coverage.get("ranges")).isEmpty();
    assertThat(coverage.get("gaps")).isEmpty();
    assertThat(coverage.get("lowestHeight").isNull()).isTrue();
    assertThat(coverage.get("highestHeight").isNull()).isTrue();
    assertThat(coverage.get("recorded").asBoolean()).isFalse();
    assertThat(coverage.get("recordedRows").isNull()).isTrue();
    assertThat(coverage.get("error").isNull()).isTrue();

    JsonNode source = status.get("source");
    assertThat(names(source)).containsExactly("available", "coreDb", "bundlesDb",
        "lowestHeight", "stableTip", "lagHeights", "error");
    assertThat(source.get("available").asBoolean()).isTrue();
    assertThat(source.get("coreDb").asText())
        .isEqualTo(paths.coreDb().toAbsolutePath().toString());
    assertThat(source.get("lowestHeight").asLong()).isEqualTo(100);
    assertThat(source.get("stableTip").asLong()).isEqualTo(349);
    assertThat(source.get("lagHeights").isNull()).as("nothing exported yet").isTrue();
    assertThat(source.get("error").isNull()).isTrue();

    assertThat(names(status.get("tables"))).containsExactlyElementsOf(TABLES);
    for (String name : TABLES) {
      JsonNode table = status.get("tables").get(name);
      assertThat(names(table)).containsExactly("partitions", "files", "rows", "bytes",
          "dataRanges", "unreadableFiles", "iceberg");
      assertThat(table.get("partitions").asLong()).isZero();
      assertThat(table.get("files").asLong()).isZero();
      assertThat(table.get("rows").asLong()).isZero();
      assertThat(table.get("bytes").asLong()).isZero();
      assertThat(table.get("dataRanges")).isEmpty();
      assertThat(table.get("unreadableFiles")).isEmpty();
      assertThat(table.get("iceberg").isNull()).isTrue();
    }
    assertThat(status.get("stagingJobs")).isEmpty();
    assertThat(status.get("stagingDir").asText())
        .isEqualTo(paths.stagingDir().toAbsolutePath().toString());
    assertThat(names(status.get("lock"))).containsExactly("held", "stale", "holder");
    assertThat(status.get("lock").get("held").asBoolean()).isFalse();
    assertThat(status.get("lock").get("stale").asBoolean()).isFalse();
    assertThat(status.get("lock").get("holder").isNull()).isTrue();
    assertThat(status.get("pendingCommit").asBoolean()).isFalse();
    assertThat(status.get("replacedFilesAwaitingDeletion").asInt()).isZero();
  }

  @Test
  void unreadableSourceIsReportedNotFatalAndAMissingWarehouseIsExitTwo(@TempDir Path work)
      throws Exception {
    ExportArgs paths = new ExportArgs(work.resolve("absent/core.db"),
        work.resolve("absent/bundles.db"), work.resolve("staging"), work.resolve("warehouse"));
    Cli.Result missing = Cli.run(status(paths));
    assertThat(missing.status()).isEqualTo(2);
    assertThat(missing.errLines()).containsExactly("arexport: warehouse "
        + paths.warehouseDir().toAbsolutePath() + " does not exist");

    Files.createDirectories(paths.warehouseDir());
    JsonNode source = statusOf(paths).get("source");
    assertThat(source.get("available").asBoolean()).isFalse();
    assertThat(source.get("stableTip").isNull()).isTrue();
    assertThat(source.get("error").asText()).isEqualTo("coreDb database not found: "
        + paths.coreDb().toAbsolutePath());

    // A file where the staging directory should be would list no jobs: refused, as export does.
    Files.writeString(paths.stagingDir(), "not a directory");
    Cli.Result fileAsStaging = Cli.run(status(paths));
    assertThat(fileAsStaging.status()).isEqualTo(2);
    assertThat(fileAsStaging.errLines()).containsExactly("arexport: --stagingDir "
        + paths.stagingDir().toAbsolutePath() + " is not a directory");
    assertThat(fileAsStaging.out()).isEmpty();
  }

  @Test
  void partialWarehouseWithAGapAndIcebergMetadata(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    List<HeightRange> exported = List.of(new HeightRange(100, 199), new HeightRange(300, 324));
    for (HeightRange range : exported) {
      Cli.Result export = Cli.run(paths.export(range.start(), range.end(), 50,
          "--includeL1Transactions", "--includeL1Tags"));
      assertThat(export.status()).as(export.err()).isZero();
    }
    Cli.Result metadata = Cli.run("metadata", "--datasets-dir", paths.warehouseDir().toString());
    assertThat(metadata.status()).as(metadata.err()).isZero();

    JsonNode status = statusOf(paths);

    JsonNode coverage = status.get("coverage");
    assertThat(ranges(coverage.get("ranges"))).isEqualTo("100-199,300-324");
    assertThat(ranges(coverage.get("gaps"))).isEqualTo("200-299");
    assertThat(coverage.get("lowestHeight").asLong()).isEqualTo(100);
    assertThat(coverage.get("highestHeight").asLong()).isEqualTo(324);
    assertThat(coverage.get("recorded").asBoolean()).as("export writes no sync record")
        .isFalse();
    assertThat(status.get("source").get("stableTip").asLong()).isEqualTo(349);
    assertThat(status.get("source").get("lagHeights").asLong()).isEqualTo(25);

    try (SourceOracle oracle = new SourceOracle(paths.coreDb(), paths.bundlesDb())) {
      for (String name : TABLES) {
        JsonNode table = status.get("tables").get(name);
        long rows = 0;
        for (HeightRange range : exported) {
          rows += oracle.count(name, range, true, true);
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(paths.warehouseDir().resolve(name).resolve("data"))) {
          files = walk.filter(p -> p.toString().endsWith(".parquet")).toList();
        }
        long bytes = 0;
        for (Path file : files) {
          bytes += Files.size(file);
        }
        assertThat(table.get("rows").asLong()).as(name + " rows").isEqualTo(rows);
        assertThat(table.get("files").asLong()).as(name + " files").isEqualTo(files.size());
        assertThat(table.get("bytes").asLong()).as(name + " bytes").isEqualTo(bytes);
        assertThat(table.get("partitions").asLong()).as(name + " partitions").isEqualTo(3);
        assertThat(ranges(table.get("dataRanges"))).isEqualTo("100-199,300-324");

        JsonNode iceberg = table.get("iceberg");
        Table loaded = IcebergReader.loadWithHadoop(paths.warehouseDir(), name);
        assertThat(iceberg.get("error").isNull()).isTrue();
        assertThat(iceberg.get("version").asInt()).isEqualTo(Integer.parseInt(Files.readString(
            paths.warehouseDir().resolve(name).resolve("metadata/version-hint.text")).trim()));
        assertThat(iceberg.get("snapshotId").asLong())
            .isEqualTo(loaded.currentSnapshot().snapshotId());
        assertThat(Instant.parse(iceberg.get("committedAt").asText()).toEpochMilli())
            .isEqualTo(loaded.currentSnapshot().timestampMillis());
        int snapshots = 0;
        for (var ignored : loaded.snapshots()) {
          snapshots++;
        }
        assertThat(iceberg.get("snapshots").asInt()).isEqualTo(snapshots);
        assertThat(iceberg.get("snapshotRows").asLong()).isEqualTo(rows);
      }
    }

    String[] asJson = status(paths);
    Cli.Result text = Cli.run(java.util.Arrays.stream(asJson).filter(a -> !a.equals("--json"))
        .toArray(String[]::new));
    assertThat(text.status()).as(text.err()).isZero();
    assertThat(text.out()).contains("  heights:  100-199, 300-324 (from partition directories;"
        + " no sync record)", "  gaps:     200-299", "warehouse 25 heights behind",
        "lock:     free");
    assertThat(text.out()).doesNotContain("snapshot lists");

    // Exported without the Iceberg commit: the text says the snapshot lags the directories.
    Cli.Result noIceberg = Cli.run(paths.export(325, 349, 50, "--includeL1Transactions",
        "--includeL1Tags", "--no-iceberg"));
    assertThat(noIceberg.status()).as(noIceberg.err()).isZero();
    Cli.Result lagging = Cli.run(java.util.Arrays.stream(asJson)
        .filter(a -> !a.equals("--json")).toArray(String[]::new));
    assertThat(lagging.out()).containsPattern("snapshot lists [0-9,]+ rows, the partition"
        + " directories [0-9,]+: 'arexport metadata' \\(or the next export, or a sync that"
        + " exports something\\) commits the difference");
  }

  /**
   * A file whose footer cannot be read is missing from the directories' row count: the text
   * status must not call that an uncommitted change that metadata would commit (metadata refuses
   * such a file), but say what replaces it.
   */
  @Test
  void anUnreadableFileIsNotCalledADifferenceToCommit(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    assertThat(Cli.run(paths.export(100, 199, 50)).status()).isZero();
    assertThat(Cli.run("metadata", "--warehouseDir", paths.warehouseDir().toString()).status())
        .isZero();
    Path file;
    try (Stream<Path> files = Files.list(paths.warehouseDir().resolve(
        "tags/data/height=100-149"))) {
      file = files.filter(f -> f.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 1000));

    Cli.Result text = Cli.run("status", "--warehouseDir", paths.warehouseDir().toString(),
        "--stagingDir", paths.stagingDir().toString(), "--coreDb", paths.coreDb().toString(),
        "--bundlesDb", paths.bundlesDb().toString());

    assertThat(text.status()).as(text.err()).isZero();
    assertThat(text.out()).contains("unreadable footer: tags/data/height=100-149/")
        .contains("not counted in rows: export that partition's heights again to replace the"
            + " file")
        .doesNotContain("commits the difference");
  }

  /** A corrupt footer, corrupt Iceberg metadata and a corrupt sync record: each reported. */
  @Test
  void unreadableFilesAreReportedInTheirPlace(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    Path dir = paths.warehouseDir().resolve("blocks/data/height=100-149");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("blocks_100_149_x.parquet"), "not parquet");
    Path metadata = paths.warehouseDir().resolve("tags/metadata");
    Files.createDirectories(metadata);
    Files.writeString(metadata.resolve("version-hint.text"), "garbage");
    Files.createDirectories(paths.warehouseDir().resolve(".arexport"));
    Files.writeString(paths.warehouseDir().resolve(".arexport/exported-heights.json"), "{");
    Files.writeString(paths.warehouseDir().resolve(".arexport/replaced-files.json"), "{bad");

    JsonNode status = statusOf(paths);
    assertThat(status.get("replacedFilesAwaitingDeletion").isNull()).isTrue();
    Cli.Result text = Cli.run("status", "--warehouseDir", paths.warehouseDir().toString(),
        "--stagingDir", paths.stagingDir().toString(), "--coreDb", paths.coreDb().toString(),
        "--bundlesDb", paths.bundlesDb().toString());
    assertThat(text.out()).contains("replaced-files.json) is unreadable");

    JsonNode blocks = status.get("tables").get("blocks");
    assertThat(blocks.get("partitions").asLong()).isEqualTo(1);
    assertThat(blocks.get("files").asLong()).isEqualTo(1);
    assertThat(blocks.get("rows").asLong()).isZero();
    assertThat(blocks.get("unreadableFiles").toString())
        .isEqualTo("[\"blocks/data/height=100-149/blocks_100_149_x.parquet\"]");
    JsonNode tagsIceberg = status.get("tables").get("tags").get("iceberg");
    assertThat(tagsIceberg.get("version").isNull()).isTrue();
    assertThat(tagsIceberg.get("error").asText()).contains("version-hint.text")
        .contains("'garbage' is not a version number");
    JsonNode coverage = status.get("coverage");
    assertThat(coverage.get("recorded").asBoolean()).isTrue();
    assertThat(coverage.get("error").asText()).contains("exported-heights.json");
    assertThat(ranges(coverage.get("ranges"))).as("from the directories").isEqualTo("100-149");
  }

  /**
   * An export paused at a fault point holds the lock (status names it); killed there it leaves a
   * stale holder line, an interrupted commit and a job to resume, whose printed resume command
   * then completes the export.
   */
  @Test
  void lockedThenStaleLockAndPendingResume(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    String[] export = paths.export(100, 349, 50, "--includeL1Transactions", "--includeL1Tags");
    long pid;
    try (ChildJvm child = ChildJvm.start(List.of("-Xmx256m"),
        Map.of("AREXPORT_FAULT_POINT", "partition-moved:2"), work, export)) {
      assertThat(child.awaitErrLine("fault point partition-moved:2 reached", 120))
          .as(child.err()).isTrue();
      pid = child.pid();
      JsonNode lock = statusOf(paths).get("lock");
      assertThat(lock.get("held").asBoolean()).isTrue();
      assertThat(lock.get("stale").asBoolean()).isFalse();
      assertThat(lock.get("holder").asText()).startsWith("arexport export (pid " + pid + ", since");
      // The running export's own job and commit are not reported as left behind.
      Cli.Result running = Cli.run("status", "--warehouseDir", paths.warehouseDir().toString(),
          "--stagingDir", paths.stagingDir().toString(), "--coreDb", paths.coreDb().toString(),
          "--bundlesDb", paths.bundlesDb().toString());
      assertThat(statusOf(paths).get("stagingJobs").get(0).get("running").asBoolean()).isTrue();
      assertThat(running.out()).contains("checkpoint at 149 (").contains(", running")
          .contains("a partition commit is in progress").doesNotContain("resume:")
          .doesNotContain("interrupted partition commit is pending;");
      child.kill();
    }

    JsonNode status = statusOf(paths);
    JsonNode lock = status.get("lock");
    assertThat(lock.get("held").asBoolean()).isFalse();
    assertThat(lock.get("stale").asBoolean()).isTrue();
    assertThat(lock.get("holder").asText()).startsWith("arexport export (pid " + pid + ", since");
    assertThat(status.get("pendingCommit").asBoolean()).isTrue();
    assertThat(status.get("pendingCommitProblem").isNull()).isTrue();

    // A journal that no longer parses: status says the next run stops on it, as it does.
    Path journal = paths.warehouseDir().resolve(".arexport/pending-commit.json");
    String good = Files.readString(journal);
    Files.writeString(journal, "{bad");
    JsonNode unusable = statusOf(paths);
    assertThat(unusable.get("pendingCommit").asBoolean()).isTrue();
    assertThat(unusable.get("pendingCommitProblem").asText()).contains(journal.toString());
    Cli.Result text = Cli.run("status", "--warehouseDir", paths.warehouseDir().toString(),
        "--stagingDir", paths.stagingDir().toString(), "--coreDb", paths.coreDb().toString(),
        "--bundlesDb", paths.bundlesDb().toString());
    assertThat(text.out()).contains("journal is unusable").doesNotContain("run completes it");
    Cli.Result stopped = Cli.run(export);
    assertThat(stopped.status()).as(stopped.err()).isEqualTo(3);
    assertThat(stopped.errLines()).singleElement().asString().contains(journal.toString());
    Files.writeString(journal, good);

    List<String> jobs = jobDirs(paths.stagingDir());
    assertThat(jobs).hasSize(1);
    assertThat(status.get("stagingJobs")).hasSize(1);
    JsonNode job = status.get("stagingJobs").get(0);
    assertThat(names(job)).containsExactly("jobId", "directory", "startHeight", "endHeight",
        "lastCompletedHeight", "updatedAt", "heightPartitionSize", "includeL1Transactions",
        "includeL1Tags", "warehouseDir", "resumeCommand", "problem", "running");
    assertThat(job.get("running").asBoolean()).as("its process was killed").isFalse();
    assertThat("job-" + job.get("jobId").asText()).isEqualTo(jobs.get(0));
    assertThat(job.get("directory").asText())
        .isEqualTo(paths.stagingDir().resolve(jobs.get(0)).toAbsolutePath().toString());
    assertThat(job.get("startHeight").asLong()).isEqualTo(100);
    assertThat(job.get("endHeight").asLong()).isEqualTo(349);
    assertThat(job.get("lastCompletedHeight").asLong()).isEqualTo(149);
    assertThat(Instant.parse(job.get("updatedAt").asText())).isNotNull();
    assertThat(job.get("heightPartitionSize").asLong()).isEqualTo(50);
    assertThat(job.get("includeL1Transactions").asBoolean()).isTrue();
    assertThat(job.get("includeL1Tags").asBoolean()).isTrue();
    assertThat(job.get("problem").isNull()).isTrue();
    String resume = job.get("resumeCommand").asText();
    assertThat(resume).isEqualTo("arexport export --startHeight 100 --endHeight 349"
        + " --heightPartitionSize 50 --maxFileRows 1000000 --includeL1Transactions"
        + " --includeL1Tags --coreDb " + paths.coreDb().toAbsolutePath()
        + " --bundlesDb " + paths.bundlesDb().toAbsolutePath()
        + " --stagingDir " + paths.stagingDir().toAbsolutePath()
        + " --warehouseDir " + paths.warehouseDir().toAbsolutePath()
        + " --compression zstd --resume");

    // The printed command is the one that resumes (paths here need no shell quoting).
    String[] words = resume.substring("arexport ".length()).split(" ");
    Cli.Result resumed = Cli.run(append(words, "--json"));
    assertThat(resumed.status()).as(resumed.err()).isZero();
    assertThat(JSON.readTree(resumed.out()).get("resumed").asBoolean()).isTrue();
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(),
        new HeightRange(100, 349), true, true);

    JsonNode after = statusOf(paths);
    assertThat(after.get("stagingJobs")).isEmpty();
    assertThat(after.get("pendingCommit").asBoolean()).isFalse();
    assertThat(after.get("lock").get("stale").asBoolean()).isFalse();
    assertThat(ranges(after.get("coverage").get("ranges"))).isEqualTo("100-349");
  }

  private static String[] append(String[] args, String... more) {
    String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return all;
  }
}
