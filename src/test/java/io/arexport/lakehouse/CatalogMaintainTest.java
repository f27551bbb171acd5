package io.arexport.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arexport.HeightRange;
import io.arexport.catalog.CatalogSpec;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.IcebergReader;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SourceOracle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code arexport maintain} with catalog options on a JdbcCatalog over a local warehouse: it
 * expires the snapshots the tables' retention lets go, deletes exactly the data files only those
 * referenced (the catalog publisher keeps replaced files for retained snapshots), removes an old
 * orphan but keeps a young one (an upload of an export in flight), every retained snapshot still
 * reads the source's rows through the Iceberg Java reader, and no secret is printed.
 */
class CatalogMaintainTest {
  static final List<String> TABLES = List.of("blocks", "transactions", "tags");
  static final String SECRET = "s3cr3t-Maintain-77";

  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  @Test
  void expiresPerRetentionDeletesOnlyUnreferencedFilesAndKeepsYoungUploads(@TempDir Path work)
      throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    LocalCatalog catalog = LocalCatalog.in(work);
    export(catalog, paths, 100, 199);
    export(catalog, paths, 100, 149); // replaces 100-149: the old files stay for old snapshots
    export(catalog, paths, 100, 149);
    export(catalog, paths, 100, 149);

    // Retention: every snapshot is old enough to expire, the last two are kept.
    try (JdbcCatalog jdbc = open(catalog)) {
      for (String name : TABLES) {
        jdbc.loadTable(id(name)).updateProperties()
            .set(TableProperties.MAX_SNAPSHOT_AGE_MS, "1")
            .set(TableProperties.MIN_SNAPSHOTS_TO_KEEP, "2").commit();
      }
    }
    Thread.sleep(5);

    Map<String, List<Long>> retained = new HashMap<>();
    Map<String, Set<String>> retainedFiles = new HashMap<>();
    Map<String, Integer> before = new HashMap<>();
    Map<String, Set<String>> expiredOnly = new HashMap<>();
    Map<String, Set<String>> replacedByKept = new HashMap<>();
    for (String name : TABLES) {
      Table table = catalog.load(name);
      List<Snapshot> snapshots = new ArrayList<>();
      table.snapshots().forEach(snapshots::add);
      assertThat(snapshots.size()).as(name).isGreaterThan(2);
      before.put(name, snapshots.size());
      List<Snapshot> kept = snapshots.subList(snapshots.size() - 2, snapshots.size());
      retained.put(name, kept.stream().map(Snapshot::snapshotId).toList());
      Set<String> keptFiles = new HashSet<>();
      kept.forEach(s -> keptFiles.addAll(files(table, s.snapshotId())));
      retainedFiles.put(name, keptFiles);
      // Files a retained snapshot replaced: no retained snapshot reads them, but Iceberg deletes
      // them only when that snapshot expires (or the orphan pass after the safety age).
      Set<String> replaced = new HashSet<>();
      kept.forEach(s -> s.removedDataFiles(table.io()).forEach(f -> replaced.add(f.location())));
      replaced.removeAll(keptFiles);
      assertThat(replaced).as(name + ": replaced by the oldest retained snapshot").isNotEmpty();
      replacedByKept.put(name, replaced);
      Set<String> gone = new HashSet<>();
      snapshots.subList(0, snapshots.size() - 2)
          .forEach(s -> gone.addAll(files(table, s.snapshotId())));
      gone.removeAll(keptFiles);
      gone.removeAll(replaced);
      assertThat(gone).as(name + ": the re-exports replaced files").isNotEmpty();
      expiredOnly.put(name, gone);
    }

    // An old orphan (a dead run's upload) and a young one (an upload of an export in flight).
    Path tagsData = localPath(catalog.load("tags").location()).resolve("data/height=100-149");
    Path oldOrphan = Files.writeString(tagsData.resolve("dead-run-upload.parquet"), "x");
    Files.setLastModifiedTime(oldOrphan, FileTime.from(Instant.now().minus(Duration.ofDays(4))));
    Path inFlight = Files.writeString(tagsData.resolve("in-flight-upload.parquet"), "y");

    List<String> args = new ArrayList<>(List.of("maintain", "--json", "--catalog-property",
        "s3.secret-access-key=" + SECRET));
    args.addAll(catalog.options());
    Cli.Result result = Cli.run(args.toArray(String[]::new));
    assertThat(result.status()).as(result.err()).isZero();
    assertThat(result.out() + result.err()).doesNotContain(SECRET);

