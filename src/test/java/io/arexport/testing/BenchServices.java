package io.arexport.testing;

import io.arexport.testing.services.PostgresService;
import io.arexport.testing.services.RestCatalogService;
import io.arexport.testing.services.S3ProxyService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The lakehouse services for {@code scripts/bench-export --catalog}, run from the test classpath:
 * s3proxy (signatures on), a throwaway PostgreSQL cluster and Iceberg's REST catalog server
 * backed by it, all on 127.0.0.1 (the same {@code testing.services} classes the tests use).
 *
 * <pre>
 *   java -cp target/test-classes:... io.arexport.testing.BenchServices DIR
 * </pre>
 *
 * writes {@code DIR/rest.properties} (REST catalog, tables in bucket {@code bench-rest}) and
 * {@code DIR/jdbc.properties} (JdbcCatalog on a database of the cluster, tables in bucket
 * {@code bench-jdbc}), each mode 0600 and holding the S3 key pair and database password, for
 * {@code arexport --catalog-config FILE}; then prints one line {@code ready rest=URI s3=URI} on
 * stdout (no secret) and serves until its standard input ends (the script closes it, or dies)
 * or it is signalled, then deletes the two files, stops every service and deletes their
 * scratch directories.
 */
public final class BenchServices {
  private BenchServices() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: BenchServices DIR");
      System.exit(2);
    }
    Path dir = Files.createDirectories(Path.of(args[0]));
    // Closed newest first: the secret-bearing configs, then the REST server, PostgreSQL, s3proxy.
    Deque<AutoCloseable> started = new ArrayDeque<>();
    Thread stopper = new Thread(() -> stopAll(started), "bench-services-stop");
    Runtime.getRuntime().addShutdownHook(stopper);

    S3ProxyService s3 = S3ProxyService.start();
    push(started, s3);
    PostgresService postgres = PostgresService.start();
    push(started, postgres);
    RestCatalogService rest = RestCatalogService.start(postgres, s3, "bench-rest");
    push(started, rest);
    Path restFile = dir.resolve("rest.properties");
    Path jdbcFile = dir.resolve("jdbc.properties");
    push(started, () -> {
      Files.deleteIfExists(restFile);
      Files.deleteIfExists(jdbcFile);
    });

    Map<String, String> restConfig = new LinkedHashMap<>();
    restConfig.put("type", "rest");
    restConfig.put("uri", rest.uri().toString());
    restConfig.put("warehouse", rest.warehouse());
    restConfig.putAll(s3.fileIoProperties());
    writePrivateProperties(restFile, restConfig);

    Map<String, String> jdbcConfig = new LinkedHashMap<>();
    jdbcConfig.put("type", "jdbc");
    jdbcConfig.put("uri", postgres.createDatabase("bench_jdbc"));
    jdbcConfig.put("warehouse", s3.createBucket("bench-jdbc", "lake"));
    jdbcConfig.putAll(postgres.jdbcCatalogProperties());
    jdbcConfig.putAll(s3.fileIoProperties());
    writePrivateProperties(jdbcFile, jdbcConfig);

    System.out.println("ready rest=" + rest.uri() + " s3=" + s3.endpoint());
    System.out.flush();
    InputStream in = System.in;
    while (in.read() != -1) {
      // anything written is ignored: the services live until the end of stdin
    }
    stopAll(started);
  }

  private static void push(Deque<AutoCloseable> started, AutoCloseable resource) {
    synchronized (started) {
      started.push(resource);
    }
  }

  /** Closes everything started, newest first; safe to call twice (main and the hook). */
  private static void stopAll(Deque<AutoCloseable> started) {
    synchronized (started) {
      while (!started.isEmpty()) {
        AutoCloseable resource = started.pop();
        try {
          resource.close();
        } catch (Exception e) {
          System.err.println("BenchServices: stopping " + resource.getClass().getSimpleName()
              + " failed: " + e);
        }
      }
    }
  }

  /**
   * Writes a properties file readable by this user only (it holds secrets); values are plain
   * (URIs, keys, hex) so no escaping beyond {@code key=value} is needed.
   */
  private static void writePrivateProperties(Path file, Map<String, String> values) {
    try {
      Files.deleteIfExists(file);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------")));
      try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        for (Map.Entry<String, String> e : values.entrySet()) {
          w.write(e.getKey() + "=" + e.getValue() + "\n");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
