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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * S3 credentials from the AWS SDK's default chain (issue 7): a catalog-mode export in a child JVM
 * whose options carry no {@code s3.access-key-id}, {@code s3.secret-access-key} or {@code
 * client.region}, against s3proxy checking signatures. With the key pair and region in the
 * environment ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_REGION}) or
 * in a profile file ({@code AWS_SHARED_CREDENTIALS_FILE}, {@code AWS_PROFILE}, region from
 * {@code AWS_CONFIG_FILE}) the tables equal the source; with a wrong secret in the environment
 * the run is one line, exit 2, and nothing is committed. No secret is printed.
 */
@ExtendWith(LakehouseServices.class)
class ServiceCatalogCredentialsTest {
  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  /**
   * The child's AWS environment: only what a test gives, so nothing of the machine's (a
   * ~/.aws of the user running the tests, instance metadata) can stand in for it.
   */
  private static Map<String, String> awsEnvironment(Path work, Map<String, String> given) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("no-credentials").toString());
    env.put("AWS_CONFIG_FILE", work.resolve("no-config").toString());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.putAll(given);
    return env;
  }

  private static Cli.Result export(ServiceCatalog catalog, Path work, Map<String, String> env)
      throws Exception {
    String[] args = catalog.withoutS3Credentials().with(ExportArgs.of(sources, work)
        .export(100, 199, 50, "--includeL1Transactions", "--includeL1Tags"));
    assertThat(String.join(" ", args)).doesNotContain("s3.access-key-id", "s3.secret-access-key",
        "client.region");
    try (ChildJvm child = ChildJvm.start(List.of("-Xmx384m"), awsEnvironment(work, env), work,
        args)) {
      int status = child.waitFor(300);
      return new Cli.Result(status, child.out(), child.err());
    }
  }

  @Test
  void keysFromTheEnvironmentReachS3(@TempDir Path work, PostgresService postgres,
      S3ProxyService s3) throws Exception {
    ServiceCatalog catalog = ServiceCatalog.jdbc(postgres, s3);
    Cli.Result result = export(catalog, work, Map.of(
        "AWS_ACCESS_KEY_ID", s3.accessKeyId(),
        "AWS_SECRET_ACCESS_KEY", s3.secretAccessKey(),
        "AWS_REGION", S3ProxyService.REGION));
    assertThat(result.status()).as(result.err()).isZero();
    ServiceCatalogExportTest.assertNoSecret(catalog, result.out(), result.err());
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 199));
    assertThat(catalog.unreferencedObjects()).isEmpty();
  }

  @Test
  void keysFromAProfileFileReachS3ThroughRest(@TempDir Path work, S3ProxyService s3,
      RestCatalogService rest) throws Exception {
    ServiceCatalog catalog = ServiceCatalog.rest(rest, s3);
    Path credentials = work.resolve("credentials");
    Files.writeString(credentials, String.join("\n", "[arexport-test]",
        "aws_access_key_id = " + s3.accessKeyId(),
        "aws_secret_access_key = " + s3.secretAccessKey(), ""), StandardCharsets.UTF_8);
    Path config = work.resolve("config");
    Files.writeString(config, String.join("\n", "[profile arexport-test]",
        "region = " + S3ProxyService.REGION, ""), StandardCharsets.UTF_8);
    Cli.Result result = export(catalog, work, Map.of(
        "AWS_SHARED_CREDENTIALS_FILE", credentials.toString(),
        "AWS_CONFIG_FILE", config.toString(),
        "AWS_PROFILE", "arexport-test"));
    assertThat(result.status()).as(result.err()).isZero();
    ServiceCatalogExportTest.assertNoSecret(catalog, result.out(), result.err());
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 199));
    assertThat(catalog.unreferencedObjects()).isEmpty();
  }

  /**
   * An OAuth2 client credential for the REST catalog: the child exchanges it at the catalog's
   * token endpoint (the server answers {@code v1/oauth/tokens}; a wrong endpoint fails the run),
   * and logs no WARN line about inferring the auth type or the endpoint (arexport says what
   * Iceberg would infer). The secret half of the credential is printed nowhere.
   */
  @Test
  void anOAuth2CredentialIsExchangedAtTheCatalogWithoutAWarning(@TempDir Path work,
      S3ProxyService s3, RestCatalogService rest) throws Exception {
    ServiceCatalog catalog = ServiceCatalog.rest(rest, s3);
    String secret = "Cl1entSecret-" + System.nanoTime();
    List<String> args = new ArrayList<>(List.of(catalog.with(ExportArgs.of(sources, work)
        .export(100, 149, 50, "--includeL1Transactions", "--includeL1Tags"))));
    args.addAll(List.of("--catalog-property", "credential=arexport-test:" + secret));
    Cli.Result result;
    try (ChildJvm child = ChildJvm.start(List.of("-Xmx384m"), Map.of(), work,
        args.toArray(String[]::new))) {
      result = new Cli.Result(child.waitFor(300), child.out(), child.err());
    }
    assertThat(result.status()).as(result.err()).isZero();
    assertThat(result.errLines()).as(result.err()).noneMatch(l -> l.contains("WARN"));
    assertThat(result.out() + result.err()).doesNotContain(secret);
    ServiceCatalogExportTest.assertNoSecret(catalog, result.out(), result.err());
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 149));
  }

  /**
   * JdbcCatalog: this process writes the metadata, so the refusal comes at the first table's
   * creation. REST: the server writes metadata with its own credentials, so the table's creation
   * is staged and this process reads the new table's storage before committing it. Either way:
   * one line, exit 2, no table (the namespace the run created is dropped again), nothing written
   * to the bucket, no staging job.
   */
  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"jdbc", "rest"})
  void aWrongSecretInTheEnvironmentIsOneLineExitTwoAndCommitsNothing(String kind,
      @TempDir Path work, PostgresService postgres, S3ProxyService s3, RestCatalogService rest)
      throws Exception {
    ServiceCatalog catalog = ServiceCatalogExportTest.catalog(kind, postgres, s3, rest);
    String wrong = "Wr0ngEnvSecret-" + System.nanoTime();
    Cli.Result result = export(catalog, work, Map.of(
        "AWS_ACCESS_KEY_ID", s3.accessKeyId(),
        "AWS_SECRET_ACCESS_KEY", wrong,
        "AWS_REGION", S3ProxyService.REGION));
    assertThat(result.status()).as(result.err()).isEqualTo(2);
    ServiceCatalogExportTest.assertNoSecret(catalog, result.out(), result.err());
    assertThat(result.out() + result.err()).doesNotContain(wrong);
    assertThat(result.errLines()).as(result.err()).singleElement().asString()
        .startsWith("arexport: the object store refused the credentials")
        .doesNotContain("(null)");

    Catalog reader = CatalogUtil.buildIcebergCatalog("ar_io", catalog.clientProperties(),
        new Configuration());
    try {
      Namespace namespace = Namespace.of(catalog.namespace());
      if (kind.equals("rest")) {
        assertThat(((SupportsNamespaces) reader).namespaceExists(namespace))
            .as("the namespace the refused run created is dropped").isFalse();
      } else if (((SupportsNamespaces) reader).namespaceExists(namespace)) {
        assertThat(reader.listTables(namespace)).as("no table created").isEmpty();
      }
    } finally {
      ((AutoCloseable) reader).close();
    }
    String prefix = kind.equals("rest") ? catalog.namespace() + "/" : "";
    assertThat(s3.listKeys(catalog.bucket(), prefix)).as("nothing written").isEmpty();
    assertThat(Files.exists(work.resolve("staging")) ? Files.list(work.resolve("staging"))
        .filter(p -> p.getFileName().toString().startsWith("job-")).count() : 0)
        .as("no staging job").isZero();
  }
}
