package io.arexport.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.catalog.CatalogSpec;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad catalog input, without services: one line on stderr naming the problem, the documented exit
 * code (2 invalid input, 1 unreachable service, 3 a table in the way), nothing committed, no
 * secret printed.
 */
class CatalogBadInputTest {
  static final String SECRET = "s3cr3t-Value-42";

  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  @Test
  void propertyWithoutEqualsSignIsRefused(@TempDir Path work) {
    LocalCatalog catalog = LocalCatalog.in(work);
    Cli.Result result = Cli.run(catalog.with(ExportArgs.of(sources, work).export(100, 149, 50,
        "--catalog-property", "s3.endpoint")));
    assertOneLine(result, 2, "--catalog-property must be KEY=VALUE: s3.endpoint");
    assertThat(Files.exists(catalog.database())).isFalse();

    Cli.Result secret = Cli.run(catalog.with(ExportArgs.of(sources, work).export(100, 149, 50,
        "--catalog-property", SECRET)));
    assertOneLine(secret, 2, "--catalog-property must be KEY=VALUE", "not shown");
  }

  /** verify and maintain work on an existing catalog: a SQLite file that is not there is not made. */
  @Test
  void verifyAndMaintainOfAJdbcSqliteCatalogFileThatDoesNotExistAreRefused(@TempDir Path work) {
    LocalCatalog catalog = LocalCatalog.in(work);
    String[] verify = catalog.with("verify", "--coreDb", sources.resolve("core.db").toString(),
        "--bundlesDb", sources.resolve("bundles.db").toString(), "--startHeight", "100",
        "--endHeight", "149");
    String[] maintain = catalog.with("maintain");
    for (String[] args : List.of(verify, maintain)) {
      assertOneLine(Cli.run(args), 2, "no catalog database at " + catalog.database(),
          "export or sync creates it");
      assertThat(catalog.database()).as(args[0]).doesNotExist();
    }
  }

  /** The gateway's own database as the catalog: JdbcCatalog would add its tables to it. */
  @Test
  void aCatalogInAGatewayDatabaseIsRefusedBeforeAnythingIsWritten(@TempDir Path work)
      throws Exception {
    Path copies = Files.createDirectories(work.resolve("gateway"));
    for (String db : List.of("core.db", "bundles.db")) {
      Files.copy(sources.resolve(db), copies.resolve(db));
    }
    ExportArgs paths = ExportArgs.of(copies, work);
    byte[] before = Files.readAllBytes(paths.coreDb());
    LocalCatalog inCoreDb = new LocalCatalog(paths.coreDb(), work.resolve("lake"));
    String[] export = inCoreDb.with(paths.export(100, 149, 50));
    String[] sync = inCoreDb.with("sync", "--coreDb", paths.coreDb().toString(), "--bundlesDb",
        paths.bundlesDb().toString(), "--stagingDir", paths.stagingDir().toString());
    for (String[] args : List.of(export, sync)) {
      assertOneLine(Cli.run(args), 2, "names the gateway database " + paths.coreDb(),
          "a SQLite file of its own");
      assertThat(Files.readAllBytes(paths.coreDb())).as(args[0]).isEqualTo(before);
      assertThat(work.resolve("lake")).doesNotExist();
    }
  }

  /** Nor do they make a catalog of a SQLite file that is none (a gateway database, by mistake). */
  @Test
  void verifyAndMaintainOfADatabaseThatIsNoCatalogAreRefused(@TempDir Path work)
      throws Exception {
    Path gatewayDb = Files.copy(sources.resolve("bundles.db"), work.resolve("bundles.db"));
    byte[] before = Files.readAllBytes(gatewayDb);
    LocalCatalog notACatalog = new LocalCatalog(gatewayDb, work.resolve("lake"));
    String[] verify = notACatalog.with("verify", "--coreDb",
        sources.resolve("core.db").toString(), "--bundlesDb", gatewayDb.toString(),
        "--startHeight", "100", "--endHeight", "149");
    for (String[] args : List.of(verify, notACatalog.with("maintain"))) {
      assertOneLine(Cli.run(args), 2, "no Iceberg catalog in the database", "iceberg_tables");
      assertThat(Files.readAllBytes(gatewayDb)).as(args[0]).isEqualTo(before);
    }
  }

  /** In catalog mode the Iceberg commit is the publish: --no-iceberg cannot be honoured. */
  @Test
  void noIcebergInCatalogModeIsRefusedBeforeAnythingIsCreated(@TempDir Path work) {
    LocalCatalog catalog = LocalCatalog.in(work);
    ExportArgs paths = ExportArgs.of(sources, work);
    Cli.Result export = Cli.run(catalog.with(paths.export(100, 149, 50, "--no-iceberg")));
    assertOneLine(export, 2, "--no-iceberg does not apply to a jdbc catalog");
    Cli.Result sync = Cli.run(catalog.with("sync", "--no-iceberg",
        "--coreDb", paths.coreDb().toString(), "--bundlesDb", paths.bundlesDb().toString(),
        "--stagingDir", paths.stagingDir().toString()));
    assertOneLine(sync, 2, "--no-iceberg does not apply to a jdbc catalog");
    assertThat(Files.exists(catalog.database())).isFalse();
    assertThat(paths.stagingDir()).doesNotExist();
  }

