package io.arexport.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.catalog.CatalogSpec;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.services.LakehouseServices;
import io.arexport.testing.services.PostgresService;
import io.arexport.testing.services.S3ProxyService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input against the real services (JdbcCatalog on PostgreSQL, s3proxy with signature
 * checking): a wrong S3 secret, a wrong database password, a bucket that does not exist. Each is
 * one line naming the problem, exit 2, no table committed, the secret never printed.
 */
@ExtendWith(LakehouseServices.class)
class ServiceCatalogBadInputTest {
  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  @Test
  void wrongS3SecretIsRefused(@TempDir Path work, PostgresService postgres, S3ProxyService s3) {
    String url = postgres.createDatabase();
    String warehouse = s3.createBucket(LakehouseServices.uniqueName("bad"), "lake");
    String wrong = "Wr0ngSecretValue-" + System.nanoTime();
    Cli.Result result = Cli.run(args(work, url, warehouse, postgres.user(), postgres.password(),
        s3, wrong));
    CatalogBadInputTest.assertOneLineWith(result, 2, List.of(wrong, postgres.password(),
        s3.secretAccessKey()), "the object store refused the credentials");
    assertNoTables(url, warehouse, postgres);
  }

  @Test
  void wrongDatabasePasswordIsRefused(@TempDir Path work, PostgresService postgres,
      S3ProxyService s3) {
    String url = postgres.createDatabase();
    String warehouse = s3.createBucket(LakehouseServices.uniqueName("bad"), "lake");
    String wrong = "Wr0ngPassword-" + System.nanoTime();
    Cli.Result result = Cli.run(args(work, url, warehouse, postgres.user(), wrong, s3,
        s3.secretAccessKey()));
    CatalogBadInputTest.assertOneLineWith(result, 2, List.of(wrong, s3.secretAccessKey()),
        "the catalog database refused the credentials");
  }

  @Test
  void missingBucketIsRefused(@TempDir Path work, PostgresService postgres, S3ProxyService s3) {
    String url = postgres.createDatabase();
    String warehouse = "s3://" + LakehouseServices.uniqueName("absent") + "/lake";
    Cli.Result result = Cli.run(args(work, url, warehouse, postgres.user(), postgres.password(),
        s3, s3.secretAccessKey()));
    CatalogBadInputTest.assertOneLineWith(result, 2, List.of(postgres.password(),
        s3.secretAccessKey()), "the bucket does not exist");
    assertNoTables(url, warehouse, postgres);
  }

  private static String[] args(Path work, String url, String warehouse, String user,
      String password, S3ProxyService s3, String secret) {
    List<String> args = new ArrayList<>(List.of(ExportArgs.of(sources, work)
        .export(100, 149, 50)));
    args.addAll(List.of("--catalog-type", "jdbc", "--catalog-uri", url,
        "--catalog-warehouse", warehouse,
        "--catalog-property", "jdbc.user=" + user,
        "--catalog-property", "jdbc.password=" + password,
        "--catalog-property", "s3.endpoint=" + s3.endpoint(),
        "--catalog-property", "s3.path-style-access=true",
        "--catalog-property", "s3.access-key-id=" + s3.accessKeyId(),
        "--catalog-property", "s3.secret-access-key=" + secret,
        "--catalog-property", "client.region=" + S3ProxyService.REGION));
    return args.toArray(String[]::new);
  }

  private static void assertNoTables(String url, String warehouse, PostgresService postgres) {
    try (JdbcCatalog catalog = new JdbcCatalog()) {
      catalog.setConf(new Configuration());
      Map<String, String> properties = new java.util.HashMap<>(postgres.jdbcCatalogProperties());
      properties.put("uri", url);
      properties.put("warehouse", warehouse);
      catalog.initialize(CatalogSpec.DEFAULT_NAME, properties);
      if (catalog.namespaceExists(Namespace.of("default"))) {
        assertThat(catalog.listTables(Namespace.of("default"))).isEmpty();
      }
    }
  }
}
