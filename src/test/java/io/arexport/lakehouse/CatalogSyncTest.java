package io.arexport.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arexport.HeightRange;
import io.arexport.sync.GrowingSource;
import io.arexport.testing.ChildJvm;
import io.arexport.testing.Cli;
import io.arexport.testing.IcebergReader;
import io.arexport.testing.SampleDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code arexport sync} in catalog mode, through a JdbcCatalog on SQLite over a local warehouse:
 * against a source whose stable tip moves between runs, the tables (read with Iceberg's own
 * JdbcCatalog and generics reader) end equal to the whole SQLite source, the partial tip
 * partition is replaced whole, a run with nothing new commits nothing, and no secret is printed.
 */
class CatalogSyncTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "s3cr3t-Sync-Value-7";
  /** Spec.small(): heights 100-349; with 50, partitions 100-149 ... 300-349. */
  private static final HeightRange FULL = new HeightRange(100, 349);

  @TempDir static Path pristine;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), pristine.resolve("core.db"),
        pristine.resolve("bundles.db"));
  }

  private static String[] sync(LocalCatalog catalog, GrowingSource source, Path work,
      String... extra) {
    List<String> args = new ArrayList<>(List.of("sync", "--heightPartitionSize", "50",
        "--includeL1Transactions", "--includeL1Tags",
        "--coreDb", source.coreDb().toString(), "--bundlesDb", source.bundlesDb().toString(),
        "--stagingDir", work.resolve("staging").toString(),
        "--warehouseDir", work.resolve("warehouse").toString(),
        "--catalog-property", "s3.secret-access-key=" + SECRET));
    args.addAll(List.of(extra));
    return catalog.with(args.toArray(String[]::new));
  }

  /** A plain catalog export of heights start-end (partitions of 50, L1 on) that succeeds. */
  private static void exportOk(LocalCatalog catalog, GrowingSource source, Path staging,
      long start, long end) {
    Cli.Result export = Cli.run(catalog.with("export", "--startHeight", Long.toString(start),
        "--endHeight", Long.toString(end), "--heightPartitionSize", "50",
        "--includeL1Transactions", "--includeL1Tags", "--coreDb", source.coreDb().toString(),
        "--bundlesDb", source.bundlesDb().toString(), "--stagingDir", staging.toString()));
    assertThat(export.status()).as(export.err()).isZero();
  }

  private static JsonNode statusOf(LocalCatalog catalog, GrowingSource source, Path work)
      throws Exception {
    return ok(Cli.run(catalog.with("status", "--json", "--coreDb", source.coreDb().toString(),
        "--bundlesDb", source.bundlesDb().toString(), "--stagingDir",
        work.resolve("staging").toString())));
  }

  private static JsonNode ok(Cli.Result result) throws Exception {
    assertThat(result.status()).as(result.err()).isZero();
    assertNoSecret(result);
    return JSON.readTree(result.out());
  }

  private static void assertNoSecret(Cli.Result result) {
    assertThat(result.out()).doesNotContain(SECRET);
    assertThat(result.err()).doesNotContain(SECRET);
  }

  /** The data file locations of {@code table} under {@code height=<partition>/}. */
  private static Set<String> filesOf(Table table, String partition) {
    return CatalogExportTest.locations(table).stream()
        .filter(l -> l.contains("/height=" + partition + "/"))
        .collect(java.util.stream.Collectors.toSet());
  }

  /** Each table's current snapshot id and metadata file: what a commit would change. */
  private static Map<String, String> state(LocalCatalog catalog) {
    Map<String, String> state = new LinkedHashMap<>();
    for (String name : CatalogExportTest.TABLES) {
      Table table = catalog.load(name);
      state.put(name, table.currentSnapshot().snapshotId() + " "
          + ((HasTableOperations) table).operations().current().metadataFileLocation());
    }
    return state;
  }

  @Test
  void growingSourceEndsEqualToTheSourceAndANoChangeRunCommitsNothing(@TempDir Path work)
      throws Exception {
    GrowingSource source = GrowingSource.copy(pristine, work.resolve("sources"));
    source.cutAbove(224);
    LocalCatalog catalog = LocalCatalog.in(work);

    JsonNode first = ok(Cli.run(sync(catalog, source, work, "--json")));
    assertThat(first.get("outcome").asText()).isEqualTo("synced");
    assertThat(first.get("highestAfter").asLong()).isEqualTo(224);
    assertThat(first.get("warehouse").asText()).contains("jdbc catalog ar_io");
    assertThat(Files.exists(work.resolve("warehouse"))).as("no directory warehouse").isFalse();
    CatalogExportTest.assertEqualsSource(source.coreDb().getParent(), catalog::load,
        new HeightRange(100, 224));
    Table blocks = catalog.load("blocks");
    assertThat(filesOf(blocks, "200-224")).as("the partial tip partition").isNotEmpty();
    Set<String> unchanged = filesOf(catalog.load("tags"), "100-149");
    assertThat(unchanged).isNotEmpty();

    source.restoreAbove(224);
    JsonNode second = ok(Cli.run(sync(catalog, source, work, "--json")));
    assertThat(second.get("outcome").asText()).isEqualTo("synced");
    assertThat(second.get("frontierBefore").asLong()).as("the partition of 224 is partial")
        .isEqualTo(199);
    assertThat(second.get("runs")).hasSize(1);
    assertThat(second.get("runs").get(0).get("startHeight").asLong()).isEqualTo(200);
    assertThat(second.get("runs").get(0).get("endHeight").asLong()).isEqualTo(349);
    CatalogExportTest.assertEqualsSource(source.coreDb().getParent(), catalog::load, FULL);
    CatalogExportTest.assertEqualsSource(pristine, catalog::load, FULL);
    for (String table : CatalogExportTest.TABLES) {
      assertThat(filesOf(catalog.load(table), "200-224")).as(table + ": partial partition gone")
          .isEmpty();
    }
    assertThat(filesOf(catalog.load("blocks"), "200-249")).isNotEmpty();
    assertThat(filesOf(catalog.load("tags"), "100-149")).as("earlier partitions untouched")
        .isEqualTo(unchanged);

    // Nothing new: says so, and no table gets a commit (snapshot and metadata file unchanged).
    Map<String, String> before = state(catalog);
    Cli.Result third = Cli.run(sync(catalog, source, work));
    assertThat(third.status()).as(third.err()).isZero();
    assertNoSecret(third);
    assertThat(third.out()).startsWith("up to date: warehouse holds up to height 349, source"
        + " stable tip 349; nothing written");
    assertThat(state(catalog)).isEqualTo(before);
    JsonNode fourth = ok(Cli.run(sync(catalog, source, work, "--json")));
    assertThat(fourth.get("outcome").asText()).isEqualTo("up-to-date");
    assertThat(fourth.get("runs")).isEmpty();
    assertThat(state(catalog)).isEqualTo(before);
  }

  /**
   * Another engine compacts the partial tip partition (heights 200-224 of partition 200-249) into
   * files outside any {@code height=S-E} directory, and another exporter then publishes 250-349.
   * The compacted files show their partition exported only through their highest height, 224:
   * had they claimed the whole partition, heights 225-249 would never show missing and never be
   * exported. status shows the gap, and {@code sync --fill-gaps} fills it.
   */
  @Test
  void aCompactedPartialTipPartitionCoversOnlyTheHeightsItHolds(@TempDir Path work)
      throws Exception {
    GrowingSource source = GrowingSource.copy(pristine, work.resolve("sources"));
    source.cutAbove(224);
    LocalCatalog catalog = LocalCatalog.in(work);
    ok(Cli.run(sync(catalog, source, work, "--json")));
    compactEveryTable(catalog, "200-224");
    assertThat(filesOf(catalog.load("blocks"), "200-224")).as("compacted away").isEmpty();
    source.restoreAbove(224);
    exportOk(catalog, source, work.resolve("other-staging"), 250, 349);

    JsonNode status = statusOf(catalog, source, work);
    JsonNode coverage = status.get("coverage");
    assertThat(coverage.get("gaps").toString()).isEqualTo("[{\"start\":225,\"end\":249}]");

    JsonNode filled = ok(Cli.run(sync(catalog, source, work, "--fill-gaps", "--json")));
    assertThat(filled.get("runs").get(0).get("startHeight").asLong()).isEqualTo(200);
    CatalogExportTest.assertEqualsSource(pristine, catalog::load, FULL);
  }

  /**
   * An export that began inside a partition (heights 210-249 of 200-249), compacted by another
   * engine: the compacted files cover 210-249, not the heights 200-209 nobody exported.
   */
  @Test
  void aCompactedPartitionCoversOnlyFromItsLowestHeight(@TempDir Path work) throws Exception {
    GrowingSource source = GrowingSource.copy(pristine, work.resolve("sources"));
    LocalCatalog catalog = LocalCatalog.in(work);
    exportOk(catalog, source, work.resolve("staging"), 210, 249);
    compactEveryTable(catalog, "210-249");

    JsonNode status = statusOf(catalog, source, work);
    assertThat(status.get("coverage").get("ranges").toString())
        .isEqualTo("[{\"start\":210,\"end\":249}]");
  }

  /** Another engine, through the catalog, compacts {@code partition} of each of the tables. */
  private static void compactEveryTable(LocalCatalog catalog, String partition) throws Exception {
    try (org.apache.iceberg.jdbc.JdbcCatalog engine = catalog.open()) {
      for (String name : CatalogExportTest.TABLES) {
        compact(engine.loadTable(TableIdentifier.of("default", name)), partition);
      }
    }
  }

  /**
   * What a compaction by another engine does to the files under {@code height=<partition>/}:
   * their rows rewritten (here: the same bytes copied) into one file per original under
   * Iceberg's own partition path, with the originals' metrics and partition value.
   */
  private static void compact(Table table, String partition) throws Exception {
    Set<DataFile> old = new java.util.HashSet<>();
    Set<DataFile> compacted = new java.util.HashSet<>();
    for (DataFile file : IcebergReader.dataFiles(table)) {
      if (!file.location().contains("/height=" + partition + "/")) {
        continue;
      }
      Path from = Path.of(file.location().replaceFirst("^file:", ""));
      Path to = from.getParent().getParent().resolve("height_trunc_50=200")
          .resolve("compacted-" + from.getFileName());
      Files.createDirectories(to.getParent());
      Files.copy(from, to);
      old.add(file);
      compacted.add(org.apache.iceberg.DataFiles.builder(table.specs().get(file.specId()))
          .copy(file).withPath(to.toString()).build());
    }
    assertThat(old).as(table.name()).isNotEmpty();
    table.newRewrite().rewriteFiles(old, compacted).commit();
  }

  /**
   * An export reaching above the stable tip committed the partition holding the tip (200-249,
   * rows only through 224) under its whole partition: sync exports it again whole once the
   * gateway has the rest, judged from the manifests' record counts.
   */
  @Test
  void aPartitionExportedAboveTheStableTipIsExportedAgainOnceTheGatewayHasIt(@TempDir Path work)
      throws Exception {
    GrowingSource source = GrowingSource.copy(pristine, work.resolve("sources"));
    source.cutAbove(224);
    LocalCatalog catalog = LocalCatalog.in(work);
    exportOk(catalog, source, work.resolve("staging"), 100, 349);
    assertThat(filesOf(catalog.load("blocks"), "200-249")).isNotEmpty();

    source.restoreAbove(224);
    JsonNode synced = ok(Cli.run(sync(catalog, source, work, "--json")));
    assertThat(synced.get("runs").get(0).get("startHeight").asLong()).isEqualTo(200);
    CatalogExportTest.assertEqualsSource(pristine, catalog::load, FULL);
  }

  /**
   * An export killed between the table commits of one partition (blocks and transactions of
   * 150-199 committed, tags not) whose job is not resumed (another --maxFileRows): the partition
   * counts as covered through its blocks, so sync must see the table it lacks and export the
   * partition again, not plan past it and leave its tags out for good.
   */
  @Test
  void aPartitionWhoseTagsCommitWasInterruptedIsExportedAgain(@TempDir Path work)
      throws Exception {
    GrowingSource source = GrowingSource.copy(pristine, work.resolve("sources"));
    LocalCatalog catalog = LocalCatalog.in(work);
    String[] export = catalog.with("export", "--startHeight", "100", "--endHeight", "349",
        "--heightPartitionSize", "50", "--includeL1Transactions", "--includeL1Tags",
        "--threads", "1", "--maxFileRows", "100000",
        "--coreDb", source.coreDb().toString(), "--bundlesDb", source.bundlesDb().toString(),
        "--stagingDir", work.resolve("staging").toString());
    try (ChildJvm child = ChildJvm.start(List.of("-Xmx512m"),
        Map.of("AREXPORT_FAULT_POINT", "catalog-table-committed:5"), work, export)) {
      assertThat(child.awaitErrLine("fault point catalog-table-committed:5 reached", 120))
          .as(child.err()).isTrue();
      child.kill();
    }
    assertThat(filesOf(catalog.load("transactions"), "150-199")).isNotEmpty();
    assertThat(filesOf(catalog.load("tags"), "150-199")).as("killed before").isEmpty();

    JsonNode synced = ok(Cli.run(sync(catalog, source, work, "--json")));
    assertThat(synced.get("runs").get(0).get("kind").asText()).isEqualTo("new");
    assertThat(synced.get("runs").get(0).get("startHeight").asLong()).isEqualTo(150);
    CatalogExportTest.assertEqualsSource(pristine, catalog::load, FULL);
  }

  @Test
  void otherL1FlagsExitThreeNamingTheCatalogRecord(@TempDir Path work) throws Exception {
    GrowingSource source = GrowingSource.copy(pristine, work.resolve("sources"));
    source.cutAbove(199);
    LocalCatalog catalog = LocalCatalog.in(work);
    ok(Cli.run(sync(catalog, source, work, "--json")));
    Map<String, String> before = state(catalog);

    List<String> args = new ArrayList<>(List.of(sync(catalog, source, work)));
    args.remove("--includeL1Tags");
    Cli.Result other = Cli.run(args.toArray(String[]::new));
    assertThat(other.status()).as(other.err()).isEqualTo(3);
    assertNoSecret(other);
    assertThat(other.err()).contains("was synced with")
        .contains("remove the " + CatalogCoverage.PROPERTY + " property of table default.blocks");
    assertThat(state(catalog)).isEqualTo(before);
  }
}