  /**
   * Catalog settings without a catalog type would be ignored: the run would write the directory
   * warehouse instead and succeed. Refused, naming what was given (never a secret value).
   */
  @Test
  void catalogSettingsWithoutACatalogTypeAreRefused(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    Path config = Files.writeString(work.resolve("catalog.properties"),
        "uri=jdbc:sqlite:" + work.resolve("c.db") + "\ntoken=" + SECRET + "\n");
    assertOneLine(Cli.run(paths.export(100, 149, 50, "--catalog-warehouse",
        work.resolve("lake").toString())), 2, "--catalog-warehouse needs --catalog-type rest or"
        + " jdbc (the directory warehouse is --warehouseDir): " + work.resolve("lake"));
    assertOneLine(Cli.run(paths.export(100, 149, 50, "--catalog-property",
        "token=" + SECRET)), 2, "--catalog-property needs --catalog-type rest or jdbc: token");
    assertOneLine(Cli.run(paths.export(100, 149, 50, "--catalog-config", config.toString())),
        2, "the catalog config file " + config, "names no rest or jdbc catalog");
    assertThat(paths.warehouseDir()).doesNotExist();
    assertThat(paths.stagingDir()).doesNotExist();
  }

  @Test
  void objectStoreWithoutCatalogIsRefused(@TempDir Path work) {
    ExportArgs paths = ExportArgs.of(sources, work);
    Cli.Result warehouse = Cli.run(paths.export(100, 149, 50, "--catalog-warehouse",
        "s3://bucket/lake"));
    assertOneLine(warehouse, 2, "s3://bucket/lake is an object store");
    Cli.Result dir = Cli.run(new ExportArgs(paths.coreDb(), paths.bundlesDb(),
        paths.stagingDir(), Path.of("s3://bucket/lake")).export(100, 149, 50));
    assertOneLine(dir, 2, "--warehouseDir s3://bucket/lake is an object store");
    Cli.Result keyed = Cli.run(new ExportArgs(paths.coreDb(), paths.bundlesDb(),
        paths.stagingDir(), Path.of("s3://AKIAID:" + SECRET + "@bucket/lake"))
        .export(100, 149, 50));
    assertOneLine(keyed, 2, "--warehouseDir s3://****@bucket/lake is an object store");
    Cli.Result typed = Cli.run(paths.export(100, 149, 50, "--catalog-type", "glue"));
    assertOneLine(typed, 2, "--catalog-type must be hadoop, rest or jdbc: glue");
    Cli.Result noUri = Cli.run(paths.export(100, 149, 50, "--catalog-type", "rest"));
    assertOneLine(noUri, 2, "--catalog-uri (the REST endpoint) is required");
  }

  @Test
  void unreachableCatalogsFailWithOneLine(@TempDir Path work) {
    ExportArgs paths = ExportArgs.of(sources, work);
    Cli.Result jdbc = Cli.run(paths.export(100, 149, 50, "--catalog-type", "jdbc",
        "--catalog-uri", "jdbc:postgresql://127.0.0.1:1/iceberg",
        "--catalog-warehouse", work.resolve("lake").toString(),
        "--catalog-property", "jdbc.user=arexport",
        "--catalog-property", "jdbc.password=" + SECRET));
    assertOneLine(jdbc, 1, "cannot open jdbc catalog ar_io at jdbc:postgresql://127.0.0.1:1");
    Cli.Result rest = Cli.run(paths.export(100, 149, 50, "--catalog-type", "rest",
        "--catalog-uri", "http://127.0.0.1:1/catalog",
        "--catalog-property", "token=" + SECRET));
    assertOneLine(rest, 1, "cannot open rest catalog ar_io at http://127.0.0.1:1/catalog");
    assertThat(Files.exists(work.resolve("lake"))).isFalse();
  }

