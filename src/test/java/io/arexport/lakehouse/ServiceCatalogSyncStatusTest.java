package io.arexport.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arexport.HeightRange;
import io.arexport.sync.GrowingSource;
import io.arexport.testing.Cli;
import io.arexport.testing.IcebergReader;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SourceOracle;
import io.arexport.testing.services.LakehouseServices;
import io.arexport.testing.services.PostgresService;
import io.arexport.testing.services.RestCatalogService;
import io.arexport.testing.services.S3ProxyService;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CatalogSyncTest} and {@link CatalogStatusTest} on the real services (Iceberg's REST
 * catalog server and a JdbcCatalog on PostgreSQL, data in s3proxy): {@code sync} of a source
 * whose stable tip moves ends with tables equal to the whole SQLite source (read by Iceberg's own
 * catalog client and generics reader), the partial tip partition replaced whole, earlier
 * partitions untouched; a run with nothing new commits nothing (every table's snapshot and
 * metadata file unchanged); {@code status --json} after each step reports exactly what the
 * catalog holds (files, bytes, rows, snapshot, commit time, snapshot count, metadata file) and
 * what the source holds (rows, stable tip, lag); nothing prints a secret.
 */
@ExtendWith(LakehouseServices.class)
class ServiceCatalogSyncStatusTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path pristine;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), pristine.resolve("core.db"),
        pristine.resolve("bundles.db"));
  }

  private static List<String> paths(GrowingSource source, Path work) {
    return List.of("--coreDb", source.coreDb().toString(),
        "--bundlesDb", source.bundlesDb().toString(),
        "--stagingDir", work.resolve("staging").toString());
  }

  private static JsonNode run(ServiceCatalog catalog, List<String> args) throws Exception {
    Cli.Result result = Cli.run(catalog.with(args.toArray(String[]::new)));
    assertThat(result.status()).as(result.err()).isZero();
    ServiceCatalogExportTest.assertNoSecret(catalog, result.out(), result.err());
    return JSON.readTree(result.out());
  }

  private static JsonNode sync(ServiceCatalog catalog, GrowingSource source, Path work)
      throws Exception {
    List<String> args = new ArrayList<>(List.of("sync", "--json", "--heightPartitionSize", "50",
        "--includeL1Transactions", "--includeL1Tags"));
    args.addAll(paths(source, work));
    return run(catalog, args);
  }

  private static JsonNode status(ServiceCatalog catalog, GrowingSource source, Path work)
      throws Exception {
    List<String> args = new ArrayList<>(List.of("status", "--json"));
    args.addAll(paths(source, work));
    return run(catalog, args);
  }

  /** Each table's current snapshot id and metadata file: what a commit would change. */
  private static Map<String, String> state(ServiceCatalog catalog) {
    Map<String, String> state = new LinkedHashMap<>();
    for (String name : CatalogExportTest.TABLES) {
      Table table = catalog.load(name);
      state.put(name, table.currentSnapshot().snapshotId() + " "
          + ((HasTableOperations) table).operations().current().metadataFileLocation());
    }
    return state;
  }

  private static Set<String> filesOf(Table table, String partition) {
    return CatalogExportTest.locations(table).stream()
        .filter(l -> l.contains("/height=" + partition + "/")).collect(Collectors.toSet());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"rest", "jdbc"})
  void syncOfAGrowingSourceEqualsTheSourceAndStatusReportsTheCatalog(String kind,
      @TempDir Path work, PostgresService postgres, S3ProxyService s3, RestCatalogService rest)
      throws Exception {
    ServiceCatalog catalog = ServiceCatalogExportTest.catalog(kind, postgres, s3, rest);
    GrowingSource source = GrowingSource.copy(pristine, work.resolve("sources"));
    source.cutAbove(224);

    JsonNode first = sync(catalog, source, work);
    assertThat(first.get("outcome").asText()).isEqualTo("synced");
    assertThat(first.get("highestAfter").asLong()).isEqualTo(224);
    assertThat(first.get("warehouse").asText()).startsWith(kind + " catalog ar_io at ")
        .contains("namespace " + catalog.namespace());
    CatalogExportTest.assertEqualsSource(source.coreDb().getParent(), catalog::load,
        new HeightRange(100, 224));
    assertThat(filesOf(catalog.load("blocks"), "200-224")).as("the partial tip partition")
        .isNotEmpty();
    assertStatus(catalog, status(catalog, source, work), source, new HeightRange(100, 224));
    Set<String> unchanged = filesOf(catalog.load("tags"), "100-149");
    assertThat(unchanged).isNotEmpty();

    source.restoreAbove(224);
    JsonNode second = sync(catalog, source, work);
    assertThat(second.get("outcome").asText()).isEqualTo("synced");
    assertThat(second.get("frontierBefore").asLong()).as("the partition of 224 is partial")
        .isEqualTo(199);
    assertThat(second.get("runs")).hasSize(1);
    assertThat(second.get("runs").get(0).get("startHeight").asLong()).isEqualTo(200);
    assertThat(second.get("runs").get(0).get("endHeight").asLong()).isEqualTo(349);
    HeightRange full = new HeightRange(100, 349);
    CatalogExportTest.assertEqualsSource(pristine, catalog::load, full);
    for (String table : CatalogExportTest.TABLES) {
      assertThat(filesOf(catalog.load(table), "200-224")).as(table + ": partial partition gone")
          .isEmpty();
    }
    assertThat(filesOf(catalog.load("tags"), "100-149")).as("earlier partitions untouched")
        .isEqualTo(unchanged);
    assertThat(catalog.unreferencedObjects()).isEmpty();

    // Nothing new: no table gets a commit (snapshot and metadata file unchanged).
    Map<String, String> before = state(catalog);
    JsonNode third = sync(catalog, source, work);
    assertThat(third.get("outcome").asText()).isEqualTo("up-to-date");
    assertThat(third.get("runs")).isEmpty();
    assertThat(state(catalog)).isEqualTo(before);
    assertStatus(catalog, status(catalog, source, work), source, full);
    assertThat(state(catalog)).as("status only reads").isEqualTo(before);
  }

  /** Every field of {@code status --json} against Iceberg's own client and the SQLite source. */
  private static void assertStatus(ServiceCatalog catalog, JsonNode status, GrowingSource source,
      HeightRange held) throws Exception {
    assertThat(status.get("warehouse").asText()).startsWith(catalog.kind() + " catalog ar_io at ")
        .contains("namespace " + catalog.namespace());
    assertThat(status.get("lock").isNull()).isTrue();
    assertThat(status.get("stagingJobs")).isEmpty();
    JsonNode coverage = status.get("coverage");
    assertThat(coverage.get("lowestHeight").asLong()).isEqualTo(held.start());
    assertThat(coverage.get("highestHeight").asLong()).isEqualTo(held.end());
    assertThat(coverage.get("ranges")).hasSize(1);
    assertThat(coverage.get("ranges").get(0).get("start").asLong()).isEqualTo(held.start());
    assertThat(coverage.get("ranges").get(0).get("end").asLong()).isEqualTo(held.end());
    assertThat(coverage.get("gaps")).isEmpty();
    JsonNode sourceNode = status.get("source");
    assertThat(sourceNode.get("available").asBoolean()).as(sourceNode.toString()).isTrue();
    assertThat(sourceNode.get("stableTip").asLong()).isGreaterThanOrEqualTo(held.end());
    assertThat(sourceNode.get("lagHeights").asLong())
        .isEqualTo(sourceNode.get("stableTip").asLong() - held.end());

    try (SourceOracle oracle = new SourceOracle(source.coreDb(), source.bundlesDb())) {
      for (String name : CatalogExportTest.TABLES) {
        JsonNode table = status.get("tables").get(name);
        Table loaded = catalog.load(name);
        List<DataFile> files = IcebergReader.dataFiles(loaded);
        long sourceRows = oracle.count(name, held, true, true);
        assertThat(table.get("rows").asLong()).as(name).isEqualTo(sourceRows)
            .isEqualTo(IcebergReader.rows(loaded).size());
        assertThat(table.get("files").asLong()).as(name).isEqualTo(files.size());
        assertThat(table.get("bytes").asLong()).as(name)
            .isEqualTo(files.stream().mapToLong(DataFile::fileSizeInBytes).sum());
        long partitions = files.stream().map(f -> f.location().replaceFirst(".*/data/", "")
            .replaceFirst("/[^/]*$", "")).distinct().count();
        assertThat(table.get("partitions").asLong()).as(name).isEqualTo(partitions);
        JsonNode iceberg = table.get("iceberg");
        Snapshot current = loaded.currentSnapshot();
        assertThat(iceberg.get("snapshotId").asLong()).as(name).isEqualTo(current.snapshotId());
        assertThat(Instant.parse(iceberg.get("committedAt").asText()).toEpochMilli())
            .isEqualTo(current.timestampMillis());
        int snapshots = 0;
        for (Snapshot ignored : loaded.snapshots()) {
          snapshots++;
        }
        assertThat(iceberg.get("snapshots").asInt()).as(name).isEqualTo(snapshots);
        assertThat(iceberg.get("snapshotRows").asLong()).as(name).isEqualTo(sourceRows);
        assertThat(iceberg.get("metadataFile").asText()).as(name).isEqualTo(
            ((HasTableOperations) loaded).operations().current().metadataFileLocation());
        assertThat(iceberg.get("error").isNull()).isTrue();
      }
    }
  }
}
