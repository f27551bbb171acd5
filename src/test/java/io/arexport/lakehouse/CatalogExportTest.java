package io.arexport.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.testing.Cli;
import io.arexport.testing.LoggedWarnings;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.IcebergReader;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SourceOracle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catalog mode through a JdbcCatalog on SQLite over a local warehouse: the tables, read back with
 * Iceberg's own JdbcCatalog and generics reader, equal the SQLite source row for row after a first
 * export, an incremental one, a re-export of a range and a change of partition size.
 */
class CatalogExportTest {
  static final List<String> TABLES = List.of("blocks", "transactions", "tags");

  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  @Test
  void firstIncrementalReexportAndSpecEvolutionEqualTheSource(@TempDir Path work)
      throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    LocalCatalog catalog = LocalCatalog.in(work);

    Cli.Result first = Cli.run(catalog.with(paths.export(100, 249, 50,
        "--includeL1Transactions", "--includeL1Tags")));
    assertThat(first.status()).as(first.err()).isZero();
    assertThat(Files.exists(paths.warehouseDir())).as("no directory warehouse").isFalse();
    assertEqualsSource(catalog, new HeightRange(100, 249));
    for (String table : TABLES) {
      assertThat(catalog.load(table).spec().fields().get(0).transform().toString())
          .isEqualTo("truncate[50]");
    }

    Cli.Result incremental = Cli.run(catalog.with(paths.export(250, 349, 50,
        "--includeL1Transactions", "--includeL1Tags")));
    assertThat(incremental.status()).as(incremental.err()).isZero();
    assertEqualsSource(catalog, new HeightRange(100, 349));

    Set<String> before = locations(catalog.load("tags"));
    Cli.Result reexport = Cli.run(catalog.with(paths.export(150, 199, 50,
        "--includeL1Transactions", "--includeL1Tags")));
    assertThat(reexport.status()).as(reexport.err()).isZero();
    assertEqualsSource(catalog, new HeightRange(100, 349));
    Set<String> after = locations(catalog.load("tags"));
    // Exactly the re-exported partition's files were replaced, every other file kept.
    Set<String> removed = new java.util.TreeSet<>(before);
    removed.removeAll(after);
    Set<String> added = new java.util.TreeSet<>(after);
    added.removeAll(before);
    assertThat(removed).as("files the re-export replaced").isNotEmpty()
        .allMatch(location -> location.contains("/data/height=150-199/"));
    assertThat(added).as("files the re-export added").hasSameSizeAs(removed)
        .allMatch(location -> location.contains("/data/height=150-199/"));

