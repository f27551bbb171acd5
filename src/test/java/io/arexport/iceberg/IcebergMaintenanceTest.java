package io.arexport.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.testing.Cli;
import io.arexport.testing.IcebergReader;
import io.arexport.testing.SourceOracle;
import io.arexport.testing.WarehouseReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bounded, honest history: retention defaults on new tables, metadata-file retention, snapshots
 * that reference replaced files expired in the commit that drops them (every snapshot left reads
 * through the Iceberg Java reader's time travel, via {@code HadoopTables}), {@code arexport
 * maintain} (expiry per retention, manifest rewrite, orphans older than the safety age), and the
 * directory-mode conflict on files another engine's compaction added.
 */
class IcebergMaintenanceTest {
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

  Table load(String table) {
    return IcebergReader.loadWithHadoop(wh.warehouse, table);
  }

  @Test
  void newTablesGetRetentionDefaultsAndTheMaintenanceClockStarts() throws Exception {
    Instant before = Instant.now();
    wh.export(100, 149, 50, "--no-iceberg");
    wh.metadataOk();

    for (String name : IcebergWarehouse.TABLES) {
      Map<String, String> props = load(name).properties();
      assertThat(props)
          .containsEntry(TableProperties.MAX_SNAPSHOT_AGE_MS, "86400000")
          .containsEntry(TableProperties.MIN_SNAPSHOTS_TO_KEEP, "10")
          .containsEntry(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true")
          .containsEntry(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "20")
          .containsEntry(TableMaintenance.INTERVAL_PROPERTY, "86400000")
          .containsEntry(TableMaintenance.ORPHAN_MIN_AGE_PROPERTY, "259200000");
      assertThat(Instant.parse(props.get(TableMaintenance.LAST_RUN_PROPERTY)))
          .isBetween(before, Instant.now());
    }
  }

  @Test
  void reExportExpiresExactlyTheSnapshotsThatReferencedReplacedFiles() throws Exception {
    wh.export(100, 199, 50, "--no-iceberg");
    wh.metadataOk();
    Map<String, Long> first = currentSnapshots();
    wh.export(200, 249, 50);
    wh.export(250, 299, 50);
    Map<String, List<Path>> replaced = partitionFiles(new HeightRange(200, 249));

    // Re-exports 200-249: the snapshots since it was added (two) listed its old files.
    wh.export(200, 249, 50);

    try (SourceOracle source = new SourceOracle(wh.core, wh.bundles)) {
      for (String name : IcebergWarehouse.TABLES) {
        Table table = load(name);
        assertThat(replaced.get(name)).allSatisfy(p -> assertThat(p).doesNotExist());
        Snapshot current = table.currentSnapshot();
        assertThat(current.operation()).isEqualTo(DataOperations.OVERWRITE);
        assertThat(snapshotIds(table)).as(name + ": the first snapshot never listed 200-249")
            .containsExactlyInAnyOrder(first.get(name), current.snapshotId());
        assertThat(IcebergReader.rows(table, first.get(name)))
            .containsExactlyInAnyOrderElementsOf(
                source.rows(name, new HeightRange(100, 199), true, true));
        assertEverySnapshotReads(table);
        wh.assertMatchesSource(table, new HeightRange(100, 299));
      }
    }
  }

  @Test
  void reExportOfTheFirstPartitionLeavesOnlyTheNewSnapshot() throws Exception {
    wh.export(100, 149, 50);
    wh.metadataOk();
    wh.export(150, 199, 50);
    wh.export(100, 149, 50);

    for (String name : IcebergWarehouse.TABLES) {
      Table table = load(name);
      assertThat(snapshotIds(table)).containsExactly(table.currentSnapshot().snapshotId());
      assertEverySnapshotReads(table);
      wh.assertMatchesSource(table, new HeightRange(100, 199));
    }
  }

  @Test
  void metadataFileRetentionChangedByAnotherEngineBoundsTheVersionFiles() throws Exception {
    wh.export(100, 119, 10, "--no-iceberg");
    wh.metadataOk();
    // Another engine (here the Iceberg API through HadoopTables) lowers the retention.
    load("blocks").updateProperties()
        .set(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "2").commit();

    for (long start = 120; start < 180; start += 10) {
      wh.export(start, start + 9, 10);
    }

    assertThat(versionFiles("blocks")).hasSize(3);
    String hint = wh.versionHint("blocks");
    assertThat(versionFiles("blocks")).contains("v" + hint + ".metadata.json");
    assertThat(Files.readString(wh.metadataDir("blocks").resolve("metadata.json")))
        .isEqualTo(Files.readString(wh.metadataDir("blocks").resolve("v" + hint
            + ".metadata.json")));
    assertThat(Integer.parseInt(hint)).isGreaterThanOrEqualTo(8);
    // Tables left at the default keep up to 20 previous versions: all 7 here.
    assertThat(versionFiles("tags")).hasSize(7);
    wh.assertMatchesSource(load("blocks"), new HeightRange(100, 179));
  }

  @Test
  void maintainExpiresPerRetentionAndRewritesSmallManifests() throws Exception {
    wh.export(100, 109, 10, "--no-iceberg");
    wh.metadataOk();
    for (long start = 110; start < 160; start += 10) {
      wh.export(start, start + 9, 10);
    }
    Table before = load("tags");
    assertThat(snapshotIds(before)).hasSize(6);
    assertThat(before.currentSnapshot().allManifests(before.io()).size()).isGreaterThan(2);
    // Keep only the 2 newest snapshots, rewrite once there are more than 2 small manifests.
    before.updateProperties()
        .set(TableProperties.MAX_SNAPSHOT_AGE_MS, "1")
        .set(TableProperties.MIN_SNAPSHOTS_TO_KEEP, "2")
        .set(TableMaintenance.SMALL_MANIFESTS_PROPERTY, "2").commit();
    List<Long> newestTwo = ancestors(before).subList(0, 2);

    Cli.Result result = Cli.run("maintain", "--datasets-dir", wh.warehouse.toString(),
        "--tables", "tags", "--json");

    assertThat(result.status()).as(result.err()).isZero();
    assertThat(result.out()).contains("\"expiredSnapshots\" : 4");
    Table tags = load("tags");
    // Two retained by retention, plus the manifest rewrite's own snapshot.
    assertThat(tags.currentSnapshot().operation()).isEqualTo(DataOperations.REPLACE);
    assertThat(snapshotIds(tags)).containsAll(newestTwo).hasSize(3);
    assertThat(tags.currentSnapshot().allManifests(tags.io())).hasSize(1);
    assertEverySnapshotReads(tags);
    wh.assertMatchesSource(tags, new HeightRange(100, 159));
    // Blocks was not selected: untouched.
    assertThat(snapshotIds(load("blocks"))).hasSize(6);
  }

  @Test
  void maintainRemovesOrphansOlderThanTheSafetyAgeOnly() throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");
    wh.metadataOk();
    Path metadata = wh.metadataDir("tags");
    Path oldOrphan = Files.writeString(metadata.resolve("0000-crashed-commit-m0.avro"), "x");
    Path youngOrphan = Files.writeString(metadata.resolve("0001-crashed-commit-m0.avro"), "x");
    // Exported without Iceberg: on disk, in no snapshot yet, and still current data.
    wh.export(150, 199, 50, "--no-iceberg");
    List<Path> pending = WarehouseReader.files(wh.warehouse, "tags").get(new HeightRange(150, 199));
    // Left by another engine, referenced by nothing.
    Path oldForeignData = wh.warehouse.resolve("tags/data/height_trunc_50=100/00000-0-x.parquet");
    Files.createDirectories(oldForeignData.getParent());
    Files.writeString(oldForeignData, "x");
    Instant fourDaysAgo = Instant.now().minus(Duration.ofDays(4));
    for (Path file : concat(List.of(oldOrphan, oldForeignData, metadata.resolve("metadata.json"),
        metadata.resolve("version-hint.text")), pending)) {
      Files.setLastModifiedTime(file, FileTime.from(fourDaysAgo));
    }
    Files.setLastModifiedTime(youngOrphan,
        FileTime.from(Instant.now().minus(Duration.ofDays(2))));

    Cli.Result result = Cli.run("maintain", "--datasets-dir", wh.warehouse.toString(), "--json");

    assertThat(result.status()).as(result.err()).isZero();
    assertThat(oldOrphan).doesNotExist();
    assertThat(oldForeignData.getParent()).as("left empty, removed").doesNotExist();
    assertThat(youngOrphan).exists();
    assertThat(pending).allSatisfy(p -> assertThat(p).exists());
    assertThat(metadata.resolve("metadata.json")).exists();
    assertThat(metadata.resolve("version-hint.text")).exists();
    assertThat(result.out()).contains("\"orphanFilesDeleted\" : 2")
        .contains("\"orphanFilesKept\" : 1");
    // The pending partition is still taken by the next commit.
    wh.metadataOk();
    wh.assertMatchesSource(load("tags"), new HeightRange(100, 199));
    assertEverySnapshotReads(load("tags"));
  }

