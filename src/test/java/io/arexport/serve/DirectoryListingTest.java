package io.arexport.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code serve --list-directories} over real sockets: HTML and JSON listings of the warehouse,
 * links that lead where they say, and never a dotfile, temporary file, staging directory or link
 * out of the warehouse, neither listed nor listable.
 */
class DirectoryListingTest {
  private static final String BASE = "/local/datasets/default";
  private static final String SECRET = "TOP SECRET outside the warehouse";

  @TempDir static Path temp;
  static Path root;
  static WarehouseServer server;
  static ByteArrayOutputStream accessLog = new ByteArrayOutputStream();
  static HttpClient client;

  @BeforeAll
  static void serve() throws Exception {
    Path outside = Files.createDirectories(temp.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), SECRET);
    root = Files.createDirectories(temp.resolve("warehouse"));
    Path partition = Files.createDirectories(root.resolve("blocks/data/height=0-999"));
    Files.write(partition.resolve("blocks_0_999_j.parquet"), new byte[1234]);
    Files.write(partition.resolve(".part-0.parquet"), new byte[10]);
    Files.write(partition.resolve("x y <&>\"'.parquet"), new byte[3]);
    Files.createDirectories(root.resolve("blocks/data/height=1000-1999"));
    Files.createDirectories(root.resolve("transactions/data"));
    Path metadata = Files.createDirectories(root.resolve("blocks/metadata"));
    Files.writeString(metadata.resolve("version-hint.text"), "2");
    Files.writeString(metadata.resolve("v2.metadata.json"), "{}");
    Files.writeString(metadata.resolve("v3.metadata.json.tmp"), "{}");
    Files.writeString(metadata.resolve("Zeta.avro"), "z");
    Files.createDirectories(root.resolve(".arexport"));
    Files.writeString(root.resolve(".arexport/lock"), "lock");
    Files.createDirectories(root.resolve("staging/job-1/blocks"));
    // A staging directory given as the warehouse itself: the job's unpublished files.
    Files.createDirectories(root.resolve("job-20261207_214727_7655/blocks/height=0-9"));
    Files.writeString(root.resolve("job-20261207_214727_7655/blocks/height=0-9/b.parquet"), "b");
    Files.createDirectories(root.resolve("blocks/Staging"));
    Files.createSymbolicLink(root.resolve("blocks/escape.parquet"), outside.resolve("secret.txt"));
    Files.createSymbolicLink(root.resolve("blocks/outside-dir"), outside);
    Files.createSymbolicLink(root.resolve("blocks/lock-link"), root.resolve(".arexport/lock"));
    Files.createSymbolicLink(root.resolve("blocks/inside-link"), metadata);
    Files.createSymbolicLink(root.resolve("blocks/broken-link"), temp.resolve("nothing"));
    server = WarehouseServer.start(new ServeRequest(root, "127.0.0.1", 0, BASE, true),
        new PrintStream(accessLog, true, StandardCharsets.UTF_8), Clock.systemUTC());
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + server.address().getPort() + path)).timeout(Duration.ofSeconds(20));
    if (headers.length > 0) {
      builder.headers(headers);
    }
    return client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  static List<String> json(String path) throws Exception {
    HttpResponse<String> response = get(path, "Accept", "application/json");
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode names = new ObjectMapper().readTree(response.body());
    assertThat(names.isArray()).isTrue();
    List<String> list = new ArrayList<>();
    names.forEach(n -> list.add(n.asText()));
    return list;
  }

  /** The links of an HTML listing, in order, as (href, text) pairs. */
  static List<String[]> links(String html) {
    Matcher matcher = Pattern.compile("<a href=\"([^\"]*)\">([^<]*)</a>").matcher(html);
    List<String[]> links = new ArrayList<>();
    while (matcher.find()) {
      links.add(new String[] {matcher.group(1), matcher.group(2)});
    }
    return links;
  }

  @Test
  void jsonListsTheWarehouseRootWithoutDotfilesOrStaging() throws Exception {
    assertThat(json(BASE)).containsExactly("blocks", "transactions");
    assertThat(json(BASE + "/")).containsExactly("blocks", "transactions");
  }

  @Test
  void jsonListsDirectoriesFirstThenFilesByNameIgnoringCase() throws Exception {
    // outside-dir leads out of the warehouse, lock-link onto a hidden path, broken-link nowhere;
    // Staging is a staging directory whatever its case.
    assertThat(json(BASE + "/blocks")).containsExactly("data", "inside-link", "metadata");
    assertThat(json(BASE + "/blocks/metadata/"))
        .containsExactly("v2.metadata.json", "version-hint.text", "Zeta.avro");
    assertThat(json(BASE + "/blocks/data/height=0-999/"))
        .containsExactly("blocks_0_999_j.parquet", "x y <&>\"'.parquet");
    assertThat(json(BASE + "/blocks/inside-link/")).contains("version-hint.text");
  }

  @Test
  void htmlListsWithLinksThatServeWhatTheyName() throws Exception {
    HttpResponse<String> response = get(BASE + "/blocks/data/height=0-999/");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(response.body()).contains("<title>Index of " + BASE
        + "/blocks/data/height=0-999/</title>").contains(">1234<");
    List<String[]> links = links(response.body());
    assertThat(links).extracting(l -> l[1]).containsExactly("../", "blocks_0_999_j.parquet",
        "x y &lt;&amp;&gt;&quot;&#39;.parquet");
    assertThat(links.get(0)[0]).isEqualTo(BASE + "/blocks/data/");
    for (String[] link : links.subList(1, links.size())) {
      String href = link[0].replace("&amp;", "&").replace("&#39;", "'");
      HttpResponse<String> file = get(href);
      assertThat(file.statusCode()).as(href).isEqualTo(200);
    }
    assertThat(get(links.get(2)[0].replace("&amp;", "&").replace("&#39;", "'")).body())
        .hasSize(3);
    assertThat(response.body()).doesNotContain(".part-0");
  }

  @Test
  void htmlOfTheRootHasNoParentLinkAndDirectoriesEndInASlash() throws Exception {
    HttpResponse<String> response = get(BASE + "/", "Accept", "text/html,*/*;q=0.8");

    assertThat(links(response.body())).extracting(l -> l[0] + " " + l[1]).containsExactly(
        BASE + "/blocks/ blocks/", BASE + "/transactions/ transactions/");
    assertThat(response.body()).doesNotContain("arexport").doesNotContain("staging");
  }

  @Test
  void htmlIsTheDefaultAndJsonMustBePreferredToWin() throws Exception {
    assertThat(get(BASE + "/blocks/").headers().firstValue("Content-Type"))
        .hasValue("text/html; charset=utf-8");
    assertThat(get(BASE + "/blocks/", "Accept", "text/html;q=0.5, application/json")
        .headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(get(BASE + "/blocks/", "Accept", "application/json;q=0.5, text/html")
        .headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    HttpResponse<String> plain = get(BASE + "/blocks/metadata", "Accept", "text/plain");
    assertThat(plain.body()).isEqualTo("v2.metadata.json\nversion-hint.text\nZeta.avro\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/.arexport", "/.arexport/", "/staging", "/staging/", "/staging/job-1/",
      "/job-20261207_214727_7655/", "/job-20261207_214727_7655/blocks/height=0-9/",
      "/blocks/Staging/", "/blocks/outside-dir/", "/blocks/outside-dir", "/blocks/../",
      "/blocks/%2e%2e/", "/blocks/missing/"})
  void hiddenEscapingOrMissingDirectoriesAreNotListed(String path) throws Exception {
    for (String accept : List.of("text/html", "application/json")) {
      HttpResponse<String> response = get(BASE + path, "Accept", accept);
      assertThat(response.statusCode()).as(path).isIn(400, 403, 404);
      assertThat(response.body()).doesNotContain(SECRET).doesNotContain("secret.txt")
          .doesNotContain("job-1").doesNotContain("lock");
    }
  }

  @Test
  void outsideTheBasePathNothingIsListed() throws Exception {
    assertThat(get("/").statusCode()).isEqualTo(404);
    assertThat(get("/local/datasets/").statusCode()).isEqualTo(404);
  }

  @Test
  void headAnswersTheListingsHeadersWithoutABody() throws Exception {
    HttpResponse<String> head = client.send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + server.address().getPort() + BASE + "/blocks/"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    int length = get(BASE + "/blocks/").body().getBytes(StandardCharsets.UTF_8).length;

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("Content-Length")).hasValue(Integer.toString(length));
  }

  @Test
  void listingsAreLogged() throws Exception {
    get(BASE + "/transactions/", "Accept", "application/json");
    // The line is written once the exchange is closed, which may be after the client has read
    // the response.
    Pattern line =
        Pattern.compile("GET " + BASE + "/transactions/ 200 \\d+ \\d+ms \\(listing\\)");
    for (int i = 0; i < 200 && !line.matcher(accessLog.toString(StandardCharsets.UTF_8)).find();
        i++) {
      Thread.sleep(25);
    }
    assertThat(accessLog.toString(StandardCharsets.UTF_8)).containsPattern(line);
  }

  @Test
  void withoutTheOptionDirectoriesStay404() throws Exception {
    try (WarehouseServer plain = WarehouseServer.start(
        new ServeRequest(root, "127.0.0.1", 0, BASE), new PrintStream(new ByteArrayOutputStream(),
            true, StandardCharsets.UTF_8), Clock.systemUTC())) {
      for (String path : List.of(BASE, BASE + "/", BASE + "/blocks/")) {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + plain.address().getPort() + path))
            .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(404);
      }
    }
  }
}
