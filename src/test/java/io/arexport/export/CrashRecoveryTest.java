package io.arexport.export;

import static io.arexport.testing.WarehouseAssertions.assertEqualsSource;
import static io.arexport.testing.WarehouseAssertions.jobDirs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arexport.HeightRange;
import io.arexport.fs.DurableFiles;
import io.arexport.testing.ChildJvm;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.IcebergReader;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SampleDatabases.Spec;
import io.arexport.testing.SourceOracle;
import io.arexport.testing.WarehouseReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A child JVM export of several partitions is killed with SIGKILL at each point of the publish
 * protocol (contract section 4). Afterwards, {@code --resume} with the same arguments, or a plain
 * rerun without it, completes, and the warehouse then holds every source row exactly once: same
 * result as a clean export, read back with DuckDB and compared with the SQLite source.
 *
 * <p>Before recovering, each case checks the state the kill left (checkpoint height, commit
 * journal, unfinished table files), which proves the kill happened where the case says. Two
 * further cases build the state of a kill inside a commit step that has no fault point.
 */
class CrashRecoveryTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HeightRange RANGE = new HeightRange(100, 349);

  /** Spec.small(): 5 partitions of 50 heights, a few hundred rows each. */
  @TempDir static Path smallSources;
  /**
   * 2 bundles x 25 items x ~12 tags per height: ~57,000 tag rows per 100-height partition, so
   * {@code mid-partition} (every 50,000 rows of one table-partition) fires once in each of the
   * first two partitions, and {@code mid-partition:2} stops while partition 200-299 is written.
   */
  @TempDir static Path tallSources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(Spec.small(), smallSources.resolve("core.db"),
        smallSources.resolve("bundles.db"));
    SampleDatabases.generate(new Spec(11, 100, 349, 2, 25, 12), tallSources.resolve("core.db"),
        tallSources.resolve("bundles.db"));
  }

  /**
   * Fault point, fixture, partition size, checkpoint height the kill leaves, whether the commit
   * journal is left, and how many partitions a resume still has to export.
   */
  static Stream<Arguments> killPoints() {
    return Stream.of(
        Arguments.of("partition-staged:2", "small", 50, 149, false, 4),
        Arguments.of("partition-moved:2", "small", 50, 149, true, 4),
        Arguments.of("checkpoint-advanced:3", "small", 50, 249, true, 2),
        Arguments.of("checkpoint-advanced:5", "small", 50, 349, true, 0),
        Arguments.of("mid-partition:2", "tall", 100, 199, false, 2));
  }

  @ParameterizedTest(name = "[{index}] kill at {0}, then --resume")
  @MethodSource("killPoints")
  void resumeAfterKill(String point, String fixture, long partitionSize, long checkpointHeight,
      boolean journalLeft, int partitionsLeft, @TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources(fixture), work);
    String[] args = paths.export(RANGE.start(), RANGE.end(), partitionSize,
        "--includeL1Transactions", "--includeL1Tags");

    String killedJob = killAt(point, paths, args, work);
    assertKillState(paths, killedJob, checkpointHeight, journalLeft, point);

    Cli.Result resumed = Cli.run(append(args, "--resume", "--json"));

    assertThat(resumed.status()).as(resumed.err()).isZero();
    JsonNode summary = JSON.readTree(resumed.out());
    assertThat(summary.get("resumed").asBoolean()).as("resumed the killed job").isTrue();
    assertThat(summary.get("jobId").asText()).isEqualTo(killedJob.substring("job-".length()));
    assertThat(summary.get("partitions").asInt()).as("partitions left after the checkpoint")
        .isEqualTo(partitionsLeft);
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), RANGE, true, true);
    assertThat(jobDirs(paths.stagingDir())).as("jobs left in staging").isEmpty();
    assertThat(journal(paths)).doesNotExist();
  }

  /** A rerun after a kill before the move, and after one between move and checkpoint. */
  static Stream<Arguments> rerunKillPoints() {
    return killPoints().filter(a -> List.of("partition-staged:2", "partition-moved:2")
        .contains((String) a.get()[0]));
  }

  @ParameterizedTest(name = "[{index}] kill at {0}, then a plain rerun without --resume")
  @MethodSource("rerunKillPoints")
  void plainRerunAfterKill(String point, String fixture, long partitionSize,
      long checkpointHeight, boolean journalLeft, int partitionsLeft, @TempDir Path work)
      throws Exception {
    ExportArgs paths = ExportArgs.of(sources(fixture), work);
    String[] args = paths.export(RANGE.start(), RANGE.end(), partitionSize,
        "--includeL1Transactions", "--includeL1Tags");
    String killedJob = killAt(point, paths, args, work);
    assertKillState(paths, killedJob, checkpointHeight, journalLeft, point);

    Cli.Result rerun = Cli.run(append(args, "--json"));

    assertThat(rerun.status()).as(rerun.err()).isZero();
    JsonNode summary = JSON.readTree(rerun.out());
    assertThat(summary.get("resumed").asBoolean()).isFalse();
    assertThat(summary.get("partitions").asInt())
        .isEqualTo(RANGE.alignedPartitions(partitionSize).size());
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), RANGE, true, true);
    assertThat(journal(paths)).doesNotExist();
    // The rerun's own job is gone; the killed job is not this run's to delete.
    assertThat(jobDirs(paths.stagingDir())).isSubsetOf(killedJob);
  }

  /**
   * With Iceberg metadata, replaced files stay on disk until the export's closing Iceberg commit.
   * A re-export killed between partitions and then resumed must end with every row once in the
   * current snapshot and once on disk (the killed run's replaced files cleaned up too).
   */
  @Test
  void resumeAfterKillWithIcebergMetadata(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(smallSources, work);
    String[] args = paths.export(RANGE.start(), RANGE.end(), 50, "--includeL1Transactions",
        "--includeL1Tags");
    Cli.Result first = Cli.run(args);
    assertThat(first.status()).as(first.err()).isZero();
    Cli.Result metadata = Cli.run("metadata", "--datasets-dir", paths.warehouseDir().toString());
    assertThat(metadata.status()).as(metadata.err()).isZero();

    String job = killAt("partition-moved:2", paths, args, work);
    assertKillState(paths, job, 149, true, "partition-moved:2");

    Cli.Result resumed = Cli.run(append(args, "--resume", "--json"));

    assertThat(resumed.status()).as(resumed.err()).isZero();
    assertThat(JSON.readTree(resumed.out()).get("icebergCommitted").asBoolean()).isTrue();
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), RANGE, true, true);
    try (SourceOracle source = new SourceOracle(paths.coreDb(), paths.bundlesDb())) {
      for (String table : List.of("blocks", "transactions", "tags")) {
        assertThat(IcebergReader.rows(IcebergReader.loadWithHadoop(paths.warehouseDir(), table)))
            .as(table + " rows of the current Iceberg snapshot")
            .containsExactlyInAnyOrderElementsOf(source.rows(table, RANGE, true, true));
      }
    }
    assertThat(jobDirs(paths.stagingDir())).isEmpty();
    assertThat(journal(paths)).doesNotExist();
  }

  /**
   * A re-export killed after its new files were moved in but before the files they replace were
   * deleted leaves both copies of the partition on disk. The next run, even one for another range,
   * must finish that commit (delete the replaced files) so each row is there once. The state is
   * made by killing a re-export at partition-moved:2 and putting back the first export's files of
   * that partition, which the killed run had just deleted.
   */
  @Test
  void killBetweenMoveAndDeletionOfReplacedFiles(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(smallSources, work);
    String[] args = paths.export(RANGE.start(), RANGE.end(), 50, "--includeL1Transactions",
        "--includeL1Tags");
    Cli.Result first = Cli.run(args);
    assertThat(first.status()).as(first.err()).isZero();
    HeightRange replaced = new HeightRange(150, 199);
    Path saved = work.resolve("saved");
    List<Path> firstFiles = new ArrayList<>();
    for (String table : List.of("blocks", "transactions", "tags")) {
      for (Path file : WarehouseReader.files(paths.warehouseDir(), table).get(replaced)) {
        Path copy = saved.resolve(paths.warehouseDir().relativize(file));
        Files.createDirectories(copy.getParent());
        Files.copy(file, copy);
        firstFiles.add(file);
      }
    }

    String job = killAt("partition-moved:2", paths, args, work);
    assertKillState(paths, job, 149, true, "partition-moved:2");
    for (Path file : firstFiles) {
      assertThat(file).as("replaced by the killed run").doesNotExist();
      Files.copy(saved.resolve(paths.warehouseDir().relativize(file)), file);
    }

    Cli.Result other = Cli.run(paths.export(300, 349, 50, "--includeL1Transactions",
        "--includeL1Tags"));

    assertThat(other.status()).as(other.err()).isZero();
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), RANGE, true, true);
    assertThat(journal(paths)).doesNotExist();
  }

  /**
   * Staging on another filesystem than the warehouse: files are published by copy to a temporary
   * name, rename, then deletion of the staged file. A kill after the rename but before that
   * deletion leaves the file in both places; recovery must finish the commit, not fail on it.
   * The state is made by killing at partition-moved:2 and putting back the staged copy of the
   * partition's last file (the journal's last move), exactly as such a kill leaves it.
   */
  @Test
  void crossFilesystemKillBetweenCopyAndSourceDeletion(@TempDir Path work) throws Exception {
    Path otherFs = Path.of("/dev/shm");
    assumeTrue(Files.isDirectory(otherFs)
        && !Files.getFileStore(otherFs).equals(Files.getFileStore(work)),
        "needs a second filesystem at /dev/shm");
    Path staging = Files.createTempDirectory(otherFs, "arexport-crash-staging-");
    try {
      ExportArgs paths = new ExportArgs(smallSources.resolve("core.db"),
          smallSources.resolve("bundles.db"), staging, work.resolve("warehouse"));
      String[] args = paths.export(RANGE.start(), RANGE.end(), 50, "--includeL1Transactions",
          "--includeL1Tags");
      String job = killAt("partition-moved:2", paths, args, work);
      assertKillState(paths, job, 149, true, "partition-moved:2");
      HeightRange moved = new HeightRange(150, 199);
      List<Path> tagFiles = WarehouseReader.files(paths.warehouseDir(), "tags").get(moved);
      Path last = tagFiles.get(tagFiles.size() - 1);
      Path stagedCopy = staging.resolve(job).resolve("tags").resolve(moved.directoryName())
          .resolve(last.getFileName());
      Files.createDirectories(stagedCopy.getParent());
      Files.copy(last, stagedCopy);

      Cli.Result resumed = Cli.run(append(args, "--resume", "--json"));

      assertThat(resumed.status()).as(resumed.err()).isZero();
      assertThat(JSON.readTree(resumed.out()).get("partitions").asInt()).isEqualTo(4);
      assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), RANGE, true,
          true);
      assertThat(jobDirs(staging)).isEmpty();
      assertThat(journal(paths)).doesNotExist();
    } finally {
      DurableFiles.deleteTree(staging);
    }
  }

  /** Starts the export in a child JVM, SIGKILLs it at {@code point}; returns the job's name. */
  private static String killAt(String point, ExportArgs paths, String[] args, Path work)
      throws Exception {
    try (ChildJvm child = ChildJvm.start(List.of("-Xmx512m"),
        Map.of("AREXPORT_FAULT_POINT", point), work, args)) {
      assertThat(child.awaitErrLine("fault point " + point + " reached", 120))
          .as("child reached %s; stderr:%n%s", point, child.err()).isTrue();
      child.kill();
    }
    List<String> jobs = jobDirs(paths.stagingDir());
    assertThat(jobs).as("the killed job is kept in staging").hasSize(1);
    return jobs.get(0);
  }

  private static void assertKillState(ExportArgs paths, String job, long checkpointHeight,
      boolean journalLeft, String point) throws Exception {
    Path jobDir = paths.stagingDir().resolve(job);
    JsonNode checkpoint = JSON.readTree(jobDir.resolve(".checkpoint").toFile());
    assertThat(checkpoint.get("lastCompletedHeight").asLong()).as("checkpoint at the kill")
        .isEqualTo(checkpointHeight);
    assertThat(Files.exists(journal(paths))).as("commit journal left by the kill")
        .isEqualTo(journalLeft);
    if (point.startsWith("mid-partition")) {
      // Killed while the tags of the partition after the checkpoint were being written: its
      // blocks and transactions are finished in staging, its tags not.
      String next = new HeightRange(checkpointHeight + 1, checkpointHeight + 100).directoryName();
      assertThat(finishedFiles(jobDir.resolve("transactions").resolve(next))).isNotEmpty();
      assertThat(jobDir.resolve("tags").resolve(next)).isDirectory();
      assertThat(finishedFiles(jobDir.resolve("tags").resolve(next))).isEmpty();
    }
    if (point.startsWith("partition-moved")) {
      // The killed run's files for the next partition are already in the warehouse.
      HeightRange moved = new HeightRange(checkpointHeight + 1, checkpointHeight + 50);
      assertThat(WarehouseReader.files(paths.warehouseDir(), "tags")).containsKey(moved);
    }
  }

  private static List<String> finishedFiles(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".parquet") && !n.startsWith(".")).toList();
    }
  }

  private static Path journal(ExportArgs paths) {
    return paths.warehouseDir().resolve(".arexport").resolve("pending-commit.json");
  }

  private static Path sources(String fixture) {
    return fixture.equals("small") ? smallSources : tallSources;
  }

  private static String[] append(String[] args, String... extra) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(extra));
    return all.toArray(String[]::new);
  }
}
