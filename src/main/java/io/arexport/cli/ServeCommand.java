package io.arexport.cli;

import io.arexport.serve.ServeRequest;
import io.arexport.serve.WarehouseServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code arexport serve}: options to a validated {@link ServeRequest}, then {@link
 * WarehouseServer} until SIGINT/SIGTERM (or, in-process, until its thread is interrupted).
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    header = "Serves a warehouse read-only over HTTP for remote Iceberg and Parquet readers.",
    description = "Lets DuckDB (httpfs), PyIceberg, Spark and other readers query the warehouse"
        + " remotely: GET and HEAD, single byte ranges, ETag and Last-Modified. Dotfiles"
        + " (.arexport), staging directories and anything outside the warehouse are never"
        + " served. Directories are listed only with --list-directories, as HTML or, for"
        + " 'Accept: application/json', as a JSON array of names. Prints the URL on stdout once"
        + " listening and one access-log line per request on stderr; runs until SIGINT or"
        + " SIGTERM.",
    footer = {
        "",
        "Examples:",
        "  # Serve data/datasets/default at http://127.0.0.1:8080/local/datasets/default",
        "  arexport serve",
        "",
        "  # Any free port; then metadata whose paths point at the server",
        "  arexport serve --warehouseDir /srv/warehouse --port 0",
        "  arexport metadata --datasets-dir /srv/warehouse \\",
        "      --datasets-root http://127.0.0.1:PORT/local/datasets/default",
        "",
        "  # Share on the network under /datasets (anyone who can reach it can read)",
        "  arexport serve --bind 0.0.0.0 --port 4000 --base-path /datasets",
        "",
        "  # Browse it: directory listings, as HTML or JSON",
        "  arexport serve --list-directories",
        "  curl -H 'Accept: application/json' \\",
        "      http://127.0.0.1:8080/local/datasets/default/blocks/data/",
        "",
        "Exit status: 2 usage or invalid input (missing warehouse, bad option), 1 cannot"
            + " listen (e.g. port in use); stopped by SIGINT or SIGTERM it exits as the JVM"
            + " does on a signal (130, 143)."})
final class ServeCommand implements Callable<Integer> {
  /** How long requests in flight may finish after SIGINT/SIGTERM. */
  private static final Duration DRAIN = Duration.ofSeconds(1);

  private final CommandEnvironment environment;

  @Option(names = {"--warehouseDir", "--warehouse-dir", "--datasets-dir"}, paramLabel = "DIR",
      defaultValue = "data/datasets/default",
      description = "Warehouse to serve (default: ${DEFAULT-VALUE}).")
  Path warehouseDir;

  @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "Address to listen on; 0.0.0.0 for all interfaces (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
      description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = {"--base-path", "--basePath"}, paramLabel = "PATH",
      defaultValue = "/local/datasets/default",
      description = "URL path the warehouse root appears under, as the gateway serves it;"
          + " '/' for the root (default: ${DEFAULT-VALUE}).")
  String basePath;

  @Option(names = "--list-directories",
      description = "List directories (HTML, or a JSON array of names for 'Accept:"
          + " application/json'), as the gateway's datasets endpoint does. Dotfiles, staging"
          + " and links leading out of the warehouse are never listed. Off by default.")
  boolean listDirectories;

  @Mixin StacktraceOption stacktrace = new StacktraceOption();

  ServeCommand(CommandEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() {
    ServeRequest request = new ServeRequest(warehouseDir, bind, port, basePath,
        listDirectories);
    WarehouseServer server = WarehouseServer.start(request, environment.err(), environment.clock());
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop(server, DRAIN);
      stopped.countDown();
    }, "arexport-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    if (!server.address().getAddress().isLoopbackAddress()) {
      environment.err().println("arexport: warning: listening on " + server.address().getAddress()
          .getHostAddress() + ", not a loopback address: anyone who can reach it can read "
          + server.root());
    }
    environment.out().println("serving " + server.root() + " at " + server.baseUri());
    environment.out().flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      // In-process callers (tests) stop the command by interrupting its thread.
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is already stopping the server.
      }
      stop(server, Duration.ZERO);
      Thread.currentThread().interrupt();
    }
    return ExitCodes.OK;
  }

  private void stop(WarehouseServer server, Duration drain) {
    server.stop(drain);
    environment.err().println("arexport: stopped serving " + server.root());
    environment.err().flush();
  }
}
