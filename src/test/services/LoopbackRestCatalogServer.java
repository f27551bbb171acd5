/*
 * Iceberg's REST catalog test server, bound to one host (loopback) and any port.
 *
 * Run as a Java source-file program against the iceberg-open-api 1.10.1 jar (its Main-Class,
 * org.apache.iceberg.rest.RESTCatalogServer, always binds 0.0.0.0:<rest.port>, with SO_REUSEPORT):
 *
 *   java -cp iceberg-open-api-1.10.1.jar:postgresql.jar LoopbackRestCatalogServer.java 127.0.0.1 0
 *
 * It is the same server, assembled from the same public classes: the backend catalog is built
 * from the CATALOG_* environment variables exactly as RESTCatalogServer does it (CATALOG_URI ->
 * uri, CATALOG_IO__IMPL -> io-impl, CATALOG_JDBC_USER -> jdbc.user, ...), a JdbcCatalog unless
 * CATALOG_CATALOG__IMPL says otherwise, served by RESTCatalogAdapter + RESTCatalogServlet on
 * Jetty. Once it listens it prints one line "listening on http://HOST:PORT" to stdout (port 0
 * asks the system for a free one, so there is no race with another process), and it exits when
 * its standard input reaches end of file: the process that started it owns the write end, so
 * the server cannot outlive it.
 *
 * Used by the Java tests (io.arexport.testing.services.RestCatalogService) and the interop
 * matrix (interop/services.py). Not part of arexport.
 */

import java.io.InputStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.rest.RESTCatalogAdapter;
import org.apache.iceberg.rest.RESTCatalogServlet;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.gzip.GzipHandler;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

public final class LoopbackRestCatalogServer {
  private static final String ENV_PREFIX = "CATALOG_";

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: LoopbackRestCatalogServer HOST PORT (CATALOG_* environment)");
      System.exit(2);
    }
    String host = args[0];
    int port = Integer.parseInt(args[1]);

    Map<String, String> properties = catalogPropertiesFromEnvironment();
    properties.putIfAbsent(CatalogProperties.CATALOG_IMPL, JdbcCatalog.class.getName());
    properties.putIfAbsent("jdbc.schema-version", "V1");
    for (String required : new String[] {CatalogProperties.URI, CatalogProperties.WAREHOUSE_LOCATION}) {
      if (!properties.containsKey(required)) {
        System.err.println("LoopbackRestCatalogServer: the catalog property " + required
            + " is not set (environment CATALOG_" + required.toUpperCase(Locale.ROOT) + ")");
        System.exit(2);
      }
    }
    String name = properties.getOrDefault("catalog.name", "rest_backend");
    Catalog backend = CatalogUtil.buildIcebergCatalog(name, properties, new Configuration());

    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.addServlet(new ServletHolder(new RESTCatalogServlet(new RESTCatalogAdapter(backend))), "/*");
    context.insertHandler(new GzipHandler());

    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(context);
    server.start();

    Thread watchdog = new Thread(() -> exitAtEndOfInput(server), "stdin-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();

    System.out.println("listening on http://" + host + ":" + connector.getLocalPort());
    System.out.flush();
    server.join();
  }

  /** The same mapping as the server's RCKUtils.environmentCatalogConfig (not public there). */
  private static Map<String, String> catalogPropertiesFromEnvironment() {
    Map<String, String> properties = new HashMap<>();
    System.getenv().forEach((key, value) -> {
      if (key.startsWith(ENV_PREFIX)) {
        String property = key.substring(ENV_PREFIX.length()).replace("__", "-").replace("_", ".")
            .toLowerCase(Locale.ROOT);
        properties.put(property, value);
      }
    });
    return properties;
  }

  private static void exitAtEndOfInput(Server server) {
    try {
      InputStream in = System.in;
      byte[] buffer = new byte[256];
      while (in.read(buffer) >= 0) {
        // the parent writes nothing; only end of file (the parent has gone) matters
      }
    } catch (Exception ignored) {
      // a broken stdin means the parent has gone too
    }
    try {
      server.stop();
    } catch (Exception ignored) {
      // exiting anyway
    }
    System.exit(0);
  }
}
