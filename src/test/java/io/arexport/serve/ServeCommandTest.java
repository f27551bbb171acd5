package io.arexport.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arexport.cli.Main;
import io.arexport.testing.ChildJvm;
import io.arexport.testing.Cli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code arexport serve} on the command line: options, the URL line, errors, and stopping. */
class ServeCommandTest {
  private static final Pattern SERVING = Pattern.compile("^serving (.+) at (http://\\S+)$",
      Pattern.MULTILINE);

  @TempDir static Path temp;
  static Path warehouse;
  static HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void warehouse() throws Exception {
    warehouse = Files.createDirectories(temp.resolve("wh/blocks/metadata")).getParent()
        .getParent();
    Files.writeString(warehouse.resolve("blocks/metadata/version-hint.text"), "7");
  }

  /** {@code Main.run} on its own thread, with live stdout/stderr; stopped by interrupting it. */
  private static final class Running implements AutoCloseable {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final AtomicInteger status = new AtomicInteger(-1);
    final Thread thread;

    Running(String... args) {
      PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
      PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
      thread = new Thread(() -> status.set(
          Main.run(args, outStream, errStream, Map.of(), Clock.systemUTC())), "serve-under-test");
      thread.start();
    }

    /** The {@code serving ROOT at URL} line's match, once printed. */
    Matcher awaitServing() throws InterruptedException {
      for (int i = 0; i < 200; i++) {
        Matcher matcher = SERVING.matcher(out.toString(StandardCharsets.UTF_8));
        if (matcher.find()) {
          return matcher;
        }
        if (!thread.isAlive()) {
          break;
        }
        Thread.sleep(25);
      }
      throw new AssertionError("no 'serving' line; stdout: " + out + " stderr: " + err);
    }

    int stop() throws InterruptedException {
      thread.interrupt();
      thread.join(10_000);
      assertThat(thread.isAlive()).as("command still running").isFalse();
      return status.get();
    }

