package io.arexport.testing.services;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Iceberg's REST catalog server ({@code org.apache.iceberg.rest} from iceberg-open-api 1.10.1, the
 * server behind the apache/iceberg-rest-fixture image) in a child JVM, on 127.0.0.1 and a port
 * the system picks, backed by a JdbcCatalog in a fresh database of {@link PostgresService}, with
 * table data and metadata in a bucket of {@link S3ProxyService} through S3FileIO.
 *
 * <p>The jar's own Main-Class binds 0.0.0.0:8181; src/test/services/LoopbackRestCatalogServer.java
 * (a source-file program run against the jar) assembles the same server on loopback, prints its
 * port, and exits when this JVM goes (end of its stdin). The jar has no PostgreSQL driver: the
 * one on the test classpath is added to the child's.
 */
public final class RestCatalogService implements AutoCloseable {
  static final String JAR_PROPERTY = "arexport.test.rest-catalog-jar";
  static final String JAR_FILE = "iceberg-open-api-1.10.1.jar";
  static final String LAUNCHER = "src/test/services/LoopbackRestCatalogServer.java";
  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");

  private final Path dir;
  private final ServiceProcess process;
  private final URI uri;
  private final String warehouse;
  private final String jdbcUrl;
  private final S3ProxyService s3;

  private RestCatalogService(Path dir, ServiceProcess process, URI uri, String warehouse,
      String jdbcUrl, S3ProxyService s3) {
    this.dir = dir;
    this.process = process;
    this.uri = uri;
    this.warehouse = warehouse;
    this.jdbcUrl = jdbcUrl;
    this.s3 = s3;
  }

  /**
   * Starts a server whose tables live under {@code s3://bucket/} (the bucket is created) and
   * whose catalog is a new database of {@code postgres}; returns once GET /v1/config answers 200.
   */
  public static RestCatalogService start(PostgresService postgres, S3ProxyService s3, String bucket) {
    Path jar = ServiceFiles.artifact(JAR_PROPERTY, JAR_FILE);
    Path launcher = ServiceFiles.projectFile(LAUNCHER);
    Path driver = jarOf(org.postgresql.Driver.class);
    String warehouse = s3.createBucket(bucket, "");
    String jdbcUrl = postgres.createDatabase();
    Path dir = ServiceFiles.scratchDirectory("rest-catalog-");
    Map<String, String> env = new LinkedHashMap<>();
    env.put("CATALOG_URI", jdbcUrl);
    env.put("CATALOG_JDBC_USER", postgres.user());
    env.put("CATALOG_JDBC_PASSWORD", postgres.password());
    env.put("CATALOG_WAREHOUSE", warehouse);
    env.put("CATALOG_IO__IMPL", "org.apache.iceberg.aws.s3.S3FileIO");
    env.put("CATALOG_S3_ENDPOINT", s3.endpoint().toString());
    env.put("CATALOG_S3_PATH__STYLE__ACCESS", "true");
    env.put("CATALOG_S3_ACCESS__KEY__ID", s3.accessKeyId());
    env.put("CATALOG_S3_SECRET__ACCESS__KEY", s3.secretAccessKey());
    env.put("CATALOG_CLIENT_REGION", S3ProxyService.REGION);
    env.put("AWS_REGION", S3ProxyService.REGION);
    ServiceProcess process = ServiceProcess.start("rest-catalog",
        List.of(S3ProxyService.javaExecutable(), "-Xmx512m",
            "-cp", jar + java.io.File.pathSeparator + driver,
            launcher.toString(), "127.0.0.1", "0"),
        dir, dir.resolve("rest-catalog.log"), env, Optional.empty());
    try {
      URI[] found = new URI[1];
      process.awaitReady(Duration.ofSeconds(120), () -> {
        found[0] = listeningUri(process.log());
        return found[0] != null && configAnswers(found[0]);
      });
      return new RestCatalogService(dir, process, found[0], warehouse, jdbcUrl, s3);
    } catch (RuntimeException e) {
      process.close();
      ServiceFiles.deleteRecursively(dir);
      throw e;
    }
  }

  static Path jarOf(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the jar of " + type, e);
    }
  }

  private static URI listeningUri(Path log) {
    try {
      Matcher m = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
      return m.find() ? URI.create(m.group(1)) : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static boolean configAnswers(URI base) {
    try {
      HttpResponse<Void> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(base.resolve("/v1/config")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The catalog's base URI, e.g. http://127.0.0.1:40123 (what --catalog-uri takes). */
  public URI uri() {
    return uri;
  }

  /** Where the server puts tables: s3://bucket (the server decides table locations). */
  public String warehouse() {
    return warehouse;
  }

  /** The JDBC URL of the server's backing database (to look at its iceberg_tables rows). */
  public String backingJdbcUrl() {
    return jdbcUrl;
  }

  /** Properties for an Iceberg RESTCatalog client: uri + S3FileIO settings of the store. */
  public Map<String, String> clientProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("uri", uri.toString());
    p.put("warehouse", warehouse);
    p.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    p.putAll(s3.fileIoProperties());
    return p;
  }

  /**
   * arexport's options for this catalog (issue 7): --catalog-type rest --catalog-uri ...
   * --catalog-warehouse ... and the S3 settings as --catalog-property.
   */
  public List<String> catalogArgs() {
    List<String> args = new ArrayList<>(List.of("--catalog-type", "rest",
        "--catalog-uri", uri.toString(), "--catalog-warehouse", warehouse));
    args.addAll(s3.catalogPropertyArgs());
    return args;
  }

  public String logTail() {
    return process.logTail();
  }

  @Override
  public void close() {
    try {
      process.close();
    } finally {
      ServiceFiles.deleteRecursively(dir);
    }
  }
}
