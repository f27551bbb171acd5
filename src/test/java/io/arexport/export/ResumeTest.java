package io.arexport.export;

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
import io.arexport.testing.SampleDatabases.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --resume} (contract section 4): with nothing to resume it says so and exports afresh; a
 * job for the same range with other parameters is a conflict naming the difference; and a failed
 * run prints the exact command that resumes it.
 */
class ResumeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HeightRange RANGE = new HeightRange(100, 349);

  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  @Test
  void resumeWithoutAJobSaysSoAndExportsEverything(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    // A real process, so that whatever channel the notice uses is seen as the operator sees it.
    try (ChildJvm child = ChildJvm.start(List.of(), Map.of(), work,
        paths.export(RANGE.start(), RANGE.end(), 50, "--resume", "--json"))) {
      assertThat(child.waitFor(120)).as(child.err()).isZero();
      assertThat(child.err()).containsIgnoringCase("no unfinished job")
          .contains(paths.stagingDir().toString());
      JsonNode summary = JSON.readTree(child.out());
      assertThat(summary.get("resumed").asBoolean()).isFalse();
      assertThat(summary.get("partitions").asInt()).isEqualTo(5);
    }
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), RANGE, false,
        false);
    assertThat(jobDirs(paths.stagingDir())).isEmpty();
  }

  @Test
  void resumeWithAnotherPartitionSizeIsAConflict(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    List<String> jobs = killedAfterTheFirstCheckpoint(paths, work);

    Cli.Result conflict = Cli.run(paths.export(RANGE.start(), RANGE.end(), 25, "--resume"));

    assertThat(conflict.status()).as(conflict.err()).isEqualTo(3);
    assertThat(conflict.errLines()).hasSize(1);
    assertThat(conflict.errLines().get(0)).contains("heightPartitionSize")
        .containsPattern("\\b50\\b").containsPattern("\\b25\\b");
    assertThat(jobDirs(paths.stagingDir())).as("the job is kept, nothing new").isEqualTo(jobs);

    // The kept job still resumes with its own parameters.
    Cli.Result resumed = Cli.run(paths.export(RANGE.start(), RANGE.end(), 50, "--resume",
        "--json"));
    assertThat(resumed.status()).as(resumed.err()).isZero();
    assertThat(JSON.readTree(resumed.out()).get("resumed").asBoolean()).isTrue();
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), RANGE, false,
        false);
    assertThat(jobDirs(paths.stagingDir())).isEmpty();
  }

  @Test
  void aJobResumesThroughSymlinksToItsWarehouseAndDatabases(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    List<String> jobs = killedAfterTheFirstCheckpoint(paths, work);
    Path linkedSources = Files.createSymbolicLink(work.resolve("sources-link"),
        paths.coreDb().getParent());
    ExportArgs linked = new ExportArgs(linkedSources.resolve(paths.coreDb().getFileName()),
        linkedSources.resolve(paths.bundlesDb().getFileName()), paths.stagingDir(),
        Files.createSymbolicLink(work.resolve("warehouse-link"), paths.warehouseDir()));

    Cli.Result resumed = Cli.run(linked.export(RANGE.start(), RANGE.end(), 50, "--resume",
        "--json"));

    assertThat(resumed.status()).as(resumed.err()).isZero();
    JsonNode summary = JSON.readTree(resumed.out());
    assertThat(summary.get("resumed").asBoolean()).isTrue();
    assertThat(summary.get("jobId").asText()).isEqualTo(jobs.get(0).replace("job-", ""));
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), RANGE, false,
        false);
    assertThat(jobDirs(paths.stagingDir())).isEmpty();
  }

  /**
   * A checkpoint whose height is no partition end of its job (outside the range, inside a
   * partition) or whose format is unknown would make --resume skip heights or call the job done:
   * it is refused (exit 3, one line naming the file and the value), the job and the warehouse
   * stay as they were, and the job resumes once the file is right again.
   */
  @Test
  void aCheckpointThatNamesNoPartitionEndIsRefused(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    List<String> jobs = killedAfterTheFirstCheckpoint(paths, work);
    Path checkpoint = paths.stagingDir().resolve(jobs.get(0)).resolve(".checkpoint");
    String good = Files.readString(checkpoint);
    assertThat(good).contains("\"lastCompletedHeight\" : 149");
    // The tables' files; .arexport/ is left out: the first refused run, like any run on the
    // warehouse, finishes the killed run's partition commit (its journal) before it looks for jobs.
    SortedMap<String, String> warehouse = tables(paths.warehouseDir());

    for (String[] bad : new String[][] {
        {"\"lastCompletedHeight\" : 149", "\"lastCompletedHeight\" : 9999", "9999"},
        {"\"lastCompletedHeight\" : 149", "\"lastCompletedHeight\" : -99999", "-99999"},
        {"\"lastCompletedHeight\" : 149", "\"lastCompletedHeight\" : 174", "174"},
        {"\"formatVersion\" : 1", "\"formatVersion\" : 99", "99"}}) {
      Files.writeString(checkpoint, good.replace(bad[0], bad[1]));
      Cli.Result refused = Cli.run(paths.export(RANGE.start(), RANGE.end(), 50, "--resume"));
      assertThat(refused.status()).as(refused.err()).isEqualTo(3);
      assertThat(refused.errLines()).as(refused.err()).singleElement().asString()
          .contains(checkpoint.toString(), bad[2]).doesNotContain("Cannot construct");
      assertThat(jobDirs(paths.stagingDir())).isEqualTo(jobs);
      assertThat(tables(paths.warehouseDir())).isEqualTo(warehouse);
    }

    Files.writeString(checkpoint, good);
    Cli.Result resumed = Cli.run(paths.export(RANGE.start(), RANGE.end(), 50, "--resume"));
    assertThat(resumed.status()).as(resumed.err()).isZero();
    assertThat(resumed.out()).contains("(4 partitions, resumed)");
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), RANGE, false,
        false);
  }

  /** A job of RANGE in partitions of 50, killed once its checkpoint passed 100-149. */
  private static List<String> killedAfterTheFirstCheckpoint(ExportArgs paths, Path work)
      throws Exception {
    try (ChildJvm child = ChildJvm.start(List.of(), Map.of("AREXPORT_FAULT_POINT",
        "checkpoint-advanced:1"), work, paths.export(RANGE.start(), RANGE.end(), 50))) {
      assertThat(child.awaitErrLine("fault point checkpoint-advanced:1 reached", 120))
          .as(child.err()).isTrue();
      child.kill();
    }
    List<String> jobs = jobDirs(paths.stagingDir());
    assertThat(jobs).hasSize(1);
    return jobs;
  }

  private static SortedMap<String, String> tables(Path warehouse) throws Exception {
    SortedMap<String, String> files = snapshot(warehouse);
    files.keySet().removeIf(name -> name.startsWith(".arexport"));
    return files;
  }

  @Test
  void failurePrintsTheCommandThatResumes(@TempDir Path work) throws Exception {
    // Paths a shell must quote, so the printed command has to quote them right.
    ExportArgs paths = new ExportArgs(work.resolve("source dbs/core.db"),
        work.resolve("source dbs/bundles.db"), work.resolve("operator's staging"),
        work.resolve("ware house"));
    SampleDatabases.generate(Spec.small(), paths.coreDb(), paths.bundlesDb());
    // One L1 transaction in partition 200-249 gets a quantity that is not a decimal(20,0).
    byte[] id;
    String quantity;
    try (Connection core = DriverManager.getConnection("jdbc:sqlite:" + paths.coreDb());
        PreparedStatement find = core.prepareStatement(
            "SELECT id, quantity FROM stable_transactions WHERE height BETWEEN 220 AND 249"
                + " ORDER BY height, id LIMIT 1");
        ResultSet row = find.executeQuery()) {
      assertThat(row.next()).isTrue();
      id = row.getBytes(1);
      quantity = row.getString(2);
    }
    setQuantity(paths.coreDb(), id, "12.5");

    Cli.Result failed = Cli.run(paths.export(RANGE.start(), RANGE.end(), 50,
        "--includeL1Transactions"));

    assertThat(failed.status()).as(failed.err()).isNotZero();
    assertThat(failed.err()).contains("'12.5'");
    List<String> resumeLines = failed.errLines().stream()
        .filter(l -> l.contains("resume with: arexport export ")).toList();
    assertThat(resumeLines).as(failed.err()).hasSize(1);
    String command = resumeLines.get(0).substring(
        resumeLines.get(0).indexOf("resume with: ") + "resume with: ".length());
    List<String> words = shellWords(command);
    assertThat(words).startsWith("arexport", "export").contains("--resume");

    setQuantity(paths.coreDb(), id, quantity);
    Cli.Result resumed = Cli.run(words.subList(1, words.size()).toArray(String[]::new));

    assertThat(resumed.status()).as(resumed.err()).isZero();
    assertThat(resumed.err()).contains("resuming job");
    assertThat(resumed.out()).contains("(3 partitions, resumed)");
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), RANGE, true,
        false);
    assertThat(jobDirs(paths.stagingDir())).isEmpty();
  }

  private static void setQuantity(Path core, byte[] id, String quantity) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + core);
        PreparedStatement update = c.prepareStatement(
            "UPDATE stable_transactions SET quantity = ? WHERE id = ?")) {
      update.setString(1, quantity);
      update.setBytes(2, id);
      assertThat(update.executeUpdate()).isEqualTo(1);
    }
  }

  /** Splits a POSIX shell command line (plain words, '...' quoting, backslash escapes). */
  static List<String> shellWords(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == ' ') {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
        continue;
      }
      if (word == null) {
        word = new StringBuilder();
      }
      if (c == '\'') {
        int end = line.indexOf('\'', i + 1);
        word.append(line, i + 1, end);
        i = end;
      } else if (c == '\\' && i + 1 < line.length()) {
        word.append(line.charAt(++i));
      } else {
        word.append(c);
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }
}
