package io.arexport.cli;

import static io.arexport.testing.WarehouseAssertions.assertEqualsSource;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arexport.HeightRange;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SampleDatabases.Spec;
import io.arexport.testing.SourceOracle;
import io.arexport.testing.WarehouseReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as an operator and a cron job use it: help with examples and every option,
 * version, both option spellings, a machine-readable summary, and the split of stdout (results)
 * from stderr (progress).
 */
class CliTest {
  private static final ObjectMapper STRICT_JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final HeightRange RANGE = new HeightRange(100, 349);
  private static final List<String> TABLES = List.of("blocks", "transactions", "tags");

  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  @Test
  void exportHelpShowsExamplesAndEveryOption() {
    Cli.Result help = Cli.run("export", "--help");

    assertThat(help.status()).isZero();
    assertThat(help.out()).contains("Examples:").contains("arexport export --startHeight")
        .contains("--resume");
    for (String option : List.of("--startHeight", "--start-height", "--endHeight",
        "--end-height", "--heightPartitionSize", "--height-partition-size", "--maxFileRows",
        "--max-file-rows", "--includeL1Transactions", "--include-l1-transactions",
        "--includeL1Tags", "--include-l1-tags", "--coreDb", "--core-db", "--bundlesDb",
        "--bundles-db", "--stagingDir", "--staging-dir", "--warehouseDir", "--warehouse-dir",
        "--datasets-dir", "--resume", "--compression", "--no-iceberg", "--quiet", "-q", "--json",
        "--stacktrace", "--help", "--version")) {
      assertThat(help.out()).as("help mentions " + option).contains(option);
    }
    assertThat(help.out()).contains("Exit status");
    assertThat(help.err()).isEmpty();

    Cli.Result top = Cli.run("--help");
    assertThat(top.status()).isZero();
    assertThat(top.out()).contains("export");
  }

  @Test
  void versionNamesArexportFirstThenTheLibrariesItRunsWith() throws Exception {
    String sqlite;
    try (java.sql.Connection db = java.sql.DriverManager.getConnection("jdbc:sqlite::memory:")) {
      sqlite = db.getMetaData().getDatabaseProductVersion();
    }
    for (String[] args : List.of(new String[] {"--version"}, new String[] {"export", "-V"})) {
      Cli.Result version = Cli.run(args);
      assertThat(version.status()).isZero();
      List<String> lines = version.out().lines().toList();
      assertThat(lines.get(0)).matches("arexport \\S.*");
      assertThat(lines).contains(
          "  Apache Iceberg " + org.apache.iceberg.IcebergBuild.version() + " (commit "
              + org.apache.iceberg.IcebergBuild.gitCommitShortId() + ")",
          "  Apache Parquet Java " + org.apache.parquet.Version.VERSION_NUMBER);
      assertThat(lines).anyMatch(l -> l.matches("  SQLite " + java.util.regex.Pattern.quote(sqlite)
          + " \\(sqlite-jdbc \\d+(\\.\\d+)+\\)"));
      assertThat(sqlite).matches("3\\.\\d+\\.\\d+");
      assertThat(lines).anyMatch(l -> l.startsWith("  Java " + Runtime.version().feature()));
      assertThat(version.err()).isEmpty();
    }
  }

