package io.arexport.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arexport.HeightRange;
import io.arexport.testing.Cli;
import io.arexport.testing.IcebergReader;
import io.arexport.testing.LoggedWarnings;
import io.arexport.testing.WarehouseReader;
import io.arexport.warehouse.WarehouseLayout;
import io.arexport.warehouse.WarehouseLock;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code arexport metadata} itself: no new version when nothing changed, the pointer files, a
 * stable UUID, manifests that tell the truth about the files, and clear failures that write
 * nothing for bad input.
 */
class MetadataCommandTest {
  @TempDir static Path sources;
  @TempDir Path work;
  IcebergWarehouse wh;

  @BeforeAll
  static void generate() throws Exception {
    IcebergWarehouse.generateSources(sources);
  }

  @BeforeEach
  void setUp() {
    wh = new IcebergWarehouse(sources, work);
  }

  @Test
  void secondRunWithoutChangesWritesNoVersionAndPointersFollowTheNewest() throws Exception {
    wh.export(100, 199, 50, "--no-iceberg");
    wh.metadataOk();
    Map<String, TreeSet<String>> before = new HashMap<>();
    Map<String, String> uuids = new HashMap<>();
    for (String name : IcebergWarehouse.TABLES) {
      before.put(name, wh.metadataFiles(name));
      uuids.put(name, IcebergReader.loadWithHadoop(wh.warehouse, name).uuid().toString());
      assertPointers(name, 1);
    }

    Cli.Result again = wh.metadataOk("--json");

    assertThat(again.out()).contains("\"action\" : \"unchanged\"")
        .doesNotContain("\"action\" : \"committed\"", "\"action\" : \"created\"");
    for (String name : IcebergWarehouse.TABLES) {
      assertThat(wh.metadataFiles(name)).as(name).isEqualTo(before.get(name));
      assertPointers(name, 1);
    }

    wh.export(200, 249, 50, "--no-iceberg");
    wh.metadataOk();

    for (String name : IcebergWarehouse.TABLES) {
      assertPointers(name, 2);
      assertThat(IcebergReader.loadWithHadoop(wh.warehouse, name).uuid().toString())
          .isEqualTo(uuids.get(name));
      // v1 is still there, and v2's metadata log names it.
      assertThat(wh.metadataDir(name).resolve("v1.metadata.json")).exists();
      assertThat(Files.readString(wh.metadataDir(name).resolve("v2.metadata.json")))
          .contains("file:" + wh.metadataDir(name).resolve("v1.metadata.json"));
    }
  }

