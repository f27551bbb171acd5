package io.arexport.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arexport.HeightRange;
import io.arexport.catalog.CatalogSpec;
import io.arexport.sync.Coverage;
import io.arexport.sync.ExportSettings;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CatalogCoverage} as a catalog sync's coverage store: the tables' live partitions, plus
 * heights recorded in the blocks table's property (visible to Iceberg's own JdbcCatalog), which
 * {@code status} then reports as covered.
 */
class CatalogCoverageTest {
  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  @Test
  void coversLivePartitionsPlusRecordedHeights(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    LocalCatalog catalog = LocalCatalog.in(work);
    for (long[] range : new long[][] {{100, 149}, {250, 349}}) {
      Cli.Result result = Cli.run(catalog.with(paths.export(range[0], range[1], 50)));
      assertThat(result.status()).as(result.err()).isZero();
    }
    CatalogSpec spec = CatalogSpec.resolve(Map.of("type", "jdbc", "uri", catalog.uri(),
        "warehouse", catalog.warehouse().toString()), List.of(), Optional.empty());
    long snapshot = catalog.load("blocks").currentSnapshot().snapshotId();
    try (CatalogTables tables = CatalogTables.open(spec)) {
      CatalogCoverage store = new CatalogCoverage(tables);
      assertThat(store.covered().ranges()).containsExactly(new HeightRange(100, 149),
          new HeightRange(250, 349));
      assertThat(store.recordedSettings()).isEmpty();
      assertThat(store.recorded()).isEqualTo(Coverage.EMPTY);

      store.record(new HeightRange(150, 249), new ExportSettings(false, true, 100));
      assertThat(store.covered().ranges()).containsExactly(new HeightRange(100, 349));
      assertThat(store.recorded().ranges()).containsExactly(new HeightRange(150, 249));
      assertThat(store.recordedSettings()).contains(new ExportSettings(false, true, 100));
    }
    // Iceberg's own catalog client sees the record; no snapshot was made for it.
    JsonNode property = new ObjectMapper().readTree(
        catalog.load("blocks").properties().get(CatalogCoverage.PROPERTY));
    assertThat(property.get("ranges").get(0).get("start").asLong()).isEqualTo(150);
    assertThat(property.get("ranges").get(0).get("end").asLong()).isEqualTo(249);
    assertThat(catalog.load("blocks").currentSnapshot().snapshotId()).isEqualTo(snapshot);

    List<String> args = new ArrayList<>(List.of("status", "--json",
        "--stagingDir", paths.stagingDir().toString(), "--coreDb", paths.coreDb().toString(),
        "--bundlesDb", paths.bundlesDb().toString()));
    args.addAll(catalog.options());
    Cli.Result status = Cli.run(args.toArray(String[]::new));
    assertThat(status.status()).as(status.err()).isZero();
    JsonNode coverage = new ObjectMapper().readTree(status.out()).get("coverage");
    assertThat(coverage.get("ranges")).hasSize(1);
    assertThat(coverage.get("ranges").get(0).get("start").asLong()).isEqualTo(100);
    assertThat(coverage.get("ranges").get(0).get("end").asLong()).isEqualTo(349);
    assertThat(coverage.get("gaps")).isEmpty();
    assertThat(coverage.get("recorded").asBoolean()).isTrue();
    assertThat(coverage.get("recordedRows").get("includeL1Transactions").asBoolean()).isFalse();
    assertThat(coverage.get("recordedRows").get("includeL1Tags").asBoolean()).isTrue();
    assertThat(coverage.get("recordedRows").get("heightPartitionSize").asLong()).isEqualTo(100);
    assertThat(coverage.get("error").isNull()).isTrue();
  }
}