  @Test
  void kebabCaseSpellingsGiveTheSameExport(@TempDir Path work) throws Exception {
    ExportArgs camel = ExportArgs.of(sources, work.resolve("camel"));
    ExportArgs kebab = ExportArgs.of(sources, work.resolve("kebab"));
    ExportArgs datasets = ExportArgs.of(sources, work.resolve("datasets"));

    Cli.Result camelRun = Cli.run("export", "--startHeight", "100", "--endHeight", "349",
        "--heightPartitionSize", "50", "--maxFileRows", "200", "--includeL1Transactions",
        "--includeL1Tags", "--coreDb", camel.coreDb().toString(), "--bundlesDb",
        camel.bundlesDb().toString(), "--stagingDir", camel.stagingDir().toString(),
        "--warehouseDir", camel.warehouseDir().toString(), "--json");
    Cli.Result kebabRun = Cli.run("export", "--start-height", "100", "--end-height", "349",
        "--height-partition-size", "50", "--max-file-rows", "200", "--include-l1-transactions",
        "--include-l1-tags", "--core-db", kebab.coreDb().toString(), "--bundles-db",
        kebab.bundlesDb().toString(), "--staging-dir", kebab.stagingDir().toString(),
        "--warehouse-dir", kebab.warehouseDir().toString(), "--json");
    Cli.Result datasetsRun = Cli.run("export", "--start-height", "100", "--end-height", "349",
        "--height-partition-size", "50", "--max-file-rows", "200", "--include-l1-transactions",
        "--include-l1-tags", "--core-db", datasets.coreDb().toString(), "--bundles-db",
        datasets.bundlesDb().toString(), "--staging-dir", datasets.stagingDir().toString(),
        "--datasets-dir", datasets.warehouseDir().toString(), "--json");

    for (Cli.Result run : List.of(camelRun, kebabRun, datasetsRun)) {
      assertThat(run.status()).as(run.err()).isZero();
    }
    JsonNode camelSummary = STRICT_JSON.readTree(camelRun.out());
    assertThat(STRICT_JSON.readTree(kebabRun.out()).get("tables"))
        .isEqualTo(camelSummary.get("tables"));
    assertThat(STRICT_JSON.readTree(datasetsRun.out()).get("tables"))
        .isEqualTo(camelSummary.get("tables"));
    assertEqualsSource(camel.warehouseDir(), camel.coreDb(), camel.bundlesDb(), RANGE, true, true);
    try (WarehouseReader reader = new WarehouseReader()) {
      for (String table : TABLES) {
        // Same partitions, same number of files each (maxFileRows 200 splits tags), same rows.
        List<Integer> camelFiles = fileCounts(camel.warehouseDir(), table);
        if (table.equals("tags")) {
          assertThat(camelFiles).as("tags files per partition").anyMatch(n -> n > 1);
        }
        for (ExportArgs other : List.of(kebab, datasets)) {
          assertThat(WarehouseReader.files(other.warehouseDir(), table).keySet())
              .isEqualTo(WarehouseReader.files(camel.warehouseDir(), table).keySet());
          assertThat(fileCounts(other.warehouseDir(), table)).isEqualTo(camelFiles);
          assertThat(reader.rows(other.warehouseDir(), table))
              .isEqualTo(reader.rows(camel.warehouseDir(), table));
        }
      }
    }
  }

  @Test
  void jsonSummaryIsValidAndCountsEveryRow(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);

    Cli.Result run = Cli.run(paths.export(RANGE.start(), RANGE.end(), 50,
        "--includeL1Transactions", "--includeL1Tags", "--json"));

    assertThat(run.status()).as(run.err()).isZero();
    JsonNode summary = STRICT_JSON.readTree(run.out()); // the whole of stdout is one document
    try (SourceOracle source = new SourceOracle(paths.coreDb(), paths.bundlesDb())) {
      for (String table : TABLES) {
        assertThat(summary.at("/tables/" + table + "/rows").asLong()).as(table + " rows")
            .isEqualTo(source.count(table, RANGE, true, true));
        assertThat(summary.at("/tables/" + table + "/files").asLong()).as(table + " files")
            .isEqualTo(WarehouseReader.files(paths.warehouseDir(), table).values().stream()
                .mapToLong(List::size).sum());
      }
      assertThat(summary.get("skippedDanglingTags").asLong())
          .isEqualTo(source.danglingTags(RANGE, true));
    }
    assertThat(summary.get("startHeight").asLong()).isEqualTo(100);
    assertThat(summary.get("endHeight").asLong()).isEqualTo(349);
    assertThat(summary.get("partitions").asInt()).isEqualTo(5);
    assertThat(summary.get("warehouse").asText()).isEqualTo(paths.warehouseDir().toString());
  }

  @Test
  void progressGoesToStderrAndOnlyTheSummaryToStdout(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);

    Cli.Result run = Cli.run(paths.export(RANGE.start(), RANGE.end(), 50));

    assertThat(run.status()).as(run.err()).isZero();
    List<String> out = run.out().lines().toList();
    assertThat(out).hasSize(5);
    assertThat(out.get(0)).startsWith("exported heights 100-349 (5 partitions) into "
        + paths.warehouseDir());
    assertThat(out.get(1)).matches("\\s+blocks\\s+[\\d,]+ rows\\s+[\\d,]+ files\\s+.*");
    assertThat(out.get(2)).matches("\\s+transactions\\s+[\\d,]+ rows\\s+[\\d,]+ files\\s+.*");
    assertThat(out.get(3)).matches("\\s+tags\\s+[\\d,]+ rows\\s+[\\d,]+ files\\s+.*");
    assertThat(out.get(4)).matches("\\s+skipped dangling tags: [\\d,]+");
    List<String> err = run.errLines();
    assertThat(err.get(0)).startsWith("arexport: starting job ");
    List<HeightRange> partitions = RANGE.alignedPartitions(50);
    for (int i = 0; i < partitions.size(); i++) {
      String line = "[" + (i + 1) + "/5] height=" + partitions.get(i) + " ";
      assertThat(err).as("progress of partition " + partitions.get(i))
          .anyMatch(l -> l.startsWith(line));
    }
    assertThat(err).hasSize(6);
  }

  private static List<Integer> fileCounts(Path warehouse, String table) throws Exception {
    return WarehouseReader.files(warehouse, table).values().stream().map(List::size).toList();
  }
}