  @Test
  void pointersLeftBehindByACrashAfterPublishingAreRepaired() throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");
    wh.metadataOk();
    wh.export(150, 199, 50, "--no-iceberg");
    wh.metadataOk();
    // As if the process died right after publishing v2: hint and copy still at v1.
    Path dir = wh.metadataDir("blocks");
    Files.writeString(dir.resolve("version-hint.text"), "1\n");
    Files.copy(dir.resolve("v1.metadata.json"), dir.resolve("metadata.json"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    TreeSet<String> before = wh.metadataFiles("blocks");

    assertThat(wh.metadataOk("--tables", "blocks", "--json").out())
        .contains("\"action\" : \"unchanged\"").contains("\"version\" : 2");

    assertPointers("blocks", 2);
    assertThat(wh.metadataFiles("blocks")).isEqualTo(before);
  }

  private void assertPointers(String table, int version) throws Exception {
    Path dir = wh.metadataDir(table);
    assertThat(Files.readString(dir.resolve("version-hint.text")))
        .isEqualTo(Integer.toString(version));
    assertThat(dir.resolve("v" + (version + 1) + ".metadata.json")).doesNotExist();
    assertThat(Files.readAllBytes(dir.resolve("metadata.json")))
        .isEqualTo(Files.readAllBytes(dir.resolve("v" + version + ".metadata.json")));
  }

  @Test
  void manifestsRecordTheTrueCountsSizesAndBoundsOfEachFile() throws Exception {
    wh.export(100, 349, 100, "--maxFileRows", "60", "--no-iceberg");
    wh.metadataOk();

    try (WarehouseReader duckdb = new WarehouseReader()) {
      for (String name : IcebergWarehouse.TABLES) {
        Table table = IcebergReader.loadWithHadoop(wh.warehouse, name);
        List<DataFile> files = IcebergReader.dataFiles(table);
        List<Path> onDisk = WarehouseReader.files(wh.warehouse, name).values().stream()
            .flatMap(List::stream).toList();
        assertThat(files).extracting(f -> wh.localPath(f)).as(name)
            .containsExactlyInAnyOrderElementsOf(onDisk);
        assertThat(onDisk.size()).as(name + " split into several files").isGreaterThan(3);
        int heightId = table.schema().findField("height").fieldId();
        for (DataFile file : files) {
          Path path = wh.localPath(file);
          String parquet = "read_parquet('" + path + "', hive_partitioning = false)";
          String facts = duckdb.query("SELECT count(*), min(height), max(height) FROM " + parquet)
              .get(0);
          assertThat(file.recordCount() + "|" + bound(file.lowerBounds().get(heightId)) + "|"
              + bound(file.upperBounds().get(heightId))).as(path.toString()).isEqualTo(facts);
          assertThat(file.fileSizeInBytes()).isEqualTo(Files.size(path));
          assertThat(file.format().name()).isEqualTo("PARQUET");
          assertThat(file.splitOffsets()).isNotEmpty().first().isEqualTo(4L);
          // Every column has sizes, value and null counts; bounds for each column with values.
          for (Types.NestedField column : table.schema().columns()) {
            int id = column.fieldId();
            long nulls = Long.parseLong(duckdb.query("SELECT count(*) FROM " + parquet
                + " WHERE \"" + column.name() + "\" IS NULL").get(0));
            assertThat(file.valueCounts()).containsEntry(id, file.recordCount());
            assertThat(file.nullValueCounts()).as(column.name()).containsEntry(id, nulls);
            assertThat(file.columnSizes().get(id)).isPositive();
            if (nulls < file.recordCount()) {
              assertThat(file.lowerBounds()).as(column.name()).containsKey(id);
              assertThat(file.upperBounds()).as(column.name()).containsKey(id);
            }
          }
        }
      }
    }
  }

  private static String bound(ByteBuffer value) {
    return Conversions.<Long>fromByteBuffer(Types.LongType.get(), value).toString();
  }

  /** Each table's commit stands on its own: one that fails stops neither the others nor --json. */
  @Test
  void oneTablesFailedCommitLeavesTheOthersCommittedAndReported() throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");
    wh.metadataOk();
    wh.export(150, 199, 50, "--no-iceberg");
    // Iceberg parses this when it commits the table: a runtime failure of the middle table.
    IcebergReader.loadWithHadoop(wh.warehouse, "transactions").updateProperties()
        .set(org.apache.iceberg.TableProperties.COMMIT_NUM_RETRIES, "x").commit();

    Cli.Result result = wh.metadata("--json");

    IcebergWarehouse.assertOnlyTransactionsFailed(result, "committed");
    for (String name : List.of("blocks", "tags")) {
      wh.assertMatchesSource(IcebergReader.loadWithHadoop(wh.warehouse, name),
          new HeightRange(100, 199));
    }
  }

  @Test
  void aFileNotNamedAsExportNamesItIsCommittedWithAWarning() throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");
    Path file = WarehouseReader.files(wh.warehouse, "tags").get(new HeightRange(100, 149)).get(0);
    Path copy = Files.copy(file, file.resolveSibling("backup-copy.parquet"));
    List<String> warnings = LoggedWarnings.during(MetadataWriter.class, () -> {
      wh.metadataOk();
      return null;
    }).warnings();

