package io.arexport.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arexport.Cancellation;
import io.arexport.HeightRange;
import io.arexport.testing.ChildJvm;
import io.arexport.testing.Cli;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.WarehouseAssertions;
import io.arexport.testing.WarehouseReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM/SIGINT during an export (issue 4, graceful stop): the child JVM stops within seconds at a
 * safe point, exits 1, prints the resume command, leaves a checkpoint that parses and names
 * exactly what is published; {@code --resume} then completes and {@code verify --deep} passes.
 */
class GracefulStopTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** P=10 over 250 heights: 25 partitions, so a signal after the first lands mid-job. */
  private static final List<String> RANGE = List.of("--startHeight", "100", "--endHeight", "349",
      "--heightPartitionSize", "10", "--includeL1Transactions", "--includeL1Tags");
  /**
   * The signal tests pause the export with partition 2 staged (the pause ends on the stop
   * request), so the signal always lands mid-job: with partitions staged in parallel the small
   * job could otherwise finish between the first progress line and the signal.
   */
  private static final Map<String, String> PAUSE_MID_JOB =
      Map.of("AREXPORT_FAULT_POINT", "partition-staged:2");
  private static final String PAUSED = "fault point partition-staged:2 reached";

  @TempDir static Path sources;
  static Path core;
  static Path bundles;

  @BeforeAll
  static void generate() throws Exception {
    core = sources.resolve("core.db");
    bundles = sources.resolve("bundles.db");
    SampleDatabases.generate(SampleDatabases.Spec.small(), core, bundles);
  }

  @Test
  void sigtermAfterTheFirstPartitionStopsResumablyAndResumeCompletes(@TempDir Path work)
      throws Exception {
    try (ChildJvm child = ChildJvm.start(List.of("-Xmx256m"), PAUSE_MID_JOB, work,
        exportArgs(work))) {
      assertThat(child.awaitErrLine(PAUSED, 120)).as(child.err()).isTrue();
      long signalled = System.nanoTime();
      ProcessHandle.of(child.pid()).orElseThrow().destroy(); // SIGTERM

      int status = child.waitFor(10);
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - signalled);

      assertThat(status).as(child.err()).isEqualTo(1);
      assertThat(seconds).isLessThan(10);
      assertStoppedAndResumable(work, child.err());
    }
  }

  @Test
  void sigintStopsTheSameWay(@TempDir Path work) throws Exception {
    try (ChildJvm child = ChildJvm.startWithDefaultSigint(List.of("-Xmx256m"), PAUSE_MID_JOB,
        work, exportArgs(work))) {
      assertThat(child.awaitErrLine(PAUSED, 120)).as(child.err()).isTrue();
      // However the suite was started (a background job inherits SIGINT ignored), the child's
      // SIGINT is the default one, so the JVM installed its handler.
      assertThat(sigintIgnored(child.pid())).as("SIGINT ignored in the child").isFalse();
      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).start();
      assertThat(kill.waitFor()).isZero();

      assertThat(child.waitFor(10)).as(child.err()).isEqualTo(1);
      assertStoppedAndResumable(work, child.err());
    }
  }

  @Test
  void stopWaitsForAStagedPartitionToBePublishedAndCheckpointed(@TempDir Path work)
      throws Exception {
    // Paused with partition 3 (heights 120-129) written to staging, not yet published.
    try (ChildJvm child = ChildJvm.start(List.of("-Xmx256m"),
        Map.of("AREXPORT_FAULT_POINT", "partition-staged:3"), work, exportArgs(work))) {
      assertThat(child.awaitErrLine("fault point partition-staged:3 reached", 120))
          .as(child.err()).isTrue();
      ProcessHandle.of(child.pid()).orElseThrow().destroy();

      assertThat(child.waitFor(10)).as(child.err()).isEqualTo(1);
      assertThat(checkpoint(work).get("lastCompletedHeight").asLong()).isEqualTo(129);
      assertThat(child.err()).contains("stopped on request before partition 130-139: 3"
          + " partitions exported, checkpoint at height 129");
      assertStoppedAndResumable(work, child.err());
    }
  }

  @Test
  void stopBetweenRowsOfAPartitionPublishesNothingOfIt(@TempDir Path work) throws Exception {
    // One partition; the stop comes while its rows are written (polled once per row).
    AtomicLong polls = new AtomicLong();
    Cancellation afterSomeRows = () -> polls.incrementAndGet() > 400;
    List<String> args = new ArrayList<>(List.of("export", "--startHeight", "100", "--endHeight",
        "349", "--heightPartitionSize", "1000", "--includeL1Transactions", "--includeL1Tags"));
    args.addAll(paths(work));

    Cli.Result stopped = Cli.run(afterSomeRows, Map.of(), args.toArray(String[]::new));

    assertThat(stopped.status()).as(stopped.err()).isEqualTo(1);
    assertThat(stopped.err()).contains("stopped on request while writing")
        .contains("resume with: arexport export");
    assertThat(checkpoint(work).get("lastCompletedHeight").asLong()).isEqualTo(99);
    assertThat(WarehouseReader.files(work.resolve("warehouse"), "tags")).isEmpty();
    assertThat(WarehouseReader.files(work.resolve("warehouse"), "blocks")).isEmpty();

    Cli.Result resumed = Cli.run(resumeCommand(stopped.err()));
    assertThat(resumed.status()).as(resumed.err()).isZero();
    assertThat(verifyDeep(work, "1000").status()).isZero();
    WarehouseAssertions.assertEqualsSource(work.resolve("warehouse"), core, bundles,
        new HeightRange(100, 349), true, true);
  }

  // --- helpers

  private static String[] exportArgs(Path work) {
    List<String> args = new ArrayList<>(List.of("export"));
    args.addAll(RANGE);
    args.addAll(paths(work));
    return args.toArray(String[]::new);
  }

  private static List<String> paths(Path work) {
    return List.of("--coreDb", core.toString(), "--bundlesDb", bundles.toString(),
        "--stagingDir", work.resolve("staging").toString(),
        "--warehouseDir", work.resolve("warehouse").toString());
  }

  /**
   * After a stop: a consistent checkpoint (parses, names a height at which the warehouse is
   * complete and beyond which nothing is published), the resume command on stderr; resuming
   * completes the job and the whole range verifies deep.
   */
  private static void assertStoppedAndResumable(Path work, String err) throws Exception {
    assertThat(err).contains("arexport: stop requested").contains("stopped on request")
        .contains("resume with: arexport export").doesNotContain("[25/25]");
    long checkpoint = checkpoint(work).get("lastCompletedHeight").asLong();
    assertThat(checkpoint).isBetween(109L, 339L);
    Path warehouse = work.resolve("warehouse");
    long highestPublished = -1;
    for (String table : List.of("blocks", "transactions", "tags")) {
      assertThat(WarehouseReader.files(warehouse, table).keySet()).as(table).isNotEmpty()
          .allSatisfy(dir -> assertThat(dir.end()).isLessThanOrEqualTo(checkpoint));
      highestPublished = Math.max(highestPublished, WarehouseReader.files(warehouse, table)
          .keySet().stream().mapToLong(HeightRange::end).max().orElse(-1));
    }
    assertThat(highestPublished).as("the checkpoint's partition is published").isEqualTo(checkpoint);
    // What is published is complete and correct up to the checkpoint.
    Cli.Result published = Cli.run(verifyArgs(work, "100", Long.toString(checkpoint), "10"));
    assertThat(published.status()).as(published.out()).isZero();

    Cli.Result resumed = Cli.run(resumeCommand(err));
    assertThat(resumed.status()).as(resumed.err()).isZero();
    assertThat(resumed.err()).contains("resuming job");
    Cli.Result all = verifyDeep(work, "10");
    assertThat(all.status()).as(all.out()).isZero();
    // verify reads the source as the export does; DuckDB and the SQLite oracle do not.
    WarehouseAssertions.assertEqualsSource(warehouse, core, bundles, new HeightRange(100, 349),
        true, true);
    try (Stream<Path> jobs = Files.list(work.resolve("staging"))) {
      assertThat(jobs.toList()).as("the finished job's staging is removed").isEmpty();
    }
  }

  private static Cli.Result verifyDeep(Path work, String partitionSize) {
    return Cli.run(verifyArgs(work, "100", "349", partitionSize));
  }

  private static String[] verifyArgs(Path work, String start, String end, String partitionSize) {
    return new String[] {"verify", "--startHeight", start, "--endHeight", end,
        "--heightPartitionSize", partitionSize, "--includeL1Transactions", "--includeL1Tags",
        "--coreDb", core.toString(), "--bundlesDb", bundles.toString(),
        "--warehouseDir", work.resolve("warehouse").toString(), "--deep"};
  }

  /** The kept job's checkpoint, parsed as JSON (a torn or truncated file fails here). */
  private static JsonNode checkpoint(Path work) throws IOException {
    try (Stream<Path> jobs = Files.list(work.resolve("staging"))) {
      List<Path> kept = jobs.toList();
      assertThat(kept).as("one job kept in staging").hasSize(1);
      return JSON.readTree(kept.get(0).resolve(".checkpoint").toFile());
    }
  }

  /** The arguments of the printed resume command (POSIX-quoted words; "arexport" dropped). */
  private static String[] resumeCommand(String err) {
    String marker = "resume with: arexport ";
    String line = err.lines().filter(l -> l.contains(marker)).reduce((a, b) -> b).orElseThrow();
    String command = line.substring(line.indexOf(marker) + marker.length());
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    boolean inWord = false;
    for (int i = 0; i < command.length(); i++) {
      char c = command.charAt(i);
      if (quoted) {
        if (c == '\'') {
          quoted = false;
        } else {
          word.append(c);
        }
      } else if (c == '\'') {
        quoted = true;
        inWord = true;
      } else if (c == '\\' && i + 1 < command.length()) {
        word.append(command.charAt(++i));
        inWord = true;
      } else if (c == ' ') {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    assertThat(words).first().isEqualTo("export");
    assertThat(words).last().isEqualTo("--resume");
    return words.toArray(String[]::new);
  }

  /** Whether SIGINT (signal 2) is in the process's ignored set (Linux /proc; false elsewhere). */
  private static boolean sigintIgnored(long pid) throws IOException {
    Path status = Path.of("/proc", Long.toString(pid), "status");
    if (!Files.exists(status)) {
      return false;
    }
    return Files.readAllLines(status).stream().filter(l -> l.startsWith("SigIgn:"))
        .map(l -> Long.parseLong(l.substring("SigIgn:".length()).trim(), 16))
        .anyMatch(mask -> (mask & (1L << (2 - 1))) != 0);
  }
}