    JsonNode summary = new ObjectMapper().readTree(result.out());
    assertThat(summary.get("warehouse").asText()).startsWith("jdbc catalog ar_io at jdbc:sqlite:");
    assertThat(summary.get("tables")).hasSize(3);
    for (JsonNode node : summary.get("tables")) {
      String name = node.get("table").asText();
      Table table = catalog.load(name);
      assertThat(node.get("snapshots").asInt()).as(name).isEqualTo(2);
      assertThat(node.get("expiredSnapshots").asInt()).as(name).isEqualTo(before.get(name) - 2);
      assertThat(node.get("metadataFile").asText()).isEqualTo(
          ((org.apache.iceberg.HasTableOperations) table).operations().current()
              .metadataFileLocation());
      assertThat(node.get("version").asInt()).as(name).isPositive();
      assertThat(node.get("orphanFilesDeleted").asInt()).as(name)
          .isEqualTo(name.equals("tags") ? 1 : 0);
      assertThat(node.get("orphanFilesKept").asInt()).as(name)
          .isEqualTo(replacedByKept.get(name).size() + (name.equals("tags") ? 1 : 0));

      List<Long> ids = new ArrayList<>();
      table.snapshots().forEach(s -> ids.add(s.snapshotId()));
      assertThat(ids).as(name).isEqualTo(retained.get(name));
      for (String file : expiredOnly.get(name)) {
        assertThat(localPath(file)).as("only expired snapshots referenced it").doesNotExist();
      }
      // Exactly the retained snapshots' data files are left, with the files they replaced and
      // the young upload.
      Set<Path> expected = Stream.concat(retainedFiles.get(name).stream(),
          replacedByKept.get(name).stream()).map(CatalogMaintainTest::localPath)
          .collect(Collectors.toSet());
      if (name.equals("tags")) {
        expected.add(inFlight);
      }
      assertThat(parquetFiles(localPath(table.location()))).as(name).isEqualTo(expected);
      assertThat(node.get("deletedFiles").asInt()).as(name)
          .isGreaterThanOrEqualTo(expiredOnly.get(name).size());
    }
    assertThat(oldOrphan).doesNotExist();
    assertThat(inFlight).exists();

    // Time travel: every retained snapshot reads, and holds the source's rows of 100-199.
    try (SourceOracle source = new SourceOracle(sources.resolve("core.db"),
        sources.resolve("bundles.db"))) {
      for (String name : TABLES) {
        Table table = catalog.load(name);
        List<String> expected = source.rows(name, new HeightRange(100, 199), true, true);
        for (long id : retained.get(name)) {
          assertThat(IcebergReader.rows(table, id)).as(name + " at " + id)
              .containsExactlyInAnyOrderElementsOf(expected);
        }
      }
    }
  }

  @Test
  void aNamedTableMissingFromTheCatalogIsOneLineExitTwo(@TempDir Path work) {
    LocalCatalog catalog = LocalCatalog.in(work);
    catalog.open().close();
    List<String> args = new ArrayList<>(List.of("maintain", "--tables", "tags"));
    args.addAll(catalog.options());
    Cli.Result result = Cli.run(args.toArray(String[]::new));
    assertThat(result.status()).isEqualTo(2);
    assertThat(result.err().strip().lines()).hasSize(1);
    assertThat(result.err()).contains("no table tags in jdbc catalog ar_io");
    assertThat(Files.exists(work.resolve("data"))).as("no directory warehouse").isFalse();
  }

  private static void export(LocalCatalog catalog, ExportArgs paths, long start, long end) {
    Cli.Result result = Cli.run(catalog.with(paths.export(start, end, 50,
        "--includeL1Transactions", "--includeL1Tags")));
    assertThat(result.status()).as(result.err()).isZero();
  }

  private static JdbcCatalog open(LocalCatalog catalog) {
    JdbcCatalog jdbc = new JdbcCatalog();
    jdbc.setConf(new Configuration());
    jdbc.initialize(CatalogSpec.DEFAULT_NAME, Map.of(CatalogProperties.URI, catalog.uri(),
        CatalogProperties.WAREHOUSE_LOCATION, catalog.warehouse().toString()));
    return jdbc;
  }

  private static TableIdentifier id(String table) {
    return TableIdentifier.of("default", table);
  }

  private static Set<String> files(Table table, long snapshotId) {
    Set<String> files = new HashSet<>();
    try (var tasks = table.newScan().useSnapshot(snapshotId).planFiles()) {
      tasks.forEach(task -> files.add(task.file().location()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  private static Path localPath(String location) {
    return Path.of(location.replaceFirst("^file:(//)?", ""));
  }

  private static Set<Path> parquetFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".parquet"))
          .collect(Collectors.toSet());
    }
  }
}