    // Another partition size: 200-349 again in 100-height partitions (spec evolution).
    Cli.Result evolved = Cli.run(catalog.with(paths.export(200, 349, 100,
        "--includeL1Transactions", "--includeL1Tags")));
    assertThat(evolved.status()).as(evolved.err()).isZero();
    assertEqualsSource(catalog, new HeightRange(100, 349));
    for (String table : TABLES) {
      Table loaded = catalog.load(table);
      assertThat(loaded.specs()).hasSize(2);
      assertThat(loaded.spec().fields().get(0).transform().toString())
          .isEqualTo("truncate[100]");
      assertThat(((HasTableOperations) loaded).operations().current().formatVersion())
          .isEqualTo(2);
      assertThat(loaded.properties()).containsKey("schema.name-mapping.default")
          .containsEntry("commit.retry.num-retries", "20");
      assertThat(loaded.sortOrder().fields()).isNotEmpty();
    }
  }

  @Test
  void dataFilesCarryFooterMetricsAndLiveUnderTheTableLocation(@TempDir Path work) {
    ExportArgs paths = ExportArgs.of(sources, work);
    LocalCatalog catalog = LocalCatalog.in(work);
    Cli.Result result = Cli.run(catalog.with(paths.export(100, 199, 50, "--json")));
    assertThat(result.status()).as(result.err()).isZero();
    for (String table : TABLES) {
      Table loaded = catalog.load(table);
      List<DataFile> files = IcebergReader.dataFiles(loaded);
      assertThat(files).isNotEmpty();
      for (DataFile file : files) {
        assertThat(file.location()).startsWith(loaded.location() + "/data/height=");
        assertThat(file.recordCount()).isPositive();
        assertThat(file.valueCounts()).isNotEmpty();
        assertThat(file.nullValueCounts()).isNotEmpty();
        assertThat(file.lowerBounds()).containsKey(loaded.schema().findField("height").fieldId());
        assertThat(file.upperBounds()).isNotEmpty();
        assertThat(file.splitOffsets()).isNotEmpty();
      }
    }
    // Every file on disk is in the table: nothing uncommitted is left behind.
    Set<String> committed = TABLES.stream().flatMap(t -> locations(catalog.load(t)).stream())
        .map(l -> l.replaceFirst("^file:", "")).collect(Collectors.toSet());
    assertThat(catalog.parquetFiles().stream().map(Path::toString).collect(Collectors.toSet()))
        .isEqualTo(committed);
    assertThat(result.out()).contains("jdbc catalog ar_io");
  }

  /**
   * A later run given another --catalog-warehouse writes where the tables live (Iceberg keeps a
   * table's location) and says so; the same warehouse, spelt as a relative path, says nothing.
   */
  @Test
  void aRunGivenAnotherWarehouseThanTheTablesSaysWhereItWrites(@TempDir Path work)
      throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    LocalCatalog catalog = LocalCatalog.in(work);
    String[] l1 = {"--includeL1Transactions", "--includeL1Tags"};
    LoggedWarnings.During<Cli.Result> first = LoggedWarnings.during(CatalogTables.class,
        () -> Cli.run(catalog.with(paths.export(100, 149, 50, l1))));
    assertThat(first.result().status()).as(first.result().err()).isZero();
    assertThat(first.warnings()).noneMatch(w -> w.startsWith("tables outside"));

    LocalCatalog elsewhere = new LocalCatalog(catalog.database(), work.resolve("other-lake"));
    LoggedWarnings.During<Cli.Result> second = LoggedWarnings.during(CatalogTables.class,
        () -> Cli.run(elsewhere.with(paths.export(150, 199, 50, l1))));

    assertThat(second.result().status()).as(second.result().err()).isZero();
    assertThat(second.warnings()).filteredOn(w -> w.startsWith("tables outside"))
        .singleElement().asString()
        .startsWith("tables outside the catalog warehouse " + work.resolve("other-lake") + ": ")
        .contains("default.blocks at " + catalog.load("blocks").location(), "default.tags at ");
    assertThat(work.resolve("other-lake")).doesNotExist();
    assertEqualsSource(catalog, new HeightRange(100, 199));

    Path relative = Path.of("").toAbsolutePath().relativize(catalog.warehouse());
    LocalCatalog sameSpeltOtherwise = new LocalCatalog(catalog.database(), relative);
    LoggedWarnings.During<Cli.Result> third = LoggedWarnings.during(CatalogTables.class,
        () -> Cli.run(sameSpeltOtherwise.with(paths.export(200, 249, 50, l1))));
    assertThat(third.result().status()).as(third.result().err()).isZero();
    assertThat(third.warnings()).noneMatch(w -> w.startsWith("tables outside"));
  }

  /**
   * Another engine changed blocks' partition spec and appended a file without height bounds in
   * partition 100-149: a re-export of it is refused (exit 3, one line), and the refused run
   * leaves the table as it was, that engine's spec included.
   */
  @Test
  void aRefusedReexportLeavesAnotherEnginesSpecAndFilesAlone(@TempDir Path work)
      throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    LocalCatalog catalog = LocalCatalog.in(work);
    assertThat(Cli.run(catalog.with(paths.export(100, 199, 50))).status()).isZero();
    int engineSpec;
    String metadataBefore;
    try (org.apache.iceberg.jdbc.JdbcCatalog engine = catalog.open()) {
      Table blocks = engine.loadTable(
          org.apache.iceberg.catalog.TableIdentifier.of("default", "blocks"));
      blocks.updateSpec()
          .addField(org.apache.iceberg.expressions.Expressions.bucket("indep_hash", 4)).commit();
      org.apache.iceberg.PartitionSpec spec = blocks.spec();
      engineSpec = spec.specId();
      DataFile existing = blocks.newScan().planFiles().iterator().next().file();
      Path copy = catalog.warehouse().resolve("engine-file.parquet");
      Files.copy(Path.of(existing.location().replaceFirst("^file:", "")), copy);
      org.apache.iceberg.PartitionData partition =
          new org.apache.iceberg.PartitionData(spec.partitionType());
      partition.set(0, 100L);
      partition.set(1, 0);
      blocks.newAppend().appendFile(org.apache.iceberg.DataFiles.builder(spec)
          .withPath(copy.toString()).withFormat(org.apache.iceberg.FileFormat.PARQUET)
          .withFileSizeInBytes(Files.size(copy)).withRecordCount(existing.recordCount())
          .withPartition(partition).build()).commit();
      metadataBefore = ((HasTableOperations) blocks).operations().current()
          .metadataFileLocation();
    }

    Cli.Result refused = Cli.run(catalog.with(paths.export(100, 149, 50)));

    assertThat(refused.status()).as(refused.err()).isEqualTo(3);
    assertThat(refused.err()).contains("engine-file.parquet").contains("no height bounds");
    Table blocks = catalog.load("blocks");
    assertThat(blocks.spec().specId()).as("the engine's spec stays").isEqualTo(engineSpec);
    assertThat(((HasTableOperations) blocks).operations().current().metadataFileLocation())
        .as("no commit at all").isEqualTo(metadataBefore);
  }

  static Set<String> locations(Table table) {
    return IcebergReader.dataFiles(table).stream().map(DataFile::location)
        .collect(Collectors.toSet());
  }

  static void assertEqualsSource(LocalCatalog catalog, HeightRange range) throws Exception {
    assertEqualsSource(sources, catalog::load, range);
  }

  /** Each table, loaded by {@code tables}, holds exactly the source's rows of {@code range}. */
  static void assertEqualsSource(Path sources, java.util.function.Function<String, Table> tables,
      HeightRange range) throws Exception {
    try (SourceOracle source = new SourceOracle(sources.resolve("core.db"),
        sources.resolve("bundles.db"))) {
      for (String table : TABLES) {
        Table loaded = tables.apply(table);
        List<String> rows = IcebergReader.rows(loaded);
        assertThat(rows).as(table)
            .containsExactlyInAnyOrderElementsOf(source.rows(table, range, true, true));
        // A height-filtered scan plans files by their partition values and bounds: a file
        // committed under the wrong partition would lose its rows here.
        for (HeightRange heights : range.alignedPartitions(50)) {
          assertThat(IcebergReader.rows(loaded, heights)).as(table + " " + heights)
              .containsExactlyInAnyOrderElementsOf(source.rows(table, heights, true, true));
        }
      }
    }
  }
}
