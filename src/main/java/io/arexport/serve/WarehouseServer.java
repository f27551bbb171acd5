package io.arexport.serve;

import com.sun.net.httpserver.HttpServer;
import io.arexport.InvalidInputException;
import io.arexport.RuntimeFailureException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A read-only HTTP server for one warehouse, on the JDK's built-in {@link HttpServer}: files
 * under the warehouse root appear under the request's base path, with the rules of {@link
 * WarehousePaths} and the HTTP semantics of {@link FileHandler}. Requests run on a fixed pool of
 * worker threads (idle keep-alive connections hold no thread); the access log goes to the given
 * stream, one line per request.
 */
public final class WarehouseServer implements AutoCloseable {
  private static final int WORKER_THREADS = 32;
  private static final int BACKLOG = 256;
  private static final String NO_DELAY = "sun.net.httpserver.nodelay";
  private static final String MAX_REQUEST_SECONDS = "sun.net.httpserver.maxReqTime";
  /** How long a client may take to send its request line and headers. */
  static final int REQUEST_SECONDS = 10;

  static {
    // The JDK server leaves Nagle's algorithm on unless told otherwise (read once, when its
    // implementation loads). It writes headers and body separately, so on a kept-alive connection
    // each small response would wait ~40 ms for the client's delayed ACK: ruinous for readers
    // that issue many small range requests (Parquet footers, Iceberg metadata).
    if (System.getProperty(NO_DELAY) == null) {
      System.setProperty(NO_DELAY, "true");
    }
    // A worker thread reads the request, and without a limit the JDK server waits for the rest
    // of a half-sent one for ever: WORKER_THREADS stalled clients then locked every reader out.
    if (System.getProperty(MAX_REQUEST_SECONDS) == null) {
      System.setProperty(MAX_REQUEST_SECONDS, Integer.toString(REQUEST_SECONDS));
    }
  }

  private final HttpServer server;
  private final ExecutorService workers;
  private final Path root;
  private final InetSocketAddress address;
  private final URI baseUri;
  private final AtomicBoolean stopped = new AtomicBoolean();

  private WarehouseServer(HttpServer server, ExecutorService workers, Path root,
      InetSocketAddress address, URI baseUri) {
    this.server = server;
    this.workers = workers;
    this.root = root;
    this.address = address;
    this.baseUri = baseUri;
  }

  /** Binds, starts serving and returns; the server runs until {@link #stop}. */
  public static WarehouseServer start(ServeRequest request, PrintStream accessLog, Clock clock) {
    Path root = realDirectory(request.warehouseDir());
    InetAddress address;
    try {
      address = InetAddress.getByName(request.bind());
    } catch (UnknownHostException e) {
      throw new InvalidInputException("--bind: unknown host or address: " + request.bind(), e);
    }
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(address, request.port()), BACKLOG);
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot listen on " + request.bind() + " port "
          + request.port() + ": " + e.getMessage(), e);
    }
    ExecutorService workers = Executors.newFixedThreadPool(WORKER_THREADS, workerThreads());
    server.setExecutor(workers);
    server.createContext("/", new FileHandler(
        new WarehousePaths(root, request.basePathSegments(),
            request.listDirectories()), new AccessLog(accessLog, clock)));
    server.start();
    // The address as requested (a dual-stack wildcard socket reports '::' for 0.0.0.0).
    InetSocketAddress bound = new InetSocketAddress(address, server.getAddress().getPort());
    URI baseUri = URI.create("http://" + urlHost(address) + ":" + bound.getPort()
        + (request.basePath().equals("/") ? "" : request.basePath()));
    return new WarehouseServer(server, workers, root, bound, baseUri);
  }

  /** The warehouse's real path (links resolved): what is served. */
  public Path root() {
    return root;
  }

  /** The address and port actually bound (the port is the free one picked for port 0). */
  public InetSocketAddress address() {
    return address;
  }

  /** {@code http://host:port/base-path}: the URL of the warehouse root, without trailing '/'. */
  public URI baseUri() {
    return baseUri;
  }

  /**
   * Stops accepting connections, lets requests in flight finish for up to {@code drain} (whole
   * seconds; the JDK server waits the full time), then closes every connection. Idempotent.
   */
  public void stop(Duration drain) {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    server.stop((int) Math.min(Integer.MAX_VALUE, (drain.toMillis() + 999) / 1000));
    workers.shutdownNow();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops at once, cutting requests in flight. */
  @Override
  public void close() {
    stop(Duration.ZERO);
  }

  private static Path realDirectory(Path directory) {
    Path root;
    try {
      root = directory.toRealPath();
    } catch (NoSuchFileException e) {
      throw new InvalidInputException("warehouse " + directory + " does not exist", e);
    } catch (IOException e) {
      throw new InvalidInputException("cannot open warehouse directory " + directory + ": "
          + e.getMessage(), e);
    }
    if (!Files.isDirectory(root)) {
      throw new InvalidInputException("warehouse " + directory + " is not a directory");
    }
    return root;
  }

  private static String urlHost(InetAddress address) {
    String host = address.getHostAddress();
    return address instanceof Inet6Address ? "[" + host.replace("%", "%25") + "]" : host;
  }

  private static ThreadFactory workerThreads() {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, "arexport-serve-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
