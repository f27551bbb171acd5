package io.arexport.export;

import static io.arexport.testing.WarehouseAssertions.assertEqualsSource;
import static io.arexport.testing.WarehouseAssertions.jobDirs;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arexport.HeightRange;
import io.arexport.testing.ChildJvm;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SampleDatabases.Spec;
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

/**
 * {@code --threads}: several partitions staged at once, published in height order. The output
 * does not depend on the number of threads, and a kill while several partitions are in flight
 * resumes exactly (the checkpoint only ever names published partitions).
 */
class ParallelExportTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HeightRange RANGE = new HeightRange(100, 349);
  private static final long PARTITION_SIZE = 25;

  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(new Spec(21, 100, 349, 2, 6, 4), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  @Test
  void oneThreadAndManyWriteTheSameRowsAndFiles(@TempDir Path work) throws Exception {
    ExportArgs one = ExportArgs.of(sources, work.resolve("one"));
    ExportArgs many = ExportArgs.of(sources, work.resolve("many"));
    for (var run : List.of(Map.entry(one, "1"), Map.entry(many, "4"))) {
      Cli.Result result = Cli.run(run.getKey().export(RANGE.start(), RANGE.end(), PARTITION_SIZE,
          "--includeL1Transactions", "--includeL1Tags", "--maxFileRows", "40",
          "--threads", run.getValue(), "--json"));
      assertThat(result.status()).as(result.err()).isZero();
      assertThat(JSON.readTree(result.out()).get("partitions").asInt())
          .isEqualTo(RANGE.alignedPartitions(PARTITION_SIZE).size());
      // DuckDB's read of the Parquet against SQLite's rows, table by table and partition by
      // partition.
      assertEqualsSource(run.getKey().warehouseDir(), one.coreDb(), one.bundlesDb(), RANGE, true,
          true);
    }
    try (WarehouseReader duckdb = new WarehouseReader()) {
      for (String table : List.of("blocks", "transactions", "tags")) {
        assertThat(duckdb.rowsByPartition(many.warehouseDir(), table)).as(table)
            .isEqualTo(duckdb.rowsByPartition(one.warehouseDir(), table));
        assertThat(fileLayout(many.warehouseDir(), table)).as(table + " files per partition")
            .isEqualTo(fileLayout(one.warehouseDir(), table));
      }
    }
  }

  /** Per partition, how many files it has (names differ only in their job id). */
  private static Map<HeightRange, Integer> fileLayout(Path warehouse, String table)
      throws Exception {
    Map<HeightRange, Integer> layout = new java.util.TreeMap<>(
        java.util.Comparator.comparingLong(HeightRange::start));
    WarehouseReader.files(warehouse, table).forEach((range, files) -> layout.put(range,
        files.size()));
    return layout;
  }

  @Test
  void killWithSeveralPartitionsInFlightResumesExactly(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    String[] args = paths.export(RANGE.start(), RANGE.end(), PARTITION_SIZE,
        "--includeL1Transactions", "--includeL1Tags", "--threads", "3");
    // Paused after the second partition's checkpoint: the workers go on staging the next ones.
    HeightRange third = new HeightRange(150, 174);
    HeightRange fourth = new HeightRange(175, 199);
    String job;
    try (ChildJvm child = ChildJvm.start(List.of("-Xmx256m"),
        Map.of("AREXPORT_FAULT_POINT", "checkpoint-advanced:2"), work, args)) {
      assertThat(child.awaitErrLine("fault point checkpoint-advanced:2 reached", 120))
          .as("child stderr:%n%s", child.err()).isTrue();
      List<String> jobs = jobDirs(paths.stagingDir());
      assertThat(jobs).hasSize(1);
      job = jobs.get(0);
      Path jobDir = paths.stagingDir().resolve(job);
      // Both partitions after the checkpoint are staged (in flight) before the kill.
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!(finished(jobDir, third) && finished(jobDir, fourth))
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(finished(jobDir, third) && finished(jobDir, fourth))
          .as("partitions %s and %s staged while %s", third, fourth, "the second is published")
          .isTrue();
      child.kill();
    }
    Path jobDir = paths.stagingDir().resolve(job);
    JsonNode checkpoint = JSON.readTree(jobDir.resolve(".checkpoint").toFile());
    assertThat(checkpoint.get("lastCompletedHeight").asLong())
        .as("the checkpoint names only published partitions").isEqualTo(149);
    assertThat(WarehouseReader.files(paths.warehouseDir(), "tags").keySet())
        .as("nothing staged after the checkpoint reached the warehouse")
        .isNotEmpty().allMatch(range -> range.end() <= 149)
        .contains(new HeightRange(100, 124), new HeightRange(125, 149));

    Cli.Result resumed = Cli.run(append(args, "--resume", "--json"));

    assertThat(resumed.status()).as(resumed.err()).isZero();
    JsonNode summary = JSON.readTree(resumed.out());
    assertThat(summary.get("resumed").asBoolean()).isTrue();
    assertThat(summary.get("partitions").asInt())
        .isEqualTo(RANGE.alignedPartitions(PARTITION_SIZE).size() - 2);
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), RANGE, true, true);
    assertThat(jobDirs(paths.stagingDir())).isEmpty();
    assertThat(paths.warehouseDir().resolve(".arexport").resolve("pending-commit.json"))
        .doesNotExist();
  }

  /** Every table of {@code partition} has finished (renamed) files in the job's staging. */
  private static boolean finished(Path jobDir, HeightRange partition) throws Exception {
    for (String table : List.of("blocks", "transactions", "tags")) {
      Path dir = jobDir.resolve(table).resolve(partition.directoryName());
      if (!Files.isDirectory(dir)) {
        return false;
      }
      try (Stream<Path> files = Files.list(dir)) {
        if (files.noneMatch(p -> p.getFileName().toString().startsWith(table + "_"))) {
          return false;
        }
      }
    }
    return true;
  }

  private static String[] append(String[] args, String... extra) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(extra));
    return all.toArray(String[]::new);
  }
}
