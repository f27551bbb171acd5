package io.arexport.sync;

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
import io.arexport.testing.SampleDatabases;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sync --watch} as a real process (child JVMs): killed with SIGKILL in the middle of a
 * partition commit while a second sync fails (exit 3) and a third, watching, waits for the lock
 * and then resumes the killed job; SIGTERM during an export and between cycles.
 */
class SyncWatchProcessTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HeightRange FULL = new HeightRange(100, 349);

  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  private static ChildJvm start(Path work, Map<String, String> env, String... args)
      throws Exception {
    return ChildJvm.start(List.of("-Xmx256m"), env, work, args);
  }

  /** Waits until the child's stdout has a line containing {@code text}. */
  private static boolean awaitOutLine(ChildJvm child, String text, long timeoutSeconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline) {
      if (child.out().contains(text)) {
        return true;
      }
      if (child.hasExited()) {
        return child.out().contains(text);
      }
      Thread.sleep(50);
    }
    return false;
  }

  private static List<JsonNode> jsonLines(String out) throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.lines().filter(l -> !l.isBlank()).toList()) {
      lines.add(JSON.readTree(line));
    }
    return lines;
  }

  private static void sigterm(ChildJvm child) {
    ProcessHandle.of(child.pid()).orElseThrow().destroy();
  }

  @Test
  void killedWatchIsResumedByTheNextWatchWhichWaitedForTheLockWhileAOneShotSyncFailed(
      @TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    try (ChildJvm killed = start(work, Map.of("AREXPORT_FAULT_POINT", "partition-moved:2"),
        SyncCommandTest.sync(paths, "--watch", "--interval", "1h", "--json"))) {
      assertThat(killed.awaitErrLine("fault point partition-moved:2 reached", 120))
          .as(killed.err()).isTrue();

      // Overlapping one-shot sync: fails at once naming the holder, touches nothing.
      SortedMap<String, String> before = snapshot(paths.warehouseDir());
      Cli.Result second = Cli.run(SyncCommandTest.sync(paths));
      assertThat(second.status()).as(second.err()).isEqualTo(3);
      assertThat(second.errLines()).hasSize(1);
      assertThat(second.err()).contains("is locked by arexport sync --watch (pid " + killed.pid());
      assertThat(snapshot(paths.warehouseDir())).isEqualTo(before);

      // Overlapping watch: waits for the lock instead of exiting.
      try (ChildJvm watching = start(work, Map.of(),
          SyncCommandTest.sync(paths, "--watch", "--interval", "2s", "--json"))) {
        assertThat(watching.awaitErrLine("waiting, next try in", 120)).as(watching.err())
            .isTrue();
        List<String> jobs = jobDirs(paths.stagingDir());
        assertThat(jobs).hasSize(1);
        killed.kill();

        assertThat(awaitOutLine(watching, "\"outcome\":\"synced\"", 180))
            .as(watching.err()).isTrue();
        sigterm(watching);
        assertThat(watching.waitFor(30)).as(watching.err()).isZero();
        assertThat(watching.err()).contains("sync --watch stopped on request");

        List<JsonNode> cycles = jsonLines(watching.out());
        assertThat(cycles.get(0).get("outcome").asText()).isEqualTo("waiting-for-lock");
        JsonNode synced = cycles.stream()
            .filter(c -> c.get("outcome").asText().equals("synced")).findFirst().orElseThrow();
        assertThat(synced.get("runs")).hasSize(1);
        JsonNode resumed = synced.get("runs").get(0);
        assertThat(resumed.get("kind").asText()).isEqualTo("resume");
        assertThat(resumed.get("resumed").asBoolean()).isTrue();
        assertThat("job-" + resumed.get("jobId").asText()).isEqualTo(jobs.get(0));
        assertThat(resumed.get("startHeight").asLong()).isEqualTo(100);
        assertThat(resumed.get("endHeight").asLong()).isEqualTo(349);
        // The killed job had published 2 of 5 partitions; its checkpoint named only the first.
        assertThat(resumed.get("partitions").asLong()).isEqualTo(4);
      }
    }
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), FULL, true, true);
    assertThat(jobDirs(paths.stagingDir())).isEmpty();
    assertThat(paths.warehouseDir().resolve(".arexport/pending-commit.json")).doesNotExist();
  }

  @Test
  void sigtermDuringAnExportStopsAtASafePointWithStatusZeroAndTheNextSyncResumes(
      @TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    try (ChildJvm child = start(work, Map.of("AREXPORT_FAULT_POINT", "partition-staged:3"),
        SyncCommandTest.sync(paths, "--watch", "--interval", "1h"))) {
      assertThat(child.awaitErrLine("fault point partition-staged:3 reached", 120))
          .as(child.err()).isTrue();
      sigterm(child);
      assertThat(child.waitFor(30)).as(child.err()).isZero();
      assertThat(child.err()).contains("sync --watch stopped on request (stopped on request");
      assertThat(child.out()).as("no cycle completed").isEmpty();
    }
    // The staged partition was published before stopping: 3 partitions are in, the job is kept.
    List<String> jobs = jobDirs(paths.stagingDir());
    assertThat(jobs).hasSize(1);
    JsonNode checkpoint = JSON.readTree(
        paths.stagingDir().resolve(jobs.get(0)).resolve(".checkpoint").toFile());
    assertThat(checkpoint.get("lastCompletedHeight").asLong()).isEqualTo(249);

    Cli.Result next = Cli.run(SyncCommandTest.sync(paths, "--json"));
    assertThat(next.status()).as(next.err()).isZero();
    JsonNode summary = JSON.readTree(next.out());
    assertThat(summary.get("runs").get(0).get("kind").asText()).isEqualTo("resume");
    assertThat(summary.get("partitions").asLong()).isEqualTo(2);
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), FULL, true, true);
    assertThat(jobDirs(paths.stagingDir())).isEmpty();
  }

  @Test
  void sigtermBetweenCyclesExitsZeroAtOnce(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    try (ChildJvm child = start(work, Map.of(),
        SyncCommandTest.sync(paths, "--watch", "--interval", "1h"))) {
      assertThat(awaitOutLine(child, "synced heights 100-349", 120)).as(child.err()).isTrue();
      assertThat(child.out()).contains("(next cycle in ");
      sigterm(child);
      assertThat(child.waitFor(30)).as(child.err()).isZero();
      assertThat(child.err()).contains("sync --watch stopped on request (between cycles)");
    }
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), FULL, true, true);
  }
}