    assertThat(warnings).singleElement().satisfies(w -> assertThat(w)
        .contains(wh.warehouse.relativize(copy).toString()).contains("remove it if"));
  }

  @Test
  void aSecondSpellingOfAPartitionDirectoryNeverReplacesTheExportedFiles() throws Exception {
    wh.export(100, 199, 50, "--no-iceberg");
    wh.metadataOk();
    Path file = WarehouseReader.files(wh.warehouse, "blocks").get(new HeightRange(100, 149))
        .get(0);
    Path copyDir = Files.createDirectories(file.getParent().resolveSibling("height=0100-149"));
    Files.copy(file, copyDir.resolve(file.getFileName()));
    TreeSet<String> before = wh.metadataFiles("blocks");

    assertThat(wh.metadataOk("--json").out()).contains("\"action\" : \"unchanged\"")
        .doesNotContain("\"action\" : \"committed\"");

    assertThat(file).exists();
    assertThat(wh.metadataFiles("blocks")).isEqualTo(before);
    try (var tasks = IcebergReader.loadWithHadoop(wh.warehouse, "blocks").newScan().planFiles()) {
      assertThat(tasks).extracting(t -> t.file().location())
          .noneMatch(location -> location.contains("height=0100-149"))
          .anyMatch(location -> location.endsWith(file.getFileName().toString()));
    }
  }

  /**
   * arexport's own state files, damaged or edited by hand: each run refuses them with exit 3 and
   * one line naming the file (as it does one that does not parse), and never moves or deletes
   * anything they name outside the partition directories.
   */
  @ParameterizedTest(name = "[{index}] {0}: {1}")
  @CsvSource(delimiter = '|', value = {
      "pending-commit.json | {}",
      "pending-commit.json | null",
      "pending-commit.json | {\"partition\":\"100-149\",\"moves\":null,\"replaced\":[],"
          + "\"targetDirs\":[]}",
      "pending-commit.json | {\"partition\":\"100-149\",\"moves\":[{}],\"replaced\":[],"
          + "\"targetDirs\":[]}",
      "pending-commit.json | {\"partition\":\"100-149\",\"moves\":[],"
          + "\"replaced\":[\"blocks/../../victim.parquet\"],\"targetDirs\":[]}",
      "pending-commit.json | {\"partition\":\"100-149\",\"moves\":[{\"from\":\"VICTIM\","
          + "\"to\":\"blocks/data/height=100-149/victim.parquet\"}],\"replaced\":[],"
          + "\"targetDirs\":[]}",
      "pending-commit.json | {\"partition\":\"100-149\",\"moves\":[{\"from\":\"VICTIM\","
          + "\"to\":\"../victim.parquet\"}],\"replaced\":[],\"targetDirs\":[]}",
      "replaced-files.json | {}",
      "replaced-files.json | null",
      "replaced-files.json | {\"files\":null}",
      "replaced-files.json | {\"files\":[\"blocks/../../victim.parquet\"]}",
      "replaced-files.json | {\"files\":"
          + "[\"blocks/data/height=100-149/../../../../victim.parquet\"]}",
  })
  void aDamagedStateFileIsAStateConflictAndNothingItNamesIsTouched(String name, String content)
      throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");
    wh.metadataOk();
    Path victim = Files.writeString(work.resolve("victim.parquet"), "precious");
    Path state = wh.warehouse.resolve(".arexport").resolve(name);
    Files.writeString(state, content.replace("VICTIM", victim.toString()));
    Map<String, TreeSet<String>> before = new HashMap<>();
    for (String table : IcebergWarehouse.TABLES) {
      before.put(table, wh.metadataFiles(table));
    }

    for (Cli.Result result : List.of(wh.metadata(), wh.tryExport(150, 199, 50))) {
      assertThat(result.status()).as(result.err()).isEqualTo(3);
      assertThat(result.errLines()).singleElement().asString().contains(state.toString())
          .doesNotContain("Exception");
      if (name.equals("pending-commit.json")) {
        assertThat(result.err()).as("the way out").contains("remove it, then run arexport"
            + " verify over the exported range and export again the partitions it reports");
      }
    }

    Cli.Result verify = Cli.run("verify", "--startHeight", "100", "--endHeight", "149",
        "--heightPartitionSize", "50", "--includeL1Transactions", "--includeL1Tags",
        "--coreDb", wh.core.toString(), "--bundlesDb", wh.bundles.toString(),
        "--warehouseDir", wh.warehouse.toString());
    JsonNode status = new ObjectMapper().readTree(Cli.run("status", "--warehouseDir",
        wh.warehouse.toString(), "--stagingDir", wh.staging.toString(), "--json").out());
    if (name.equals("pending-commit.json")) {
      assertThat(verify.status()).as(verify.err()).isEqualTo(1);
      assertThat(verify.out()).contains("DIFF pending-commit:", "its journal is unusable",
          "stop (exit 3) until it is removed; remove it, then run arexport verify")
          .doesNotContain("completes or undoes it");
      assertThat(status.get("pendingCommitProblem").asText()).contains(state.toString());
    } else {
      assertThat(verify.status()).as(verify.err()).isEqualTo(3);
      assertThat(verify.errLines()).singleElement().asString().contains(state.toString());
      assertThat(status.get("replacedFilesAwaitingDeletion").isNull()).isTrue();
    }
    assertThat(victim).hasContent("precious");
    assertThat(WarehouseReader.files(wh.warehouse, "blocks")).containsOnlyKeys(
        new HeightRange(100, 149));
    for (String table : IcebergWarehouse.TABLES) {
      assertThat(wh.metadataFiles(table)).as(table).isEqualTo(before.get(table));
    }
  }

  @Test
  void missingDirectoryIsInvalidInputNamingIt() {
    Path missing = work.resolve("no-such-warehouse");

    Cli.Result result = Cli.run("metadata", "--datasets-dir", missing.toString());

    assertThat(result.status()).isEqualTo(2);
    assertThat(result.errLines()).singleElement().asString().contains(missing.toString());
    assertThat(missing).doesNotExist();
  }

  @Test
  void warehouseWithoutTablesIsInvalidInputAndUntouched() throws Exception {
    Files.createDirectories(wh.warehouse.resolve("blocks/data"));

    Cli.Result result = wh.metadata();

    assertThat(result.status()).isEqualTo(2);
    assertThat(result.errLines()).singleElement().asString().contains("no tables in");
    assertThat(wh.warehouse.resolve(".arexport")).doesNotExist();
    assertThat(wh.warehouse.resolve("blocks/metadata")).doesNotExist();
  }

  @Test
  void unknownTableAndBadRootAreInvalidInput() throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");

    assertThat(wh.metadata("--tables", "blocks,bogus").status()).isEqualTo(2);
    // "--tables ," names no table; it must not mean all of them.
    Cli.Result noTable = wh.metadata("--tables", ",");
    assertThat(noTable.status()).isEqualTo(2);
    assertThat(noTable.errLines()).containsExactly(
        "arexport: --tables names no table (expected blocks, transactions and/or tags)");
    Cli.Result maintainNoTable = Cli.run("maintain", "--datasets-dir", wh.warehouse.toString(),
        "--tables", ",");
    assertThat(maintainNoTable.errLines()).containsExactly(
        "arexport: --tables names no table (expected blocks, transactions and/or tags)");
    assertThat(wh.metadata("--datasets-root", "not a url").status()).isEqualTo(2);
    assertThat(wh.metadata("--datasets-root", "relative/path").status()).isEqualTo(2);
    assertThat(wh.metadata("--datasets-root", "file:/somewhere/else").status()).isEqualTo(2);
    // A password in the root would be recorded in every metadata file (and served).
    for (String withPassword : List.of("http://user:SECRETPW@host:4000/local/datasets/default",
        "https://u:SEC/RETPW@host/x")) {
      Cli.Result refused = wh.metadata("--datasets-root", withPassword);
      assertThat(refused.status()).isEqualTo(2);
      assertThat(refused.errLines()).singleElement().asString()
          .contains("must not hold a user or password").doesNotContain("SEC").doesNotContain("PW");
      assertThat(refused.out()).isEmpty();
    }
    assertThat(wh.warehouse.resolve("blocks/metadata")).doesNotExist();
  }

  /**
   * A partition size beyond an Iceberg truncate width is said at export time, not first at the
   * metadata run after a long backfill; that run then refuses it, naming the size.
   */
  @Test
  void aPartitionSizeIcebergCannotRecordIsWarnedAboutWhenExporting() throws Exception {
    long size = 3_000_000_000L;
    LoggedWarnings.During<Cli.Result> export = LoggedWarnings.during(MetadataWriter.class,
        () -> wh.export(100, 149, size));

    assertThat(export.warnings()).singleElement().asString().contains(Long.toString(size))
        .contains("stay plain Parquet");
    Cli.Result metadata = wh.metadata();
    assertThat(metadata.status()).isEqualTo(2);
    assertThat(metadata.err()).contains(Long.toString(size));
  }

  @Test
  void onlyTheNamedTablesGetMetadata() throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");

    wh.metadataOk("--tables", "blocks,tags");

    assertThat(wh.metadataDir("blocks")).exists();
    assertThat(wh.metadataDir("tags")).exists();
    assertThat(wh.metadataDir("transactions")).doesNotExist();
    // An export then commits only the tables that have metadata.
    wh.export(150, 199, 50);
    assertThat(wh.versionHint("blocks")).isEqualTo("2");
    assertThat(wh.metadataDir("transactions")).doesNotExist();
  }

  @Test
  void heldLockIsAStateConflictNamingTheHolder() throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");

    try (WarehouseLock lock = WarehouseLock.acquire(new WarehouseLayout(wh.warehouse),
        "test holder 42")) {
      Cli.Result result = wh.metadata();

      assertThat(result.status()).isEqualTo(3);
      assertThat(result.errLines()).singleElement().asString().contains("test holder 42");
    }
    assertThat(wh.warehouse.resolve("blocks/metadata")).doesNotExist();
  }

  @Test
  void corruptVersionHintIsAStateConflictAndNothingIsWritten() throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");
    wh.metadataOk();
    wh.export(150, 199, 50, "--no-iceberg");
    Files.writeString(wh.metadataDir("tags").resolve("version-hint.text"), "garbage\n");
    Map<String, TreeSet<String>> before = allMetadataFiles();

    Cli.Result result = wh.metadata();

    assertThat(result.status()).isEqualTo(3);
    assertThat(result.errLines()).singleElement().asString()
        .contains(wh.metadataDir("tags").resolve("version-hint.text").toString())
        .contains("'garbage' is not a version number");
    assertThat(allMetadataFiles()).isEqualTo(before);

    Files.writeString(wh.metadataDir("tags").resolve("version-hint.text"), "7");
    Cli.Result missingVersion = wh.metadata();

    assertThat(missingVersion.status()).isEqualTo(3);
    assertThat(missingVersion.errLines()).singleElement().asString()
        .contains("v7.metadata.json does not exist").contains("newest metadata file is v1");
    assertThat(allMetadataFiles()).isEqualTo(before);

    // Repaired by hand, the next run commits every table.
    Files.writeString(wh.metadataDir("tags").resolve("version-hint.text"), "1");
    wh.metadataOk();
    for (String name : IcebergWarehouse.TABLES) {
      assertThat(wh.versionHint(name)).isEqualTo("2");
      wh.assertMatchesSource(IcebergReader.loadWithHadoop(wh.warehouse, name),
          new HeightRange(100, 199));
    }
  }

  @Test
  void corruptMetadataFileIsAStateConflictAndNothingIsWritten() throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");
    wh.metadataOk();
    wh.export(150, 199, 50, "--no-iceberg");
    Path v1 = wh.metadataDir("transactions").resolve("v1.metadata.json");
    byte[] json = Files.readAllBytes(v1);
    Files.write(v1, java.util.Arrays.copyOf(json, json.length / 2));
    Map<String, TreeSet<String>> before = allMetadataFiles();

    Cli.Result result = wh.metadata();

    assertThat(result.status()).isEqualTo(3);
    assertThat(result.errLines()).singleElement().asString()
        .contains("corrupt Iceberg metadata " + v1);
    assertThat(allMetadataFiles()).isEqualTo(before);
    assertThat(wh.versionHint("blocks")).isEqualTo("1");
  }

  @Test
  void parquetFileWithAnotherSchemaIsInvalidInputAndNoTableIsCommitted() throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");
    wh.metadataOk();
    wh.export(150, 199, 50, "--no-iceberg");
    // A tags file dropped into a blocks partition directory.
    Path tagsFile = WarehouseReader.files(wh.warehouse, "tags").get(new HeightRange(150, 199))
        .get(0);
    Path intruder = wh.warehouse.resolve("blocks/data/height=150-199/blocks_150_199_x.parquet");
    Files.copy(tagsFile, intruder);
    Map<String, TreeSet<String>> before = allMetadataFiles();

    Cli.Result result = wh.metadata("--stacktrace");

    assertThat(result.status()).isEqualTo(2);
    assertThat(result.errLines().get(0)).contains(intruder.toString())
        .contains("does not match table blocks");
    assertThat(allMetadataFiles()).as("no table committed, transactions and tags included")
        .isEqualTo(before);

    Files.delete(intruder);
    wh.metadataOk();
    assertThat(wh.versionHint("transactions")).isEqualTo("2");
  }

  @Test
  void nonParquetFileIsInvalidInputNamingIt() throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");
    Path junk = wh.warehouse.resolve("tags/data/height=100-149/tags_100_149_junk.parquet");
    Files.writeString(junk, "not parquet at all");

    Cli.Result result = wh.metadata();

    assertThat(result.status()).isEqualTo(2);
    assertThat(result.errLines()).singleElement().asString().contains(junk.toString());
    assertThat(wh.warehouse.resolve("blocks/metadata")).doesNotExist();
  }

  private Map<String, TreeSet<String>> allMetadataFiles() throws Exception {
    Map<String, TreeSet<String>> files = new HashMap<>();
    for (String name : IcebergWarehouse.TABLES) {
      if (Files.isDirectory(wh.metadataDir(name))) {
        files.put(name, wh.metadataFiles(name));
      }
    }
    try (Stream<Path> state = Files.list(wh.warehouse.resolve(".arexport"))) {
      files.put(".arexport", new TreeSet<>(state.map(p -> p.getFileName().toString()).toList()));
    }
    return files;
  }
}
