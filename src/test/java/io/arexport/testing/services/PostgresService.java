package io.arexport.testing.services;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster from the Debian {@code postgresql} package: {@code initdb} in a
 * scratch directory, the postmaster in the foreground as a child process on a loopback port
 * (its Unix socket in the scratch directory too, not /var/run/postgresql), one password user
 * (scram-sha-256 over TCP) that owns the databases the tests create. Stopped (fast shutdown)
 * and deleted by {@link #close()}.
 *
 * <p>PostgreSQL refuses to run as root; when the tests run as root (CI), initdb and the server
 * run as the {@code postgres} user that the package creates, through setpriv.
 */
public final class PostgresService implements AutoCloseable {
  static final String OS_USER = "postgres";
  private static final String SUPERUSER = "postgres";
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  private final Path dir;
  private final Path socketDir;
  private final Path binDir;
  private final ServiceProcess process;
  private final int port;
  private final String user;
  private final String password;
  private final AtomicInteger databases = new AtomicInteger();

  private PostgresService(Path dir, Path socketDir, Path binDir, ServiceProcess process, int port,
      String user, String password) {
    this.dir = dir;
    this.socketDir = socketDir;
    this.binDir = binDir;
    this.process = process;
    this.port = port;
    this.user = user;
    this.password = password;
  }

  /** initdb, start, wait until it accepts connections, create the password user. */
  public static PostgresService start() {
    Path binDir = binDir();
    Path dir = ServiceFiles.scratchDirectory("postgres-");
    Optional<String> osUser = ServiceProcess.isRoot() ? Optional.of(OS_USER) : Optional.empty();
    ServiceProcess process = null;
    try {
      Path socketDir = Files.createDirectories(dir.resolve("socket"));
      Path data = dir.resolve("data");
      if (osUser.isPresent()) {
        chown(dir, OS_USER);
        chown(socketDir, OS_USER);
      }
      ServiceProcess.runToCompletion("initdb", List.of(binDir.resolve("initdb").toString(),
          "-D", data.toString(), "-U", SUPERUSER, "-E", "UTF8", "--locale=C", "--no-sync",
          "--auth-local=trust", "--auth-host=scram-sha-256"), dir, osUser, Duration.ofMinutes(2));
      int port = ServiceFiles.freeLoopbackPort();
      process = ServiceProcess.start("postgres", List.of(binDir.resolve("postgres").toString(),
          "-D", data.toString(), "-p", Integer.toString(port), "-h", "127.0.0.1",
          "-k", socketDir.toString(),
          // A throwaway cluster: durability is not what the tests check, speed is welcome.
          "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
          "-c", "max_connections=200", "-c", "log_min_messages=warning"),
          dir, dir.resolve("postgres.log"), Map.of(), osUser);
      ServiceProcess started = process;
      // The socket appears before the server accepts sessions ("starting up"): ask pg_isready.
      process.awaitReady(Duration.ofSeconds(60), () -> ServiceFiles.listening(port)
          && accepting(binDir, socketDir, port));
      String user = "arexport_test";
      String password = HexFormat.of().formatHex(S3ProxyService.randomBytes(new SecureRandom(), 16));
      PostgresService service = new PostgresService(dir, socketDir, binDir, started, port, user, password);
      service.psql("CREATE ROLE " + user + " LOGIN PASSWORD '" + password + "'");
      return service;
    } catch (IOException e) {
      cleanUpAfterFailedStart(process, dir);
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      cleanUpAfterFailedStart(process, dir);
      throw e;
    }
  }

  private static void cleanUpAfterFailedStart(ServiceProcess process, Path dir) {
    if (process != null) {
      process.close();
    }
    ServiceFiles.deleteRecursively(dir);
  }

  private static boolean accepting(Path binDir, Path socketDir, int port) {
    try {
      ServiceProcess.runToCompletion("pg_isready", List.of(binDir.resolve("pg_isready").toString(),
          "-q", "-h", socketDir.toString(), "-p", Integer.toString(port)),
          socketDir.getParent(), Optional.empty(), Duration.ofSeconds(10));
      return true;
    } catch (IllegalStateException notYet) {
      return false;
    }
  }

  /** The newest /usr/lib/postgresql/N/bin (Debian), else the directory of initdb on PATH. */
  static Path binDir() {
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        Optional<Path> newest = versions
            .filter(v -> v.getFileName().toString().matches("\\d+"))
            .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
            .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())));
        if (newest.isPresent()) {
          return newest.get().resolve("bin");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path initdb = Path.of(entry.isEmpty() ? "." : entry, "initdb");
      if (Files.isExecutable(initdb) && Files.isExecutable(initdb.resolveSibling("postgres"))) {
        return initdb.getParent();
      }
    }
    throw new IllegalStateException("PostgreSQL is not installed (no initdb): on Debian,"
        + " apt-get install -y postgresql (.ci/run does it)");
  }

  private static void chown(Path path, String osUser) throws IOException {
    UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
    Files.setOwner(path, lookup.lookupPrincipalByName(osUser));
  }

  /** Runs SQL as the superuser over the Unix socket (psql -v ON_ERROR_STOP=1). */
  public String psql(String sql) {
    return ServiceProcess.runToCompletion("psql", List.of(binDir.resolve("psql").toString(),
        "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", socketDir.toString(), "-p",
        Integer.toString(port), "-U", SUPERUSER, "-d", "postgres", "-At", "-c", sql),
        dir, ServiceProcess.isRoot() ? Optional.of(OS_USER) : Optional.empty(),
        Duration.ofMinutes(1));
  }

  /** Creates a database owned by the password user; returns its JDBC URL. */
  public String createDatabase(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("database name " + name + " must match " + NAME);
    }
    psql("CREATE DATABASE " + name + " OWNER " + user);
    databases.incrementAndGet();
    return jdbcUrl(name);
  }

  /** A database with a fresh name (db_1, db_2, ...) owned by the password user. */
  public String createDatabase() {
    return createDatabase("db_" + (databases.get() + 1) + "_" + Long.toHexString(System.nanoTime() & 0xffffff));
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  public int port() {
    return port;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /** A JDBC connection as the password user, over TCP. */
  public Connection connect(String jdbcUrl) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    return DriverManager.getConnection(jdbcUrl, props);
  }

  /** Iceberg JdbcCatalog properties for a database of this cluster (jdbc.user, jdbc.password). */
  public Map<String, String> jdbcCatalogProperties() {
    return Map.of("jdbc.user", user, "jdbc.password", password);
  }

  /** The server's log (for failure messages). */
  public String logTail() {
    return process.logTail();
  }

  @Override
  public void close() {
    try {
      process.signal("INT");  // fast shutdown: ends sessions, checkpoints, exits
      process.stop(Duration.ofSeconds(20));
    } finally {
      process.close();
      ServiceFiles.deleteRecursively(dir);
    }
  }
}