  @Test
  void tableWithAnotherSchemaIsRefusedBeforeAnythingIsCreated(@TempDir Path work) {
    LocalCatalog catalog = LocalCatalog.in(work);
    try (JdbcCatalog other = new JdbcCatalog()) {
      other.setConf(new Configuration());
      other.initialize(CatalogSpec.DEFAULT_NAME, Map.of(CatalogProperties.URI, catalog.uri(),
          CatalogProperties.WAREHOUSE_LOCATION, catalog.warehouse().toString()));
      other.createNamespace(Namespace.of("default"));
      other.createTable(TableIdentifier.of("default", "tags"),
          new Schema(Types.NestedField.required(1, "height", Types.StringType.get())),
          PartitionSpec.unpartitioned());
    }
    Cli.Result result = Cli.run(catalog.with(ExportArgs.of(sources, work).export(100, 149, 50)));
    assertOneLine(result, 3, "table default.tags in jdbc catalog ar_io",
        "has another schema");
    try (JdbcCatalog reader = new JdbcCatalog()) {
      reader.setConf(new Configuration());
      reader.initialize(CatalogSpec.DEFAULT_NAME, Map.of(CatalogProperties.URI, catalog.uri(),
          CatalogProperties.WAREHOUSE_LOCATION, catalog.warehouse().toString()));
      assertThat(reader.listTables(Namespace.of("default")))
          .containsExactly(TableIdentifier.of("default", "tags"));
      assertThat(reader.loadTable(TableIdentifier.of("default", "tags")).currentSnapshot())
          .isNull();
    }
  }

  @Test
  void resumeCommandAndSummaryShowNoSecret(@TempDir Path work) {
    LocalCatalog catalog = LocalCatalog.in(work);
    List<String> args = new ArrayList<>(List.of(catalog.with(ExportArgs.of(sources, work)
        .export(100, 199, 50, "--json"))));
    args.addAll(List.of("--catalog-property", "s3.secret-access-key=" + SECRET,
        "--catalog-property", "token=" + SECRET));
    // A stop requested once the run is under way (after its first polls): it stops while writing
    // its first partition and prints the resume command.
    AtomicInteger polls = new AtomicInteger();
    Cli.Result stopped = Cli.run(() -> polls.incrementAndGet() > 2, Map.of(),
        args.toArray(String[]::new));
    assertThat(stopped.status()).as(stopped.err()).isEqualTo(1);
    assertThat(stopped.err()).contains("resume with: arexport export",
        "--catalog-type jdbc", "--catalog-property 's3.secret-access-key=****'",
        "--catalog-property 'token=****'").doesNotContain(SECRET);
    Cli.Result done = Cli.run(args.toArray(String[]::new));
    assertThat(done.status()).as(done.err()).isZero();
    assertThat(done.out() + done.err()).doesNotContain(SECRET);
  }

  /**
   * --stacktrace prints the cause chain, where a JDBC driver's exception names the URL as given:
   * its password (query parameter or user-info) and the secret properties must not be in it,
   * from the command line or from a --catalog-config file.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"jdbc:postgresql://127.0.0.1:1/iceberg?user=ario&password=SECRET",
      "jdbc:postgresql://ario:SECRET@127.0.0.1:1/iceberg"})
  void theStackTraceOfAnUnreachableCatalogNamesNoSecret(String uriTemplate, @TempDir Path work)
      throws Exception {
    String uri = uriTemplate.replace("SECRET", SECRET);
    Path config = Files.writeString(work.resolve("catalog.properties"),
        "uri=" + uri + "\njdbc.password=" + SECRET + "-file\n");
    for (List<String> catalog : List.of(
        List.of("--catalog-uri", uri, "--catalog-property", "token=" + SECRET + "-option"),
        List.of("--catalog-config", config.toString()))) {
      List<String> args = new ArrayList<>(List.of(ExportArgs.of(sources, work)
          .export(100, 199, 50, "--stacktrace", "--catalog-type", "jdbc",
              "--catalog-warehouse", work.resolve("lake").toString())));
      args.addAll(catalog);

      Cli.Result result = Cli.run(args.toArray(String[]::new));

      // pgjdbc takes no user-info (it reads it as the host): refused before connecting, exit 2.
      boolean userInfo = uri.contains("@");
      assertThat(result.status()).as(result.err()).isEqualTo(userInfo ? 2 : 1);
      assertThat(result.err()).contains("\tat ").contains(userInfo ? "\tat " : "Caused by: ")
          .doesNotContain(SECRET);
    }
  }

  static void assertOneLine(Cli.Result result, int status, String... contains) {
    assertOneLineWith(result, status, List.of(SECRET), contains);
  }

  /** One "arexport: " line containing {@code contains}, and none of {@code secrets} anywhere. */
  static void assertOneLineWith(Cli.Result result, int status, List<String> secrets,
      String... contains) {
    assertThat(result.status()).as(result.err()).isEqualTo(status);
    List<String> lines = result.errLines().stream().filter(l -> l.startsWith("arexport: "))
        .toList();
    assertThat(lines).as(result.err()).hasSize(1);
    assertThat(lines.get(0)).contains(contains);
    for (String secret : secrets) {
      assertThat(result.out() + result.err()).doesNotContain(secret);
    }
  }
}