  @Test
  void maintainExpiresOlderSnapshotsWhoseFilesAreGone() throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");
    wh.metadataOk();
    wh.export(150, 199, 50);
    // As an arexport before maintenance left it: a snapshot lists a file deleted from disk. Here
    // another engine drops the file from the table, and the file is deleted by hand.
    Table blocks = load("blocks");
    DataFile gone = IcebergReader.plannedFiles(blocks, IcebergReader.heights(
        new HeightRange(100, 149))).get(0);
    blocks.newDelete().deleteFile(gone).commit();
    Files.delete(wh.localPath(gone));
    long current = load("blocks").currentSnapshot().snapshotId();

    Cli.Result result = Cli.run("maintain", "--datasets-dir", wh.warehouse.toString(),
        "--tables", "blocks", "--json");

    assertThat(result.status()).as(result.err()).isZero();
    Table after = load("blocks");
    assertThat(snapshotIds(after)).containsExactly(current);
    assertEverySnapshotReads(after);
    // Its rows are gone with the file: metadata agrees with the directory again.
    wh.metadataOk();
    assertThat(snapshotIds(load("blocks"))).containsExactly(current);
  }

  @Test
  void exportRunsMaintenanceOnceItsIntervalPassed() throws Exception {
    wh.export(100, 109, 10, "--no-iceberg");
    wh.metadataOk();
    for (long start = 110; start < 140; start += 10) {
      wh.export(start, start + 9, 10);
    }
    String twoDaysAgo = Instant.now().minus(Duration.ofDays(2)).toString();
    load("blocks").updateProperties()
        .set(TableProperties.MAX_SNAPSHOT_AGE_MS, "1")
        .set(TableProperties.MIN_SNAPSHOTS_TO_KEEP, "1")
        .set(TableMaintenance.LAST_RUN_PROPERTY, twoDaysAgo).commit();
    Instant beforeRun = Instant.now();

    wh.export(140, 149, 10);

    Table blocks = load("blocks");
    assertThat(snapshotIds(blocks)).containsExactly(blocks.currentSnapshot().snapshotId());
    assertThat(Instant.parse(blocks.properties().get(TableMaintenance.LAST_RUN_PROPERTY)))
        .isAfterOrEqualTo(beforeRun);
    wh.assertMatchesSource(blocks, new HeightRange(100, 149));
    // Not due on tags (interval not passed): its history is whole.
    assertThat(snapshotIds(load("tags"))).hasSize(5);

    // Due again only after the interval: the next export leaves the history alone.
    wh.export(150, 159, 10);
    assertThat(snapshotIds(load("blocks"))).hasSize(2);
  }

  @Test
  void filesAnotherEngineCompactedIntoTheSnapshotAreAConflictAndNothingIsCommitted()
      throws Exception {
    wh.export(100, 199, 50, "--no-iceberg");
    wh.metadataOk();
    // Spark's rewrite_data_files, done with the Iceberg API: the two tags files of 100-149 are
    // replaced by one file Spark would write under data/height_trunc_50=100/.
    Table tags = load("tags");
    List<DataFile> old = IcebergReader.plannedFiles(tags, IcebergReader.heights(
        new HeightRange(100, 149)));
    assertThat(old).isNotEmpty();
    Path compacted = wh.warehouse.resolve(
        "tags/data/height_trunc_50=100/00000-7-compacted-00001.parquet");
    Files.createDirectories(compacted.getParent());
    Files.copy(wh.localPath(old.get(0)), compacted);
    DataFile added = DataFiles.builder(tags.spec()).copy(old.get(0))
        .withPath("file:" + compacted).build();
    tags.newRewrite().deleteFile(old.get(0)).addFile(added).commit();
    Map<String, TreeSet<String>> before = allMetadataFiles();

    Cli.Result result = wh.metadata();

    assertThat(result.status()).isEqualTo(3);
    assertThat(result.errLines()).singleElement().asString()
        .contains("table tags").contains(compacted.toString()).contains("did not write");
    assertThat(allMetadataFiles()).as("nothing committed, blocks included").isEqualTo(before);
    assertThat(compacted).exists();

    // export refuses before it writes anything.
    List<String> args = new ArrayList<>(List.of("export", "--startHeight", "200",
        "--endHeight", "249", "--heightPartitionSize", "50", "--includeL1Transactions",
        "--includeL1Tags", "--coreDb", wh.core.toString(), "--bundlesDb", wh.bundles.toString(),
        "--stagingDir", wh.staging.toString(), "--warehouseDir", wh.warehouse.toString()));
    Cli.Result export = Cli.run(args.toArray(String[]::new));
    assertThat(export.status()).isEqualTo(3);
    assertThat(wh.warehouse.resolve("blocks/data/height=200-249")).doesNotExist();
    assertThat(allMetadataFiles()).isEqualTo(before);
  }

  @Test
  void maintainRefusesAMissingDirectoryOrAWarehouseWithoutTablesAndCreatesNothing()
      throws Exception {
    Path missing = work.resolve("nowhere");
    Cli.Result result = Cli.run("maintain", "--datasets-dir", missing.toString());
    assertThat(result.status()).isEqualTo(2);
    assertThat(result.errLines()).singleElement().asString().contains(missing.toString());
    assertThat(missing).doesNotExist();

    wh.export(100, 149, 50, "--no-iceberg");
    Path state = wh.warehouse.resolve(".arexport");
    List<String> stateBefore;
    try (Stream<Path> files = Files.list(state)) {
      stateBefore = files.map(p -> p.getFileName().toString()).sorted().toList();
    }
    Cli.Result noTables = Cli.run("maintain", "--datasets-dir", wh.warehouse.toString());
    assertThat(noTables.status()).isEqualTo(2);
    assertThat(noTables.errLines()).singleElement().asString().contains("arexport metadata");
    assertThat(wh.warehouse.resolve("blocks/metadata")).doesNotExist();
    try (Stream<Path> files = Files.list(state)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
          .isEqualTo(stateBefore);
    }
  }

  @Test
  void aTablePropertyThatIsNoNumberFailsTheMaintenanceNotTheCommit() throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");
    wh.metadataOk();
    load("tags").updateProperties().set(TableMaintenance.INTERVAL_PROPERTY, "abc")
        .set(TableMaintenance.LAST_RUN_PROPERTY, Instant.EPOCH.toString()).commit();

    Cli.Result export = wh.export(150, 199, 50);

    assertThat(export.err()).doesNotContain("internal error");
    assertThat(wh.warehouse.resolve(".arexport/pending-commit.json")).doesNotExist();
    for (String name : IcebergWarehouse.TABLES) {
      wh.assertMatchesSource(load(name), new HeightRange(100, 199));
    }

    // maintain refuses before any table changes: exit 2, one line naming table, key and value.
    load("transactions").updateProperties()
        .set(TableProperties.MAX_SNAPSHOT_AGE_MS, "1 day").commit();
    Map<String, TreeSet<String>> before = allMetadataFiles();
    Cli.Result maintain = Cli.run("maintain", "--datasets-dir", wh.warehouse.toString());
    assertThat(maintain.status()).isEqualTo(2);
    assertThat(maintain.errLines()).singleElement().asString().contains("table transactions")
        .contains(TableProperties.MAX_SNAPSHOT_AGE_MS).contains("'1 day'");
    assertThat(allMetadataFiles()).isEqualTo(before);

    // A negative orphan age would delete the files of another writer's commit in flight.
    load("transactions").updateProperties().remove(TableProperties.MAX_SNAPSHOT_AGE_MS)
        .set(TableMaintenance.ORPHAN_MIN_AGE_PROPERTY, "-1").commit();
    Path young = Files.writeString(wh.warehouse.resolve("transactions/data/height=100-149")
        .resolve("in-flight.parquet"), "another writer's file, not yet committed");
    before = allMetadataFiles();
    Cli.Result negative = Cli.run("maintain", "--datasets-dir", wh.warehouse.toString());
    assertThat(negative.status()).isEqualTo(2);
    assertThat(negative.errLines()).singleElement().asString().contains("table transactions")
        .contains(TableMaintenance.ORPHAN_MIN_AGE_PROPERTY).contains("is negative: '-1'");
    assertThat(allMetadataFiles()).isEqualTo(before);
    assertThat(young).exists();
  }

  /**
   * A manifest or manifest list of a table's current snapshot that cannot be read is corrupt
   * metadata, as {@code metadata} says (exit 3 naming the table), before any table's history
   * changes; not a runtime failure of one table after the others were maintained.
   */
  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"garbage manifest", "missing manifest list"})
  void anUnreadableManifestRefusesMaintainBeforeAnyTableChanges(String damage) throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");
    wh.metadataOk();
    wh.export(150, 199, 50, "--no-iceberg");
    wh.metadataOk();
    Table tags = load("tags");
    String manifestList = tags.currentSnapshot().manifestListLocation();
    String manifest = tags.currentSnapshot().allManifests(tags.io()).get(0).path();
    Path damaged = Path.of(java.net.URI.create(damage.startsWith("garbage") ? manifest
        : manifestList).getPath());
    if (damage.startsWith("garbage")) {
      Files.writeString(damaged, "garbage");
    } else {
      Files.delete(damaged);
    }
    Map<String, TreeSet<String>> before = allMetadataFiles();

    Cli.Result maintain = Cli.run("maintain", "--datasets-dir", wh.warehouse.toString());

    assertThat(maintain.status()).as(maintain.err()).isEqualTo(3);
    assertThat(maintain.errLines()).singleElement().asString()
        .contains("cannot read the current snapshot of table tags");
    assertThat(allMetadataFiles()).isEqualTo(before);
  }

  @Test
  void oneTablesFailedMaintenanceLeavesTheOthersDoneAndReported() throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");
    wh.metadataOk();
    // Iceberg itself parses this one when the maintenance transaction commits: a runtime failure
    // of the middle table (blocks, transactions, tags run in that order).
    load("transactions").updateProperties().set(TableProperties.COMMIT_NUM_RETRIES, "x")
        .commit();
    Instant beforeRun = Instant.now();

    Cli.Result maintain = Cli.run("maintain", "--datasets-dir", wh.warehouse.toString(),
        "--json");

    IcebergWarehouse.assertOnlyTransactionsFailed(maintain, "maintained");
    for (String name : List.of("blocks", "tags")) {
      assertThat(Instant.parse(load(name).properties().get(TableMaintenance.LAST_RUN_PROPERTY)))
          .as(name + " was maintained").isAfterOrEqualTo(beforeRun);
    }
  }

  @Test
  void aSnapshotATagHoldsStopsAReexportBeforeAnyPartitionIsReplaced() throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");
    wh.metadataOk();
    wh.export(150, 199, 50);
    wh.export(200, 249, 50);
    long tagged = ancestors(load("tags")).get(2);
    load("tags").manageSnapshots().createTag("keepme", tagged).commit();
    Map<String, TreeSet<String>> before = allMetadataFiles();

    // The tagged snapshot is an ancestor of the current one: refused before anything moves.
    Cli.Result inHistory = wh.tryExport(100, 149, 50);
    assertThat(inHistory.status()).as(inHistory.err()).isEqualTo(3);
    assertThat(inHistory.errLines()).singleElement().asString().contains("tag 'keepme'");
    assertThat(allMetadataFiles()).isEqualTo(before);
    assertThat(wh.warehouse.resolve(".arexport/pending-commit.json")).doesNotExist();

    // Its descendants expired (another engine's retention, or arexport's with these settings):
    // the tag is off the current history, and its snapshot still lists the files.
    load("tags").updateProperties().set(TableProperties.MAX_SNAPSHOT_AGE_MS, "1")
        .set(TableProperties.MIN_SNAPSHOTS_TO_KEEP, "1").commit();
    Cli.Result maintain = Cli.run("maintain", "--datasets-dir", wh.warehouse.toString(),
        "--tables", "tags");
    assertThat(maintain.status()).as(maintain.err()).isZero();
    assertThat(ancestors(load("tags"))).doesNotContain(tagged);
    before = allMetadataFiles();

    Cli.Result offHistory = wh.tryExport(100, 149, 50);
    assertThat(offHistory.status()).as(offHistory.err()).isEqualTo(3);
    assertThat(offHistory.errLines()).singleElement().asString().contains("tag 'keepme'");
    assertThat(allMetadataFiles()).isEqualTo(before);
    assertThat(IcebergReader.rows(load("tags"), tagged)).as("the tagged snapshot reads")
        .isNotEmpty();
    assertEverySnapshotReads(load("tags"));

    // Other heights are no concern of the tag: they export and commit.
    wh.export(250, 299, 50);
    wh.assertMatchesSource(load("tags"), new HeightRange(100, 299));
  }

  @Test
  void maintainAfterAnotherEnginesRollbackKeepsTheFilesTheWarehouseHolds() throws Exception {
    wh.export(100, 109, 10, "--no-iceberg");
    wh.metadataOk();
    for (long start = 110; start < 140; start += 10) {
      wh.export(start, start + 9, 10);
    }
    Table tags = load("tags");
    long second = ancestors(tags).get(2);
    tags.manageSnapshots().rollbackTo(second).commit();
    load("tags").updateProperties().set(TableProperties.MAX_SNAPSHOT_AGE_MS, "1")
        .set(TableProperties.MIN_SNAPSHOTS_TO_KEEP, "1").commit();
    List<Path> files = WarehouseReader.files(wh.warehouse, "tags").values().stream()
        .flatMap(List::stream).toList();
    assertThat(files).hasSize(4);

    Cli.Result maintain = Cli.run("maintain", "--datasets-dir", wh.warehouse.toString(),
        "--tables", "tags");

    assertThat(maintain.status()).as(maintain.err()).isZero();
    assertThat(snapshotIds(load("tags"))).as("the rolled-back snapshots expired")
        .containsExactly(second);
    assertThat(files).allSatisfy(file -> assertThat(file).exists());
    wh.metadataOk("--tables", "tags");
    wh.assertMatchesSource(load("tags"), new HeightRange(100, 139));
  }

  @Test
  void aReexportAfterARollbackLeavesNoSnapshotThatCannotBeRead() throws Exception {
    wh.export(100, 109, 10, "--no-iceberg");
    wh.metadataOk();
    for (long start = 110; start < 140; start += 10) {
      wh.export(start, start + 9, 10);
    }
    Table tags = load("tags");
    tags.manageSnapshots().rollbackTo(ancestors(tags).get(2)).commit();

    // Replaces the file of 100-109, which the two rolled-back snapshots list too.
    wh.export(100, 109, 10);

    assertEverySnapshotReads(load("tags"));
    wh.assertMatchesSource(load("tags"), new HeightRange(100, 139));
  }

  @Test
  void gcDisabledKeepsOrphansAndAFutureLastRunIsDue() throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");
    wh.metadataOk();
    Path stray = Files.writeString(wh.metadataDir("tags").resolve("0000-stray-m0.avro"), "x");
    Files.setLastModifiedTime(stray, FileTime.from(Instant.now().minus(Duration.ofDays(4))));
    load("tags").updateProperties().set(TableProperties.GC_ENABLED, "false").commit();
    load("blocks").updateProperties()
        .set(TableMaintenance.LAST_RUN_PROPERTY, "9999-01-01T00:00:00Z").commit();

    Cli.Result maintain = Cli.run("maintain", "--datasets-dir", wh.warehouse.toString(),
        "--tables", "tags");
    assertThat(maintain.status()).as(maintain.err()).isZero();
    assertThat(stray).as("gc.enabled=false: no orphan removal either").exists();

    Instant beforeExport = Instant.now();
    wh.export(150, 199, 50);
    assertThat(Instant.parse(load("blocks").properties().get(TableMaintenance.LAST_RUN_PROPERTY)))
        .as("a last run in the future is due").isBetween(beforeExport, Instant.now());
  }

  @Test
  void maintainOnAWarehouseWhoseFirstMetadataRunHoldsTheLockIsAConflict() throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");
    try (var lock = io.arexport.warehouse.WarehouseLock.acquire(
        new io.arexport.warehouse.WarehouseLayout(wh.warehouse), "arexport metadata (pid 7)")) {
      Cli.Result maintain = Cli.run("maintain", "--datasets-dir", wh.warehouse.toString());
      assertThat(maintain.status()).isEqualTo(3);
      assertThat(maintain.errLines()).singleElement().asString()
          .contains("locked by arexport metadata (pid 7)");
    }
  }

  @Test
  void maintainThroughASymlinkKeepsTheVersionsAnotherWriterLoggedAsPlainPaths()
      throws Exception {
    wh.export(100, 149, 50, "--no-iceberg");
    wh.metadataOk();
    // Iceberg's HadoopTables (another writer) logs its versions as plain paths, not file: URIs.
    load("tags").updateProperties().set(TableMaintenance.ORPHAN_MIN_AGE_PROPERTY, "0").commit();
    load("tags").updateProperties().set("note", "x").commit();
    TreeSet<String> before = versionFiles("tags");
    Path link = Files.createSymbolicLink(work.resolve("warehouse-link"), wh.warehouse);

    Cli.Result maintain = Cli.run("maintain", "--datasets-dir", link.toString(), "--tables",
        "tags");

    assertThat(maintain.status()).as(maintain.err()).isZero();
    assertThat(maintain.out()).contains("0 removed");
    assertThat(versionFiles("tags")).as("logged versions are not orphans").containsAll(before);
    assertEverySnapshotReads(load("tags"));
  }

  // --- helpers

  /** Every snapshot the metadata lists reads through time travel and all its files exist. */
  private void assertEverySnapshotReads(Table table) throws IOException {
    for (Snapshot snapshot : table.snapshots()) {
      try (CloseableIterable<FileScanTask> tasks =
          table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
        for (FileScanTask task : tasks) {
          assertThat(wh.localPath(task.file())).as("file of snapshot " + snapshot.snapshotId())
              .exists();
        }
      }
      assertThat(IcebergReader.rows(table, snapshot.snapshotId())).isNotEmpty();
    }
  }

  private Map<String, Long> currentSnapshots() {
    Map<String, Long> ids = new HashMap<>();
    for (String name : IcebergWarehouse.TABLES) {
      ids.put(name, load(name).currentSnapshot().snapshotId());
    }
    return ids;
  }

  private static Set<Long> snapshotIds(Table table) {
    Set<Long> ids = new java.util.LinkedHashSet<>();
    table.snapshots().forEach(s -> ids.add(s.snapshotId()));
    return ids;
  }

  /** Snapshot ids from the current one back to the oldest ancestor. */
  private static List<Long> ancestors(Table table) {
    List<Long> ids = new ArrayList<>();
    for (Snapshot s = table.currentSnapshot(); s != null;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      ids.add(s.snapshotId());
    }
    return ids;
  }

  private TreeSet<String> versionFiles(String table) throws IOException {
    return wh.metadataFiles(table).stream()
        .filter(f -> f.matches("v\\d+\\.metadata\\.json"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private Map<String, List<Path>> partitionFiles(HeightRange range) throws Exception {
    Map<String, List<Path>> files = new HashMap<>();
    for (String name : IcebergWarehouse.TABLES) {
      files.put(name, WarehouseReader.files(wh.warehouse, name).get(range));
      assertThat(files.get(name)).as(name + " " + range).isNotEmpty();
    }
    return files;
  }

  private Map<String, TreeSet<String>> allMetadataFiles() {
    Map<String, TreeSet<String>> files = new HashMap<>();
    try {
      for (String name : IcebergWarehouse.TABLES) {
        files.put(name, wh.metadataFiles(name));
      }
      try (Stream<Path> data = Files.walk(wh.warehouse.resolve("tags/data"))) {
        files.put("tags/data", data.map(Path::toString)
            .collect(Collectors.toCollection(TreeSet::new)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  private static List<Path> concat(List<Path> a, List<Path> b) {
    List<Path> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