    @Override
    public void close() throws InterruptedException {
      if (thread.isAlive()) {
        stop();
      }
    }
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @ParameterizedTest
  @CsvSource({"--warehouseDir", "--warehouse-dir", "--datasets-dir"})
  void printsTheUrlServesAndLogsUntilStopped(String warehouseOption) throws Exception {
    try (Running serve = new Running("serve", warehouseOption, warehouse.toString(),
        "--port", "0")) {
      Matcher serving = serve.awaitServing();
      URI base = URI.create(serving.group(2));

      HttpResponse<String> response = get(base + "/blocks/metadata/version-hint.text");

      assertThat(serving.group(1)).isEqualTo(warehouse.toRealPath().toString());
      assertThat(base.getHost()).isEqualTo("127.0.0.1");
      assertThat(base.getPort()).isPositive();
      assertThat(base.getPath()).isEqualTo("/local/datasets/default");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("7");
      assertThat(serve.stop()).isZero();
      assertThat(serve.out.toString(StandardCharsets.UTF_8).lines()).hasSize(1);
      assertThat(serve.err.toString(StandardCharsets.UTF_8))
          .containsPattern("GET /local/datasets/default/blocks/metadata/version-hint\\.text 200 1 "
              + "\\d+ms")
          .contains("arexport: stopped serving " + warehouse.toRealPath());
      assertThatThrownBy(() -> new Socket().connect(
          new InetSocketAddress("127.0.0.1", base.getPort()), 1000))
          .isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void basePathOptionMovesTheWarehouse() throws Exception {
    try (Running serve = new Running("serve", "--warehouse-dir", warehouse.toString(),
        "--port", "0", "--base-path", "/datasets/")) {
      URI base = URI.create(serve.awaitServing().group(2));

      assertThat(base.getPath()).isEqualTo("/datasets");
      assertThat(get(base + "/blocks/metadata/version-hint.text").statusCode()).isEqualTo(200);
      assertThat(get("http://127.0.0.1:" + base.getPort()
          + "/local/datasets/default/blocks/metadata/version-hint.text").statusCode())
          .isEqualTo(404);
    }
  }

  @Test
  void listDirectoriesOptionTurnsListingsOn() throws Exception {
    try (Running serve = new Running("serve", "--warehouse-dir", warehouse.toString(),
        "--port", "0", "--list-directories")) {
      URI base = URI.create(serve.awaitServing().group(2));

      HttpResponse<String> listing = client.send(HttpRequest.newBuilder(URI.create(
              base + "/blocks/metadata/")).header("Accept", "application/json").build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(listing.statusCode()).isEqualTo(200);
      assertThat(listing.body()).isEqualTo("[\"version-hint.text\"]");
    }
    try (Running serve = new Running("serve", "--warehouse-dir", warehouse.toString(),
        "--port", "0")) {
      URI base = URI.create(serve.awaitServing().group(2));
      assertThat(get(base + "/blocks/metadata/").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void bindingBeyondLoopbackWarns() throws Exception {
    try (Running serve = new Running("serve", "--warehouse-dir", warehouse.toString(),
        "--port", "0", "--bind", "0.0.0.0")) {
      URI base = URI.create(serve.awaitServing().group(2));

      assertThat(base.getHost()).isEqualTo("0.0.0.0");
      assertThat(serve.err.toString(StandardCharsets.UTF_8))
          .contains("arexport: warning: listening on 0.0.0.0, not a loopback address");
    }
  }

  @Test
  void sigtermStopsTheServerCleanly() throws Exception {
    try (ChildJvm child = ChildJvm.start(List.of("-Xmx256m"), Map.of(), temp,
        "serve", "--warehouse-dir", warehouse.toString(), "--port", "0")) {
      URI base = null;
      for (int i = 0; i < 400 && base == null; i++) {
        Matcher matcher = SERVING.matcher(child.out());
        if (matcher.find()) {
          base = URI.create(matcher.group(2));
        } else {
          Thread.sleep(25);
        }
      }
      assertThat(base).as("serving line; stderr: %s", child.err()).isNotNull();
      assertThat(get(base + "/blocks/metadata/version-hint.text").body()).isEqualTo("7");

      ProcessHandle.of(child.pid()).orElseThrow().destroy(); // SIGTERM
      int status = child.waitFor(30);

      assertThat(status).isEqualTo(143); // 128 + SIGTERM, as the JVM exits on a signal
      assertThat(child.err()).contains("GET /local/datasets/default/blocks/metadata/"
          + "version-hint.text 200 1 ").contains("arexport: stopped serving");
    }
  }

  @Test
  void missingWarehouseIsInvalidInput() {
    Path missing = temp.resolve("no-such-warehouse");

    Cli.Result result = Cli.run("serve", "--warehouse-dir", missing.toString(), "--port", "0");

    assertThat(result.status()).isEqualTo(2);
    assertThat(result.errLines()).containsExactly(
        "arexport: warehouse " + missing + " does not exist");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void stacktraceOptionPrintsTheTrace() {
    Cli.Result result = Cli.run("serve", "--warehouse-dir", temp.resolve("nope").toString(),
        "--stacktrace");

    assertThat(result.status()).isEqualTo(2);
    assertThat(result.err()).contains("InvalidInputException").contains("\tat io.arexport.");
  }

  @Test
  void warehouseThatIsAFileIsInvalidInput() throws Exception {
    Path file = Files.writeString(temp.resolve("a-file"), "x");

    Cli.Result result = Cli.run("serve", "--warehouse-dir", file.toString(), "--port", "0");

    assertThat(result.status()).isEqualTo(2);
    assertThat(result.errLines()).containsExactly(
        "arexport: warehouse " + file + " is not a directory");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--port | 70000    | --port must be between 0 and 65535: 70000",
      "--port | -1       | --port must be between 0 and 65535: -1",
      "--base-path | local | --base-path must start with '/': local",
      "--base-path | /a/../b | --base-path segments must be names",
      "--base-path | /a b | --base-path segments must be names",
      "--bind | [::zz] | --bind: unknown host or address: [::zz]",
  })
  void badOptionIsInvalidInput(String option, String value, String message) {
    Cli.Result result = option.equals("--port")
        ? Cli.run("serve", "--warehouse-dir", warehouse.toString(), option, value)
        : Cli.run("serve", "--warehouse-dir", warehouse.toString(), "--port", "0", option, value);

    assertThat(result.status()).isEqualTo(2);
    assertThat(result.errLines()).hasSize(1);
    assertThat(result.errLines().get(0)).startsWith("arexport: " + message);
  }

  @Test
  void nonNumericPortIsAUsageError() {
    Cli.Result result = Cli.run("serve", "--port", "http");

    assertThat(result.status()).isEqualTo(2);
    assertThat(result.err()).contains("--port").contains("arexport serve --help");
  }

  @Test
  void portInUseIsARuntimeFailure() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Cli.Result result = Cli.run("serve", "--warehouse-dir", warehouse.toString(),
          "--port", Integer.toString(taken.getLocalPort()));

      assertThat(result.status()).isEqualTo(1);
      assertThat(result.errLines()).containsExactly("arexport: cannot listen on 127.0.0.1 port "
          + taken.getLocalPort() + ": Address already in use");
    }
  }

  @Test
  void helpShowsOptionsDefaultsAndExamples() {
    Cli.Result help = Cli.run("serve", "--help");
    Cli.Result top = Cli.run("--help");

    assertThat(help.status()).isZero();
    // Words as printed, whatever the line wrapping.
    assertThat(help.out().replaceAll("\\s+", " ")).contains("--warehouseDir")
        .contains("--warehouse-dir").contains("--datasets-dir")
        .contains("default: data/datasets/default").contains("--bind=ADDRESS")
        .contains("default: 127.0.0.1").contains("--port=PORT").contains("default: 8080")
        .contains("--base-path").contains("default: /local/datasets/default")
        .contains("--stacktrace").contains("Examples:")
        .contains("arexport serve --warehouseDir /srv/warehouse --port 0")
        .contains("--datasets-root http://127.0.0.1:PORT/local/datasets/default");
    assertThat(top.out()).contains("serve");
    assertThat(help.out().lines()).allSatisfy(line -> assertThat(line).hasSizeLessThan(81));
  }
}
