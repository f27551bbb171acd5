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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Catalog mode on the real services: a JdbcCatalog on PostgreSQL and Iceberg's REST catalog
 * server, data in s3proxy (signed requests). Read back by Iceberg's own catalog clients, the
 * tables equal the SQLite source row for row; several writers on disjoint ranges all land; of two
 * on one partition at once exactly one wins and the other exits 3; no orphan object is left and
 * no secret is printed.
 */
@ExtendWith(LakehouseServices.class)
class ServiceCatalogExportTest {
  static final String TX = "--includeL1Transactions";
  static final String TAGS = "--includeL1Tags";

  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  static ServiceCatalog catalog(String kind, PostgresService postgres, S3ProxyService s3,
      RestCatalogService rest) {
    return kind.equals("jdbc") ? ServiceCatalog.jdbc(postgres, s3) : ServiceCatalog.rest(rest, s3);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"jdbc", "rest"})
  void exportsEqualTheSourceOnS3(String kind, @TempDir Path work, PostgresService postgres,
      S3ProxyService s3, RestCatalogService rest) throws Exception {
    ServiceCatalog catalog = catalog(kind, postgres, s3, rest);
    ExportArgs paths = ExportArgs.of(sources, work);
    List<Cli.Result> runs = new ArrayList<>();
    runs.add(Cli.run(catalog.with(paths.export(100, 249, 50, TX, TAGS))));
    runs.add(Cli.run(catalog.with(paths.export(250, 349, 50, TX, TAGS))));
    runs.add(Cli.run(catalog.with(paths.export(150, 199, 50, TX, TAGS))));
    runs.add(Cli.run(catalog.with(paths.export(200, 349, 100, "--json", TX, TAGS))));
    for (Cli.Result run : runs) {
      assertThat(run.status()).as(run.err()).isZero();
      assertNoSecret(catalog, run.out(), run.err());
    }
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 349));
    Table tags = catalog.load("tags");
    assertThat(tags.location()).startsWith("s3://" + catalog.bucket() + "/");
    assertThat(tags.specs()).hasSize(2);
    assertThat(catalog.unreferencedDataObjects()).isEmpty();
    assertVerifyDeepPasses(catalog, 100, 199, 50);
    assertVerifyDeepPasses(catalog, 200, 349, 100);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"jdbc", "rest"})
  void threeConcurrentWritersOnDisjointRangesAllLand(String kind, @TempDir Path work,
      PostgresService postgres, S3ProxyService s3, RestCatalogService rest) throws Exception {
    ServiceCatalog catalog = catalog(kind, postgres, s3, rest);
    // The tables exist first, so no writer races the others to create them.
    Cli.Result create = Cli.run(catalog.with(ExportArgs.of(sources, work.resolve("w0"))
        .export(100, 109, 10, TX, TAGS)));
    assertThat(create.status()).as(create.err()).isZero();
    long[][] ranges = {{110, 189}, {190, 269}, {270, 349}};
    List<ChildJvm> writers = new ArrayList<>();
    try {
      for (int i = 0; i < ranges.length; i++) {
        ExportArgs paths = ExportArgs.of(sources, work.resolve("w" + (i + 1)));
        writers.add(ChildJvm.start(List.of("-Xmx384m"), Map.of(), work,
            catalog.with(paths.export(ranges[i][0], ranges[i][1], 10, TX, TAGS))));
      }
      for (ChildJvm writer : writers) {
        assertThat(writer.waitFor(600)).as(writer.err()).isZero();
        assertNoSecret(catalog, writer.out(), writer.err());
      }
    } finally {
      for (ChildJvm writer : writers) {
        writer.close();
      }
    }
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 349));
    // Every partition once: 25 partitions of 10 heights, each in its own directory.
    assertThat(catalog.load("blocks").snapshots()).hasSizeGreaterThanOrEqualTo(25);
    assertThat(catalog.unreferencedDataObjects()).isEmpty();
    assertVerifyDeepPasses(catalog, 100, 349, 10);
  }

  /** {@code verify --deep} through the catalog and the tables' S3 FileIO passes. */
  static void assertVerifyDeepPasses(ServiceCatalog catalog, long start, long end, long p) {
    Cli.Result verify = Cli.run(catalog.with("verify", "--startHeight", Long.toString(start),
        "--endHeight", Long.toString(end), "--heightPartitionSize", Long.toString(p), TX, TAGS,
        "--coreDb", sources.resolve("core.db").toString(),
        "--bundlesDb", sources.resolve("bundles.db").toString(), "--deep"));
    assertThat(verify.status()).as(verify.out() + verify.err()).isZero();
    assertNoSecret(catalog, verify.out(), verify.err());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"jdbc", "rest"})
  void ofTwoWritersOnOnePartitionAtOnceTheLoserExits3(String kind, @TempDir Path work,
      PostgresService postgres, S3ProxyService s3, RestCatalogService rest) throws Exception {
    ServiceCatalog catalog = catalog(kind, postgres, s3, rest);
    Cli.Result first = Cli.run(catalog.with(ExportArgs.of(sources, work.resolve("w0"))
        .export(100, 199, 50, TX, TAGS)));
    assertThat(first.status()).as(first.err()).isZero();

    // The loser plans and uploads its version of 100-149, then waits before its commit...
    String[] loserArgs = catalog.with(ExportArgs.of(sources, work.resolve("loser"))
        .export(100, 199, 50, TX, TAGS));
    try (ChildJvm loser = ChildJvm.start(List.of("-Xmx384m"),
        Map.of("AREXPORT_FAULT_POINT", "catalog-uploaded:1"), work, loserArgs)) {
      assertThat(loser.awaitErrLine("fault point catalog-uploaded:1 reached", 180))
          .as(loser.err()).isTrue();
      // ...while the winner re-exports the same range and commits.
      Cli.Result winner = Cli.run(catalog.with(ExportArgs.of(sources, work.resolve("winner"))
          .export(100, 199, 50, TX, TAGS)));
      assertThat(winner.status()).as(winner.err()).isZero();
      // SIGTERM ends the loser's wait; its commit then meets the winner's.
      ProcessHandle.of(loser.pid()).orElseThrow().destroy();
      assertThat(loser.waitFor(120)).as(loser.err()).isEqualTo(3);
      assertThat(loser.err()).contains("partition 100-149 of table", "changed by another writer");
      assertNoSecret(catalog, loser.out(), loser.err());
    }
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 199));
    assertThat(catalog.unreferencedDataObjects()).as("the loser's uploads are gone").isEmpty();
    assertThat(CatalogCrashTest.journals(work.resolve("loser").resolve("staging")))
        .as("nothing left for the loser's journal to list").isEmpty();
  }

  static void assertNoSecret(ServiceCatalog catalog, String... outputs) {
    for (String output : outputs) {
      for (String secret : catalog.secrets()) {
        assertThat(output).as("output must not contain a secret").doesNotContain(secret);
      }
    }
  }
}
