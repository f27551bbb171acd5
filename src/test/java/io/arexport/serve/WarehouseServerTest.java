package io.arexport.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server over real sockets: file bytes, HEAD, byte ranges, validators, refusals of
 * traversal, links, dotfiles and staging, methods, concurrency, and file descriptors.
 */
class WarehouseServerTest {
  private static final String BASE = "/local/datasets/default";
  private static final String DATA = BASE + "/blocks/data/height=0-999/blocks_0_999_j.parquet";
  private static final int SIZE = 300_000;
  private static final String SECRET = "TOP SECRET outside the warehouse";
  private static final String LOCK = "lock held by pid 4242";

  @TempDir static Path temp;
  static Path root;
  static byte[] data;
  static WarehouseServer server;
  static ByteArrayOutputStream accessLog = new ByteArrayOutputStream();
  static HttpClient client;

  @BeforeAll
  static void serve() throws Exception {
    Path outside = Files.createDirectories(temp.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), SECRET);
    root = Files.createDirectories(temp.resolve("warehouse"));
    data = new byte[SIZE];
    new Random(42).nextBytes(data);
    Path partition = Files.createDirectories(root.resolve("blocks/data/height=0-999"));
    Files.write(partition.resolve("blocks_0_999_j.parquet"), data);
    Files.write(partition.resolve(".part-0.parquet"), data);
    Files.write(partition.resolve("empty.parquet"), new byte[0]);
    Path metadata = Files.createDirectories(root.resolve("blocks/metadata"));
    Files.writeString(metadata.resolve("version-hint.text"), "2");
    Files.writeString(metadata.resolve("v2.metadata.json"), "{\"format-version\":2}");
    Files.write(metadata.resolve("snap-1-0-abc.avro"), Arrays.copyOf(data, 1000));
    Files.writeString(metadata.resolve(".v3.metadata.json.tmp"), "{}");
    Files.createDirectories(root.resolve(".arexport"));
    Files.writeString(root.resolve(".arexport/lock"), LOCK);
    Files.createDirectories(root.resolve("staging/job-1/blocks"));
    Files.writeString(root.resolve("staging/job-1/.checkpoint"), LOCK);
    Files.write(root.resolve("staging/job-1/blocks/f.parquet"), data);
    Files.createSymbolicLink(root.resolve("blocks/escape.parquet"), outside.resolve("secret.txt"));
    Files.createSymbolicLink(root.resolve("blocks/outside-dir"), outside);
    Files.createSymbolicLink(root.resolve("blocks/lock-link"), root.resolve(".arexport/lock"));
    server = WarehouseServer.start(new ServeRequest(root, "127.0.0.1", 0, BASE),
        new PrintStream(accessLog, true, StandardCharsets.UTF_8), Clock.systemUTC());
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    return request("GET", path, headers);
  }

  static HttpResponse<byte[]> request(String method, String path, String... headers)
      throws Exception {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + server.address().getPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody())
        .timeout(Duration.ofSeconds(20));
    if (headers.length > 0) {
      builder.headers(headers);
    }
    return client.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  /**
   * More half-sent requests than the server has worker threads (a stalled or hostile client):
   * each is closed once the request time limit passes, and a normal request is answered again.
   */
  @Test
  void stalledRequestsDoNotLockReadersOutForLong() throws Exception {
    List<java.net.Socket> stalled = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {
        java.net.Socket socket = new java.net.Socket("127.0.0.1", server.address().getPort());
        socket.getOutputStream().write(("GET " + BASE + "/blocks/metadata/version-hint.text"
            + " HTTP/1.1\r\nHost: x\r\n").getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        stalled.add(socket);
      }
      long started = System.nanoTime();
      HttpResponse<byte[]> answered = get(BASE + "/blocks/metadata/version-hint.text");
      assertThat(answered.statusCode()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .isLessThan(Duration.ofSeconds(WarehouseServer.REQUEST_SECONDS + 8));
      for (java.net.Socket socket : stalled) {
        socket.setSoTimeout(15_000);
        int read;
        try {
          read = socket.getInputStream().read();
        } catch (java.net.SocketException reset) {
          read = -1; // closed with a reset: closed all the same
        }
        assertThat(read).as("the stalled connection is closed").isEqualTo(-1);
      }
    } finally {
      for (java.net.Socket socket : stalled) {
        socket.close();
      }
    }
  }

  @Test
  void baseUriNamesTheBoundPortAndBasePath() {
    assertThat(server.baseUri().toString())
        .isEqualTo("http://127.0.0.1:" + server.address().getPort() + BASE);
    assertThat(server.address().getPort()).isPositive();
  }

  @Test
  void fullGetSendsTheFileBytesWithEveryHeader() throws Exception {
    HttpResponse<byte[]> response = get(DATA);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(data);
    assertThat(header(response, "Content-Length")).isEqualTo(Integer.toString(SIZE));
    assertThat(header(response, "Accept-Ranges")).isEqualTo("bytes");
    assertThat(header(response, "Content-Type")).isEqualTo("application/octet-stream");
    assertThat(header(response, "Content-Range")).isNull();
    assertThat(header(response, "ETag")).matches("\"[0-9a-f]+-[0-9a-f]+\"");
    FileTime modified = Files.getLastModifiedTime(root.resolve(
        "blocks/data/height=0-999/blocks_0_999_j.parquet"));
    assertThat(ZonedDateTime.parse(header(response, "Last-Modified"),
        DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond())
        .isEqualTo(modified.toInstant().getEpochSecond());
    assertThat(header(response, "Last-Modified")).endsWith(" GMT");
  }

  @ParameterizedTest
  @CsvSource({
      "/blocks/metadata/v2.metadata.json, application/json",
      "/blocks/metadata/version-hint.text, text/plain; charset=utf-8",
      "/blocks/metadata/snap-1-0-abc.avro, application/octet-stream",
  })
  void contentTypeFollowsTheFileKind(String path, String contentType) throws Exception {
    HttpResponse<byte[]> response = get(BASE + path);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(header(response, "Content-Type")).isEqualTo(contentType);
    assertThat(response.body()).isEqualTo(Files.readAllBytes(root.resolve(path.substring(1))));
  }

  @Test
  void headSendsTheHeadersOfGetAndNoBody() throws Exception {
    HttpResponse<byte[]> get = get(DATA);
    HttpResponse<byte[]> head = request("HEAD", DATA);
    // On a raw socket: after the headers the server sends nothing at all.
    RawHttp.Response raw = RawHttp.send(server.address(), "HEAD", DATA);

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    for (String name : List.of("Content-Length", "Accept-Ranges", "Content-Type", "ETag",
        "Last-Modified")) {
      assertThat(header(head, name)).as(name).isEqualTo(header(get, name));
    }
    assertThat(raw.status()).isEqualTo(200);
    assertThat(raw.header("Content-Length")).isEqualTo(Integer.toString(SIZE));
    assertThat(raw.body()).isEmpty();
  }

  @Test
  void headOfARangeAnswers206WithTheRangeLength() throws Exception {
    RawHttp.Response raw = RawHttp.send(server.address(), "HEAD", DATA, "Range: bytes=10-19");

    assertThat(raw.status()).isEqualTo(206);
    assertThat(raw.header("Content-Range")).isEqualTo("bytes 10-19/" + SIZE);
    assertThat(raw.header("Content-Length")).isEqualTo("10");
    assertThat(raw.body()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "first byte,        bytes=0-0,           0,      0",
      "first bytes,       bytes=0-1023,        0,      1023",
      "middle,            bytes=123456-200000, 123456, 200000",
      "open-ended,        bytes=299000-,       299000, 299999",
      "suffix,            bytes=-8,            299992, 299999",
      "last byte,         bytes=299999-299999, 299999, 299999",
      "last byte suffix,  bytes=-1,            299999, 299999",
      "end past the file, bytes=299990-999999, 299990, 299999",
      "suffix past start, bytes=-999999,       0,      299999",
      "whole as a range,  bytes=0-,            0,      299999",
  })
  void singleRangeAnswers206WithExactlyThoseBytes(String name, String range, int first, int last)
      throws Exception {
    HttpResponse<byte[]> response = get(DATA, "Range", range);

    assertThat(response.statusCode()).isEqualTo(206);
    assertThat(header(response, "Content-Range"))
        .isEqualTo("bytes " + first + "-" + last + "/" + SIZE);
    assertThat(header(response, "Content-Length")).isEqualTo(Integer.toString(last - first + 1));
    assertThat(header(response, "Accept-Ranges")).isEqualTo("bytes");
    assertThat(response.body()).isEqualTo(Arrays.copyOfRange(data, first, last + 1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"bytes=300000-", "bytes=300000-300001", "bytes=999999-", "bytes=-0"})
  void unsatisfiableRangeAnswers416WithTheSize(String range) throws Exception {
    HttpResponse<byte[]> response = get(DATA, "Range", range);

    assertThat(response.statusCode()).isEqualTo(416);
    assertThat(header(response, "Content-Range")).isEqualTo("bytes */" + SIZE);
    assertThat(response.body()).asString().doesNotContain(new String(data, 0, 16,
        StandardCharsets.ISO_8859_1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"bytes=0-1,5-6", "bytes=0-99, 200-299", "bytes=5-3", "bytes=x-y",
      "items=0-9", "bytes="})
  void multiRangeOrMalformedRangeIsIgnoredAndTheWholeFileSent(String range) throws Exception {
    HttpResponse<byte[]> response = get(DATA, "Range", range);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(header(response, "Content-Range")).isNull();
    assertThat(response.body()).isEqualTo(data);
  }

  @Test
  void twoRangeFieldsAreIgnoredLikeAMultiRange() throws Exception {
    RawHttp.Response raw = RawHttp.send(server.address(), "GET", DATA, "Range: bytes=0-9",
        "Range: bytes=20-29");

    assertThat(raw.status()).isEqualTo(200);
    assertThat(raw.body()).isEqualTo(data);
  }

  @Test
  void emptyFileIsSentWholeEvenForARange() throws Exception {
    String path = BASE + "/blocks/data/height=0-999/empty.parquet";
    HttpResponse<byte[]> plain = get(path);
    HttpResponse<byte[]> ranged = get(path, "Range", "bytes=0-10");

    for (HttpResponse<byte[]> response : List.of(plain, ranged)) {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(header(response, "Content-Length")).isEqualTo("0");
      assertThat(response.body()).isEmpty();
    }
  }

  @Test
  void validatorsAreStableAndChangeWithTheFile() throws Exception {
    Path file = root.resolve("blocks/metadata/stable.json");
    Files.writeString(file, "{\"v\":1}");
    Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2025-01-02T03:04:05Z")));
    String path = BASE + "/blocks/metadata/stable.json";

    HttpResponse<byte[]> first = get(path);
    HttpResponse<byte[]> second = request("HEAD", path);
    assertThat(header(first, "ETag")).isEqualTo(header(second, "ETag"));
    assertThat(header(first, "Last-Modified")).isEqualTo("Thu, 02 Jan 2025 03:04:05 GMT")
        .isEqualTo(header(second, "Last-Modified"));

    Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2025-01-02T03:04:06Z")));
    HttpResponse<byte[]> touched = get(path);
    Files.writeString(file, "{\"v\":22}");
    Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2025-01-02T03:04:06Z")));
    HttpResponse<byte[]> resized = get(path);
    assertThat(List.of(header(first, "ETag"), header(touched, "ETag"), header(resized, "ETag")))
        .doesNotHaveDuplicates();
    assertThat(header(touched, "Last-Modified")).isEqualTo("Thu, 02 Jan 2025 03:04:06 GMT");
  }

  @Test
  void conditionalGetAnswers304WhenTheCopyIsCurrent() throws Exception {
    HttpResponse<byte[]> full = get(DATA);
    String etag = header(full, "ETag");
    String lastModified = header(full, "Last-Modified");

    HttpResponse<byte[]> byTag = get(DATA, "If-None-Match", etag);
    HttpResponse<byte[]> byWeakTagInList = get(DATA, "If-None-Match", "\"other\", W/" + etag);
    HttpResponse<byte[]> byStar = get(DATA, "If-None-Match", "*");
    HttpResponse<byte[]> byDate = get(DATA, "If-Modified-Since", lastModified);
    HttpResponse<byte[]> headByTag = request("HEAD", DATA, "If-None-Match", etag);
    for (HttpResponse<byte[]> response : List.of(byTag, byWeakTagInList, byStar, byDate,
        headByTag)) {
      assertThat(response.statusCode()).isEqualTo(304);
      assertThat(response.body()).isEmpty();
      assertThat(header(response, "ETag")).isEqualTo(etag);
    }

    HttpResponse<byte[]> otherTag = get(DATA, "If-None-Match", "\"0-0\"");
    HttpResponse<byte[]> olderDate = get(DATA, "If-Modified-Since",
        "Mon, 01 Jan 2001 00:00:00 GMT");
    // If-None-Match wins over If-Modified-Since.
    HttpResponse<byte[]> tagWins = get(DATA, "If-None-Match", "\"0-0\"", "If-Modified-Since",
        lastModified);
    HttpResponse<byte[]> badDate = get(DATA, "If-Modified-Since", "yesterday");
    for (HttpResponse<byte[]> response : List.of(otherTag, olderDate, tagWins, badDate)) {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(data);
    }
  }

  @Test
  void ifRangeHonoursTheRangeOnlyForTheCurrentVersion() throws Exception {
    HttpResponse<byte[]> full = get(DATA);

    HttpResponse<byte[]> sameTag = get(DATA, "Range", "bytes=0-9", "If-Range",
        header(full, "ETag"));
    HttpResponse<byte[]> sameDate = get(DATA, "Range", "bytes=0-9", "If-Range",
        header(full, "Last-Modified"));
    HttpResponse<byte[]> otherTag = get(DATA, "Range", "bytes=0-9", "If-Range", "\"1-1\"");
    HttpResponse<byte[]> weakTag = get(DATA, "Range", "bytes=0-9", "If-Range",
        "W/" + header(full, "ETag"));

    assertThat(sameTag.statusCode()).isEqualTo(206);
    assertThat(sameTag.body()).isEqualTo(Arrays.copyOf(data, 10));
    assertThat(sameDate.statusCode()).isEqualTo(206);
    assertThat(otherTag.statusCode()).isEqualTo(200);
    assertThat(otherTag.body()).isEqualTo(data);
    assertThat(weakTag.statusCode()).isEqualTo(200);
  }

  /** Request targets sent verbatim on a socket: none may return content from outside. */
  static Stream<String> traversalTargets() {
    String secret = temp.resolve("outside/secret.txt").toAbsolutePath().toString();
    return Stream.of(
        BASE + "/../outside/secret.txt",
        BASE + "/../../../../../../../../etc/passwd",
        BASE + "/blocks/../../outside/secret.txt",
        BASE + "/blocks/../.arexport/lock",
        BASE + "/%2e%2e/outside/secret.txt",
        BASE + "/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        BASE + "/.%2e/outside/secret.txt",
        BASE + "/%2e%2e%2foutside%2fsecret.txt",
        BASE + "/..%2foutside%2fsecret.txt",
        BASE + "/..%2Foutside/secret.txt",
        BASE + "/blocks%2f..%2f..%2foutside%2fsecret.txt",
        BASE + "/..%5coutside%5csecret.txt",
        BASE + "/%252e%252e/outside/secret.txt",
        BASE + "/%c0%ae%c0%ae/outside/secret.txt",
        BASE + "/blocks/metadata/version-hint.text%00.json",
        BASE + "/%00",
        BASE + "/.arexport/lock%00",
        BASE + secret,
        BASE + "/" + secret,
        BASE + "/%2f" + secret.substring(1).replace("/", "%2f"),
        secret,
        "http://evil.example" + secret,
        "http://evil.example" + BASE + "/../outside/secret.txt",
        BASE + "/blocks/escape.parquet",
        BASE + "/blocks/outside-dir/secret.txt",
        BASE + "/blocks/lock-link",
        BASE + "/.arexport/lock",
        BASE + "/%2earexport/lock",
        BASE + "/staging/job-1/.checkpoint");
  }

  @ParameterizedTest
  @MethodSource("traversalTargets")
  void traversalNeverReturnsOutsideOrHiddenContent(String target) throws Exception {
    for (String method : List.of("GET", "HEAD")) {
      RawHttp.Response response = RawHttp.send(server.address(), method, target);

      assertThat(response.status()).as(method + " " + target).isIn(400, 403, 404);
      assertThat(response.bodyText()).doesNotContain(SECRET).doesNotContain(LOCK)
          .doesNotContain("root:");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/.arexport/lock",
      "/.arexport",
      "/blocks/data/height=0-999/.part-0.parquet",
      "/blocks/metadata/.v3.metadata.json.tmp",
      "/staging/job-1/blocks/f.parquet",
      "/staging/job-1/.checkpoint",
  })
  void dotfilesTemporaryFilesAndStagingAreNotServed(String path) throws Exception {
    HttpResponse<byte[]> response = get(BASE + path);

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("404 Not Found\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/", "/blocks", "/blocks/", "/blocks/data/height=0-999/"})
  void directoriesAreNotListed(String path) throws Exception {
    assertThat(get(BASE + path).statusCode()).isEqualTo(404);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/blocks/metadata/version-hint.text",
      "/local/datasets/blocks/metadata/version-hint.text",
      "/local/datasets/defaultx/blocks/metadata/version-hint.text",
      "/local/datasets/default.old/blocks/metadata/version-hint.text"})
  void pathOutsideTheBasePathIs404(String path) throws Exception {
    assertThat(get(path).statusCode()).isEqualTo(404);
  }

  @ParameterizedTest
  @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"})
  void otherMethodsAnswer405WithAllow(String method) throws Exception {
    HttpResponse<byte[]> response = request(method, DATA);

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(header(response, "Allow")).isEqualTo("GET, HEAD");
    assertThat(Files.readAllBytes(root.resolve("blocks/data/height=0-999/blocks_0_999_j.parquet")))
        .isEqualTo(data);
  }

  @Test
  void accessLogHasOneLinePerRequestWithMethodPathStatusBytesAndTime() throws Exception {
    String marker = "/blocks/metadata/v2.metadata.json";
    get(BASE + marker, "Range", "bytes=0-3");
    get(BASE + "/.arexport/lock");
    request("POST", BASE + marker);

    // A line is written once the exchange is closed, which can be just after the client has
    // the whole response.
    awaitLogLine(" POST " + BASE + marker + " 405 ");
    List<String> lines = accessLog.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).anySatisfy(line -> assertThat(line)
        .matches("\\S+Z 127\\.0\\.0\\.1 GET " + BASE + marker + " 206 4 \\d+ms"));
    assertThat(lines).anySatisfy(line -> assertThat(line)
        .matches(".* GET " + BASE + "/\\.arexport/lock 404 14 \\d+ms \\(hidden path\\)"));
    assertThat(lines).anySatisfy(line -> assertThat(line)
        .matches(".* POST " + BASE + marker + " 405 \\d+ \\d+ms"));
  }

  private static void awaitLogLine(String text) throws InterruptedException {
    for (int i = 0; i < 100 && !accessLog.toString(StandardCharsets.UTF_8).contains(text); i++) {
      Thread.sleep(50);
    }
  }

  @Test
  void keptAliveConnectionsDisableNaglesAlgorithm() throws Exception {
    // With Nagle's algorithm on, each small range response on a kept-alive connection waits
    // ~40 ms for a delayed ACK; the JDK server only turns it off through this property, read
    // when its first server starts. (Speed itself is measured by benchmarks, not unit tests.)
    assertThat(System.getProperty("sun.net.httpserver.nodelay")).isEqualTo("true");
    for (int i = 0; i < 5; i++) {
      assertThat(get(DATA, "Range", "bytes=" + i + "-" + (i + 7)).statusCode()).isEqualTo(206);
    }
  }

  @Test
  void rootBasePathServesTheWarehouseAtSlash() throws Exception {
    PrintStream noLog = new PrintStream(OutputStream.nullOutputStream());
    try (WarehouseServer atRoot = WarehouseServer.start(
        new ServeRequest(root, "127.0.0.1", 0, "/"), noLog, Clock.systemUTC())) {
      URI base = atRoot.baseUri();
      HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(
              URI.create(base + "/blocks/metadata/version-hint.text")).build(),
          HttpResponse.BodyHandlers.ofByteArray());

      assertThat(base.toString()).isEqualTo("http://127.0.0.1:" + atRoot.address().getPort());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).asString().isEqualTo("2");
    }
  }

  @Test
  void twoHundredConcurrentClientsAllGetTheirBytes() throws Exception {
    int clients = 200;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        int first = i % 4 == 0 ? -1 : (i * 1499) % SIZE;
        int last = Math.min(SIZE - 1, first + 1 + i * 997);
        Callable<Boolean> client = () -> {
          start.await();
          // Each client has its own connection pool: 200 separate TCP connections.
          HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
          HttpRequest.Builder builder = HttpRequest.newBuilder(
              URI.create(server.baseUri() + DATA.substring(BASE.length())))
              .timeout(Duration.ofSeconds(20));
          if (first >= 0) {
            builder.header("Range", "bytes=" + first + "-" + last);
          }
          HttpResponse<byte[]> response = own.send(builder.build(),
              HttpResponse.BodyHandlers.ofByteArray());
          return first < 0
              ? response.statusCode() == 200 && Arrays.equals(response.body(), data)
              : response.statusCode() == 206
                  && Arrays.equals(response.body(), Arrays.copyOfRange(data, first, last + 1));
        };
        results.add(pool.submit(client));
      }
      long started = System.nanoTime();
      start.countDown();
      for (Future<Boolean> result : results) {
        assertThat(result.get(30, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aBurstOfRequestsLeavesNoFileDescriptorOpen() throws Exception {
    Path fds = Path.of("/proc/self/fd");
    Assumptions.assumeTrue(Files.isDirectory(fds), "needs /proc");
    burst(); // warm-up: classes loaded, pools created
    awaitNoOpenWarehouseFiles();
    long before = countFds();

    burst();

    awaitNoOpenWarehouseFiles();
    long after = countFds();
    for (int i = 0; i < 50 && after > before; i++) {
      Thread.sleep(100);
      after = countFds();
    }
    assertThat(after).as("open descriptors after the burst (before: %d)", before)
        .isLessThanOrEqualTo(before);
  }

  /** Full, ranged, HEAD, refused and 416 requests, and downloads the client abandons midway. */
  private static void burst() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < 160; i++) {
        int kind = i % 8;
        done.add(pool.submit(() -> {
          switch (kind) {
            case 0 -> RawHttp.send(server.address(), "GET", DATA);
            case 1 -> RawHttp.send(server.address(), "GET", DATA, "Range: bytes=100-200");
            case 2 -> RawHttp.send(server.address(), "HEAD", DATA);
            case 3 -> RawHttp.send(server.address(), "GET", DATA, "Range: bytes=999999-");
            case 4 -> RawHttp.send(server.address(), "GET", BASE + "/.arexport/lock");
            case 5 -> RawHttp.send(server.address(), "GET", BASE + "/blocks/escape.parquet");
            case 6 -> RawHttp.send(server.address(), "POST", DATA);
            default -> abandonDownload();
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Starts a full GET, reads a few bytes and resets the connection. */
  private static void abandonDownload() throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(server.address(), 5000);
      socket.setSoLinger(true, 0); // close sends RST
      socket.getOutputStream().write(("GET " + DATA + " HTTP/1.1\r\nHost: x\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      in.readNBytes(100);
    }
  }

  private static long countFds() throws IOException {
    try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
      return list.count();
    }
  }

  /** Waits until no descriptor of this JVM points into the warehouse; fails after 10 s. */
  private static void awaitNoOpenWarehouseFiles() throws Exception {
    Path realRoot = root.toRealPath();
    List<Path> open = List.of();
    for (int i = 0; i < 100; i++) {
      open = openWarehouseFiles(realRoot);
      if (open.isEmpty()) {
        return;
      }
      Thread.sleep(100);
    }
    assertThat(open).as("warehouse files still open").isEmpty();
  }

  private static List<Path> openWarehouseFiles(Path realRoot) throws IOException {
    List<Path> open = new ArrayList<>();
    try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) list::iterator) {
        try {
          Path target = Files.readSymbolicLink(fd);
          if (target.startsWith(realRoot)) {
            open.add(target);
          }
        } catch (IOException gone) {
          // Closed while listing.
        }
      }
    }
    return open;
  }
}
