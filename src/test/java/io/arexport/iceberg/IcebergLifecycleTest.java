package io.arexport.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.schema.ExportTable;
import io.arexport.testing.Cli;
import io.arexport.testing.IcebergReader;
import io.arexport.testing.WarehouseReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.NullOrder;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SortDirection;
import org.apache.iceberg.SortField;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.mapping.MappingUtil;
import org.apache.iceberg.mapping.NameMappingParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * One warehouse through its life, read after each step by the Iceberg Java generics reader
 * through {@code HadoopTables} (Spark's Hadoop-catalog loader, not arexport's own code), compared
 * with the SQLite source: first export + metadata, an incremental export, a re-export replacing a
 * partition (via metadata, then via export's own commit), and partition-size changes that evolve
 * the spec. Steps run in order and build on each other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IcebergLifecycleTest {
  IcebergWarehouse wh;
  final Map<String, Long> firstSnapshot = new HashMap<>();
  final Map<String, String> uuid = new HashMap<>();

  @BeforeAll
  void generate(@TempDir Path sources, @TempDir Path work) throws Exception {
    IcebergWarehouse.generateSources(sources);
    wh = new IcebergWarehouse(sources, work);
  }

  Table load(String table) {
    return IcebergReader.loadWithHadoop(wh.warehouse, table);
  }

  @Test
  @Order(1)
  void firstExportAndMetadataCreateV2Tables() throws Exception {
    wh.export(100, 199, 50, "--no-iceberg");
    assertThat(wh.warehouse.resolve("blocks/metadata")).doesNotExist();

    Cli.Result result = wh.metadataOk("--json");

    assertThat(result.out()).contains("\"action\" : \"created\"");
    for (ExportTable exportTable : ExportTable.values()) {
      String name = exportTable.tableName();
      Table table = load(name);
      assertThat(wh.versionHint(name)).isEqualTo("1");
      assertThat(((org.apache.iceberg.HasTableOperations) table).operations().current()
          .formatVersion()).isEqualTo(2);
      assertThat(table.uuid()).isNotNull();
      uuid.put(name, table.uuid().toString());
      assertThat(table.location()).isEqualTo("file:" + wh.warehouse.resolve(name));
      // Schema with the contract's field ids, and a name mapping for files without ids.
      assertThat(table.schema().sameSchema(exportTable.schema())).isTrue();
      assertThat(table.schema().columns()).extracting(c -> c.fieldId())
          .isEqualTo(exportTable.schema().columns().stream().map(c -> c.fieldId()).toList());
      assertThat(NameMappingParser.fromJson(
          table.properties().get(TableProperties.DEFAULT_NAME_MAPPING)).asMappedFields())
          .isEqualTo(MappingUtil.create(exportTable.schema()).asMappedFields());
      assertThat(table.properties()).containsEntry("arexport.height-partition-size", "50")
          .containsEntry("arexport.datasets-root", "file:" + wh.warehouse);
      assertThat(table.spec().fields()).singleElement()
          .satisfies(f -> assertThat(f.transform().toString()).isEqualTo("truncate[50]"))
          .satisfies(f -> assertThat(table.schema().findColumnName(f.sourceId()))
              .isEqualTo("height"));
      assertThat(table.sortOrder().fields()).extracting(SortField::sourceId)
          .isEqualTo(exportTable.sortColumns().stream()
              .map(c -> table.schema().findField(c).fieldId()).toList());
      assertThat(table.sortOrder().fields()).allSatisfy(f -> {
        assertThat(f.direction()).isEqualTo(SortDirection.ASC);
        assertThat(f.nullOrder()).isEqualTo(NullOrder.NULLS_FIRST);
      });
      Snapshot snapshot = table.currentSnapshot();
      assertThat(snapshot.operation()).isEqualTo(DataOperations.APPEND);
      assertThat(snapshot.timestampMillis()).isGreaterThan(1_600_000_000_000L);
      firstSnapshot.put(name, snapshot.snapshotId());
      wh.assertMatchesSource(table, new HeightRange(100, 199));
    }
  }

  @Test
  @Order(2)
  void secondRangeAddsAnIncrementalSnapshotAndKeepsThePreviousOne() throws Exception {
    wh.export(200, 249, 50, "--no-iceberg");
    wh.metadataOk();

    for (String name : IcebergWarehouse.TABLES) {
      Table table = load(name);
      assertThat(wh.versionHint(name)).isEqualTo("2");
      assertThat(table.uuid().toString()).isEqualTo(uuid.get(name));
      Snapshot snapshot = table.currentSnapshot();
      assertThat(snapshot.operation()).isEqualTo(DataOperations.APPEND);
      assertThat(snapshot.parentId()).isEqualTo(firstSnapshot.get(name));
      assertThat(snapshot.addedDataFiles(table.io())).extracting(f -> wh.localPath(f))
          .allSatisfy(p -> assertThat(p.toString()).contains("height=200-249"));
      assertThat(table.history()).hasSize(2);
      wh.assertMatchesSource(table, new HeightRange(100, 249));
      // The first snapshot still reads as it was.
      try (var source = new io.arexport.testing.SourceOracle(wh.core, wh.bundles)) {
        assertThat(IcebergReader.rows(table, firstSnapshot.get(name)))
            .containsExactlyInAnyOrderElementsOf(
                source.rows(name, new HeightRange(100, 199), true, true));
      }
    }
  }

  @Test
  @Order(3)
  void reExportWithoutIcebergKeepsReplacedFilesUntilMetadataDropsThem() throws Exception {
    Map<String, List<Path>> old = partitionFiles(new HeightRange(150, 199));
    wh.export(150, 199, 50, "--no-iceberg");

    // The old files are listed as replaced and stay on disk: the current snapshot uses them.
    String replacedList = Files.readString(wh.warehouse.resolve(".arexport/replaced-files.json"));
    for (String name : IcebergWarehouse.TABLES) {
      for (Path file : old.get(name)) {
        assertThat(file).exists();
        assertThat(replacedList).contains(wh.warehouse.relativize(file).toString());
      }
      assertThat(wh.versionHint(name)).isEqualTo("2");
      // Readers still see snapshot 2: every row once, from the old files.
      try (var source = new io.arexport.testing.SourceOracle(wh.core, wh.bundles)) {
        assertThat(IcebergReader.rows(load(name))).containsExactlyInAnyOrderElementsOf(
            source.rows(name, new HeightRange(100, 249), true, true));
      }
    }

    wh.metadataOk();

    for (String name : IcebergWarehouse.TABLES) {
      Table table = load(name);
      assertThat(wh.versionHint(name)).isEqualTo("3");
      Snapshot snapshot = table.currentSnapshot();
      assertThat(snapshot.operation()).isEqualTo(DataOperations.OVERWRITE);
      assertThat(snapshot.removedDataFiles(table.io())).extracting(f -> wh.localPath(f))
          .containsExactlyInAnyOrderElementsOf(old.get(name));
      assertThat(old.get(name)).allSatisfy(p -> assertThat(p).doesNotExist());
      wh.assertMatchesSource(table, new HeightRange(100, 249));
    }
    assertThat(Files.readString(wh.warehouse.resolve(".arexport/replaced-files.json")))
        .doesNotContain("parquet");
  }

  @Test
  @Order(4)
  void reExportCommitsThroughExportItself() throws Exception {
    Map<String, List<Path>> old = partitionFiles(new HeightRange(100, 149));

    Cli.Result result = wh.export(100, 149, 50);

    assertThat(result.out()).contains("\"icebergCommitted\" : true");
    for (String name : IcebergWarehouse.TABLES) {
      Table table = load(name);
      assertThat(wh.versionHint(name)).isEqualTo("4");
      assertThat(table.currentSnapshot().operation()).isEqualTo(DataOperations.OVERWRITE);
      assertThat(old.get(name)).allSatisfy(p -> assertThat(p).doesNotExist());
      wh.assertMatchesSource(table, new HeightRange(100, 249));
    }
    // Metadata right after has nothing to do.
    assertThat(wh.metadataOk("--json").out()).doesNotContain("\"action\" : \"committed\"");
    assertThat(wh.versionHint("blocks")).isEqualTo("4");
  }

  @Test
  @Order(5)
  void newPartitionSizeEvolvesTheSpecAndKeepsOldFilesOnTheirSpec() throws Exception {
    Cli.Result result = wh.export(250, 349, 100);

    assertThat(result.out()).contains("\"icebergCommitted\" : true");
    for (ExportTable exportTable : ExportTable.values()) {
      String name = exportTable.tableName();
      Table table = load(name);
      assertThat(table.specs()).hasSize(2);
      PartitionSpec p50 = spec(table, 50);
      PartitionSpec p100 = spec(table, 100);
      assertThat(table.spec()).isEqualTo(p100);
      assertThat(table.properties()).containsEntry("arexport.height-partition-size", "100");
      Map<Integer, Set<String>> dirsBySpec = IcebergReader.dataFiles(table).stream()
          .collect(Collectors.groupingBy(DataFile::specId, Collectors.mapping(
              f -> wh.localPath(f).getParent().getFileName().toString(), Collectors.toSet())));
      assertThat(dirsBySpec.get(p50.specId()))
          .containsExactlyInAnyOrder("height=100-149", "height=150-199", "height=200-249");
      assertThat(dirsBySpec.get(p100.specId()))
          .containsExactlyInAnyOrder("height=250-299", "height=300-349");
      // Partition values are truncate(height, P) of each file's own spec.
      for (DataFile file : IcebergReader.dataFiles(table)) {
        HeightRange dir = HeightRange.parseDirectoryName(
            wh.localPath(file).getParent().getFileName().toString());
        long size = file.specId() == p50.specId() ? 50 : 100;
        assertThat(file.partition().get(0, Long.class))
            .isEqualTo(dir.start() - dir.start() % size);
      }
      wh.assertMatchesSource(table, new HeightRange(100, 349));
      // Pruning on one height: only files of that height's partition.
      for (long height : List.of(120L, 230L, 260L, 349L)) {
        HeightRange dir = WarehouseReader.files(wh.warehouse, name).keySet().stream()
            .filter(r -> r.contains(height)).findFirst().orElseThrow();
        assertThat(IcebergReader.plannedFiles(table, Expressions.equal("height", height)))
            .extracting(f -> wh.localPath(f).getParent().getFileName().toString())
            .as(name + " at " + height).containsOnly(dir.directoryName());
      }
    }
  }

  @Test
  @Order(6)
  void reExportWithTheNewSizeReplacesOldPartitionsAndRecyclesSpecs() throws Exception {
    // 100-199 at P=100 replaces the P=50 directories 100-149 and 150-199, which are removed.
    wh.export(100, 199, 100);
    // 200-249 at P=50 again: the P=50 spec is reused, not added a third time.
    wh.export(200, 249, 50);

    for (String name : IcebergWarehouse.TABLES) {
      Table table = load(name);
      assertThat(table.specs()).hasSize(2);
      assertThat(table.spec()).isEqualTo(spec(table, 50));
      assertThat(wh.warehouse.resolve(name).resolve("data/height=100-149")).doesNotExist();
      assertThat(wh.warehouse.resolve(name).resolve("data/height=150-199")).doesNotExist();
      assertThat(WarehouseReader.files(wh.warehouse, name).keySet()).extracting(Object::toString)
          .containsExactly("100-199", "200-249", "250-299", "300-349");
      wh.assertMatchesSource(table, new HeightRange(100, 349));
      assertThat(table.uuid().toString()).isEqualTo(uuid.get(name));
      // 100-199 was first added in v1, so the re-export of it expired every snapshot until
      // then (each listed a replaced file); the P=50 one of 200-249 expired that one too.
      assertThat(table.snapshots()).extracting(Snapshot::snapshotId)
          .containsExactly(table.currentSnapshot().snapshotId());
      try (var source = new io.arexport.testing.SourceOracle(wh.core, wh.bundles)) {
        assertThat(IcebergReader.rows(table, table.currentSnapshot().snapshotId()))
            .containsExactlyInAnyOrderElementsOf(
                source.rows(name, new HeightRange(100, 349), true, true));
      }
    }
  }

  private Map<String, List<Path>> partitionFiles(HeightRange range) throws Exception {
    Map<String, List<Path>> files = new HashMap<>();
    for (String name : IcebergWarehouse.TABLES) {
      files.put(name, WarehouseReader.files(wh.warehouse, name).get(range));
      assertThat(files.get(name)).as(name + " " + range).isNotEmpty();
    }
    return files;
  }

  private static PartitionSpec spec(Table table, int size) {
    return table.specs().values().stream()
        .filter(s -> s.fields().get(0).transform().toString().equals("truncate[" + size + "]"))
        .findFirst().orElseThrow(() -> new AssertionError("no spec truncate[" + size + "]"));
  }
}
