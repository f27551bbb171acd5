package io.arexport.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.testing.ChildJvm;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.services.LakehouseServices;
import io.arexport.testing.services.PostgresService;
import io.arexport.testing.services.RestCatalogService;
import io.arexport.testing.services.S3ProxyService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link CatalogCrashTest} on the real services: a catalog-mode re-export in a child JVM, through
 * Iceberg's REST catalog server or a JdbcCatalog on PostgreSQL with the data in s3proxy, is
 * killed with SIGKILL between upload and commit, between the commits of one partition's tables,
 * and after the commits before the checkpoint; then it is recovered by {@code --resume} or by a
 * plain rerun of the same command. At the kill and after the recovery, every row of the SQLite
 * source is in the current snapshots exactly once (read by Iceberg's own catalog client and
 * generics reader), and after the recovery no object is left in the bucket under a table's
 * location that the table does not reference (data files of its retained snapshots, their
 * manifests and manifest lists, its metadata files); no upload journal and no staging job is
 * left, and no secret is printed.
 */
@ExtendWith(LakehouseServices.class)
class ServiceCatalogCrashTest {
  static final String TX = "--includeL1Transactions";
  static final String TAGS = "--includeL1Tags";

  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  /**
   * Heights 100-349 in partitions of 50: the n-th catalog-uploaded / catalog-table-committed is
   * table (n-1)%3 of partition (n-1)/3+1, so :4 is the blocks table of the second partition.
   */
  static Stream<Arguments> crashes() {
    return Stream.of(
        Arguments.of("rest", "catalog-uploaded:4", "--resume"),
        Arguments.of("rest", "catalog-table-committed:4", "rerun"),
        Arguments.of("rest", "partition-moved:2", "--resume"),
        Arguments.of("jdbc", "catalog-uploaded:5", "rerun"),
        Arguments.of("jdbc", "catalog-table-committed:5", "--resume"),
        Arguments.of("jdbc", "partition-moved:3", "rerun"));
  }

  @ParameterizedTest(name = "[{index}] {0}: kill at {1}, then {2}")
  @MethodSource("crashes")
  void killedRunIsRecoveredWithRowsOnceAndNoOrphanObjects(String kind, String point,
      String recovery, @TempDir Path work, PostgresService postgres, S3ProxyService s3,
      RestCatalogService rest) throws Exception {
    ServiceCatalog catalog = ServiceCatalogExportTest.catalog(kind, postgres, s3, rest);
    HeightRange range = new HeightRange(100, 349);
    String[] args = catalog.with(ExportArgs.of(sources, work).export(100, 349, 50, TX, TAGS));
    // A first export of the range, so the killed run is a re-export replacing live files.
    Cli.Result first = Cli.run(args);
    assertThat(first.status()).as(first.err()).isZero();
    ServiceCatalogExportTest.assertNoSecret(catalog, first.out(), first.err());

    try (ChildJvm child = ChildJvm.start(List.of("-Xmx384m"),
        Map.of("AREXPORT_FAULT_POINT", point), work, args)) {
      assertThat(child.awaitErrLine("fault point " + point + " reached", 180))
          .as("child reached %s; stderr:%n%s", point, child.err()).isTrue();
      child.kill();
      ServiceCatalogExportTest.assertNoSecret(catalog, child.out(), child.err());
    }
    if (point.startsWith("catalog-uploaded")) {
      assertThat(catalog.unreferencedDataObjects())
          .as("the kill left uploads no snapshot references").isNotEmpty();
      assertThat(catalog.unreferencedObjects())
          .containsAll(catalog.unreferencedDataObjects());
    }
    CatalogExportTest.assertEqualsSource(sources, catalog::load, range);

    List<String> recoveryArgs = new ArrayList<>(List.of(args));
    if (recovery.equals("--resume")) {
      recoveryArgs.add("--resume");
    }
    Cli.Result recovered = Cli.run(recoveryArgs.toArray(String[]::new));
    assertThat(recovered.status()).as(recovered.err()).isZero();
    ServiceCatalogExportTest.assertNoSecret(catalog, recovered.out(), recovered.err());

    CatalogExportTest.assertEqualsSource(sources, catalog::load, range);
    assertThat(catalog.unreferencedObjects()).as("no orphan object after the next run")
        .isEmpty();
    assertThat(CatalogCrashTest.journals(work.resolve("staging"))).as("no upload journal left")
        .isEmpty();
    try (Stream<Path> children = Files.list(work.resolve("staging"))) {
      assertThat(children.filter(p -> p.getFileName().toString().startsWith("job-")))
          .as("the killed job is finished or superseded").isEmpty();
    }
  }
}
