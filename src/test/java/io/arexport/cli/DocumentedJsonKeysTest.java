package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code --json} keys are an interface: every key a command prints is named in its section of
 * the docs. Runs each command on sample data, in states that fill the optional objects (a staging
 * job, Iceberg metadata, a sync record), and looks each key up among the backticked words of the
 * section. A key added without its documentation fails here.
 */
class DocumentedJsonKeysTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Keys that are data, not names: the tables of {@code tables.<table>}. */
  private static final Set<String> TABLE_NAMES = Set.of("blocks", "transactions", "tags");
  private static final Path DOCS = Path.of("docs");

  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  @Test
  void everyKeyACommandPrintsIsDocumented(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    String[] l1 = {"--includeL1Transactions", "--includeL1Tags"};
    Cli.Result stopped = Cli.runUntil(err -> err.contains("[1/"), paths.export(100, 349, 50,
        "--includeL1Transactions", "--includeL1Tags", "--threads", "1"));
    assertThat(stopped.status()).as(stopped.err()).isEqualTo(1);
    Map<String, JsonNode> printed = new LinkedHashMap<>();
    printed.put("status, a stopped job", json(Cli.run("status", "--json",
        "--warehouseDir", paths.warehouseDir().toString(),
        "--stagingDir", paths.stagingDir().toString(),
        "--coreDb", paths.coreDb().toString(), "--bundlesDb", paths.bundlesDb().toString())));
    printed.put("export", json(Cli.run(paths.export(100, 349, 50, withJson(l1)))));
    printed.put("metadata", json(Cli.run("metadata", "--json", "--warehouseDir",
        paths.warehouseDir().toString())));
    printed.put("maintain", json(Cli.run("maintain", "--json", "--warehouseDir",
        paths.warehouseDir().toString())));
    printed.put("sync", json(Cli.run("sync", "--json", "--heightPartitionSize", "50",
        "--includeL1Transactions", "--includeL1Tags", "--coreDb", paths.coreDb().toString(),
        "--bundlesDb", paths.bundlesDb().toString(), "--stagingDir",
        paths.stagingDir().toString(), "--warehouseDir", paths.warehouseDir().toString())));
    printed.put("status", json(Cli.run("status", "--json",
        "--warehouseDir", paths.warehouseDir().toString(),
        "--stagingDir", paths.stagingDir().toString(),
        "--coreDb", paths.coreDb().toString(), "--bundlesDb", paths.bundlesDb().toString())));
    printed.put("verify", json(Cli.run("verify", "--json", "--deep", "--startHeight", "100",
        "--endHeight", "349", "--heightPartitionSize", "50", "--includeL1Transactions",
        "--includeL1Tags", "--coreDb", paths.coreDb().toString(),
        "--bundlesDb", paths.bundlesDb().toString(),
        "--warehouseDir", paths.warehouseDir().toString())));

    Map<String, Set<String>> documented = Map.of(
        "export", words(section("operations.md", "## `export --json` and `metadata --json` keys")),
        "metadata", words(section("operations.md",
            "## `export --json` and `metadata --json` keys")),
        "maintain", words(Files.readString(DOCS.resolve("iceberg.md"))),
        "sync", words(section("operations.md", "### `sync --json` keys")),
        "status", words(section("operations.md", "### `status --json` keys")),
        "verify", words(section("verify.md", "## Output")));
    printed.forEach((run, output) -> {
      String command = run.split(",")[0];
      Set<String> missing = new TreeSet<>(keys(output));
      missing.removeAll(documented.get(command));
      assertThat(missing).as("keys of " + run + " --json not in its docs section").isEmpty();
    });
    // The check can fail: the sections are found and name keys, and an invented one is missing.
    assertThat(documented.get("status")).contains("stagingJobs", "resumeCommand");
    assertThat(documented.get("export")).doesNotContain("rowsPerSecond");
  }

  private static String[] withJson(String[] extra) {
    List<String> args = new ArrayList<>(List.of(extra));
    args.add("--json");
    return args.toArray(String[]::new);
  }

  private static JsonNode json(Cli.Result result) throws IOException {
    assertThat(result.status()).as(result.err()).isZero();
    return JSON.readTree(result.out());
  }

  /** Every object key in {@code node}, at any depth, except the table names of a table map. */
  private static Set<String> keys(JsonNode node) {
    Set<String> keys = new HashSet<>();
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!TABLE_NAMES.contains(field.getKey())) {
          keys.add(field.getKey());
        }
        keys.addAll(keys(field.getValue()));
      }
    } else if (node.isArray()) {
      node.forEach(element -> keys.addAll(keys(element)));
    }
    return keys;
  }

  /** The text from {@code heading} to the next heading of the same or a higher level. */
  private static String section(String file, String heading) throws IOException {
    String text = Files.readString(DOCS.resolve(file));
    int start = text.indexOf("\n" + heading + "\n");
    assertThat(start).as(heading + " in docs/" + file).isNotNegative();
    String level = heading.substring(0, heading.indexOf(' ') + 1);
    Matcher next = Pattern.compile("\n#{1," + (level.length() - 1) + "} ").matcher(text);
    int end = next.find(start + heading.length() + 1) ? next.start() : text.length();
    return text.substring(start, end);
  }

  /**
   * The identifiers inside backticks ({@code `tables.<table>.rows`} names tables, table, rows),
   * and in fenced examples the quoted ones ({@code "findings": [...]}).
   */
  private static Set<String> words(String text) {
    Set<String> words = new HashSet<>();
    StringBuilder prose = new StringBuilder();
    boolean fenced = false;
    for (String line : text.split("\n", -1)) {
      if (line.strip().startsWith("```")) {
        fenced = !fenced;
      } else if (fenced) {
        addIdentifiers(Pattern.compile("\"([^\"]+)\"\\s*:").matcher(line), words);
      } else {
        prose.append(line).append('\n');
      }
    }
    addIdentifiers(Pattern.compile("`([^`]+)`").matcher(prose), words);
    return words;
  }

  private static void addIdentifiers(Matcher quoted, Set<String> words) {
    while (quoted.find()) {
      Matcher word = Pattern.compile("[A-Za-z][A-Za-z0-9]*").matcher(quoted.group(1));
      while (word.find()) {
        words.add(word.group());
      }
    }
  }
}
