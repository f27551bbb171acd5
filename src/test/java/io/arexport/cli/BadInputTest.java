package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.testing.ChildJvm;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SampleDatabases.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input (contract section 6): exit status 2, one line on stderr that names the bad value or
 * path, no stack trace unless {@code --stacktrace}, nothing on stdout, and the warehouse is not
 * touched, not even created.
 *
 * <p>Errors found by picocli while parsing the command line (a value that is not a number, an
 * unknown or missing option, an empty path) end their line with a fixed hint, {@code (see
 * 'arexport export --help')}, asserted exactly.
 */
class BadInputTest {
  private static final String USAGE_HINT = " (see 'arexport export --help')";

  @TempDir static Path fixtures;
  static Path good;
  static Path notSqlite;
  static Path missingTable;
  static Path missingColumn;
  static Path regularFile;

  @BeforeAll
  static void generate() throws Exception {
    good = fixtures.resolve("good");
    SampleDatabases.generate(Spec.small(), good.resolve("core.db"), good.resolve("bundles.db"));
    byte[] noise = new byte[64 * 1024];
    new SplittableRandom(1).nextBytes(noise);
    notSqlite = Files.write(fixtures.resolve("noise.db"), noise);
    regularFile = Files.writeString(fixtures.resolve("a-file"), "not a directory\n");
    missingTable = copyWith(good.resolve("bundles.db"), "bundles-no-tags.db",
        "DROP TABLE stable_data_item_tags");
    missingColumn = copyWith(good.resolve("core.db"), "core-no-tx-count.db",
        "ALTER TABLE stable_blocks DROP COLUMN tx_count");
  }

  private static Path copyWith(Path db, String name, String change) throws Exception {
    Path copy = fixtures.resolve(name);
    try (Connection source = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement sql = source.createStatement()) {
      sql.execute("VACUUM INTO '" + copy + "'");
    }
    try (Connection target = DriverManager.getConnection("jdbc:sqlite:" + copy);
        Statement sql = target.createStatement()) {
      sql.execute(change);
    }
    return copy;
  }

  /**
   * A bad command line: how to build it from good paths, and what its one line must name (one of
   * several spellings separated by '|').
   */
  record Case(String name, Function<ExportArgs, List<String>> args,
      Function<ExportArgs, String> named, boolean parseError) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> badInputs() {
    return Stream.of(
        bad("missing core db", p -> replace(p, "--coreDb", fixtures.resolve("absent/core.db")),
            p -> fixtures.resolve("absent/core.db").toString()),
        bad("missing bundles db",
            p -> replace(p, "--bundlesDb", fixtures.resolve("absent/bundles.db")),
            p -> fixtures.resolve("absent/bundles.db").toString()),
        bad("core db is random bytes", p -> replace(p, "--coreDb", notSqlite),
            p -> notSqlite.toString()),
        bad("bundles db is random bytes", p -> replace(p, "--bundlesDb", notSqlite),
            p -> notSqlite.toString()),
        bad("bundles db without stable_data_item_tags",
            p -> replace(p, "--bundlesDb", missingTable), p -> "stable_data_item_tags"),
        bad("core db without stable_blocks.tx_count",
            p -> replace(p, "--coreDb", missingColumn), p -> "tx_count"),
        bad("startHeight > endHeight", p -> with(p, "--startHeight", "300", "--endHeight", "200"),
            p -> "300"),
        bad("negative height", p -> with(p, "--startHeight", "-5"),
            p -> "--startHeight must not be negative: -5"),
        bad("negative end height", p -> with(p, "--startHeight", "0", "--endHeight", "-1"),
            p -> "--endHeight must not be negative: -1"),
        parse("non-numeric height", p -> with(p, "--endHeight", "12x"), p -> "'12x'"),
        bad("heightPartitionSize 0", p -> with(p, "--heightPartitionSize", "0"),
            p -> "heightPartitionSize must be at least 1: 0"),
        bad("maxFileRows 0", p -> with(p, "--maxFileRows", "0"),
            p -> "maxFileRows must be at least 1: 0"),
        bad("unknown compression", p -> with(p, "--compression", "lz5"), p -> "'lz5'"),
        bad("warehouse under a regular file",
            p -> replace(p, "--warehouseDir", regularFile.resolve("warehouse")),
            p -> regularFile.resolve("warehouse").toString()),
        bad("staging under a regular file",
            p -> replace(p, "--stagingDir", regularFile.resolve("staging")),
            p -> regularFile.resolve("staging").toString()),
        bad("warehouse is a regular file", p -> replace(p, "--warehouseDir", regularFile),
            p -> regularFile + " is not a directory"),
        // Staged files there would be read as the table's (globs, serve, verify).
        bad("staging inside a table of the warehouse",
            p -> replace(p, "--stagingDir", p.warehouseDir().resolve("blocks/data")),
            p -> "inside table blocks"),
        // An unset variable: never the current directory.
        parse("empty warehouseDir", p -> with(p, "--warehouseDir", ""), p -> "empty path"),
        parse("empty stagingDir", p -> with(p, "--stagingDir", " "), p -> "empty path"),
        parse("empty coreDb", p -> with(p, "--coreDb", ""), p -> "empty path"),
        parse("unknown option", p -> with(p, "--bogus"), p -> "--bogus"),
        // Not on the command line: named by its first spelling, the one the help lists first.
        parse("missing --startHeight", p -> without(p, "--startHeight"),
            p -> "Missing required option: '--startHeight=HEIGHT'"),
        // The option it meant is missing too; the typo is what to fix.
        parse("mistyped --startHeight", p -> {
          List<String> args = without(p, "--startHeight");
          args.addAll(List.of("--startHieght", "100"));
          return args;
        }, p -> "Unknown options: '--startHieght', '100'; did you mean --startHeight or"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("badInputs")
  void badInputExitsWithOneLine(Case bad, @TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(good, work);

    Cli.Result result = Cli.run(bad.args().apply(paths).toArray(String[]::new));

    assertThat(result.status()).as(result.err()).isEqualTo(2);
    List<String> lines = result.errLines();
    assertThat(lines).as("stderr").hasSize(1);
    assertThat(lines.get(0)).startsWith("arexport: ")
        .containsAnyOf(bad.named().apply(paths).split("\\|"));
    if (bad.parseError()) {
      assertThat(lines.get(0)).endsWith(USAGE_HINT);
    }
    assertThat(result.err()).doesNotContain("\tat ").doesNotContain("Exception in");
    assertThat(result.out()).isEmpty();
    assertThat(paths.warehouseDir()).as("warehouse not created").doesNotExist();
    assertThat(regularFile).isRegularFile().hasContent("not a directory");
  }

  /** A few cases again in a real process, where logging and native libraries could print too. */
  static Stream<Arguments> inASeparateJvm() {
    return badInputs().filter(a -> List.of("core db is random bytes",
        "bundles db without stable_data_item_tags", "non-numeric height")
        .contains(((Case) a.get()[0]).name()));
  }

  /** The same in a real process: nothing else (logging, native libraries) reaches stderr. */
  @ParameterizedTest(name = "[{index}] {0}, in a separate JVM")
  @MethodSource("inASeparateJvm")
  void oneLineFromTheRealProcess(Case bad, @TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(good, work);
    try (ChildJvm child = ChildJvm.start(List.of(), Map.of(), work,
        bad.args().apply(paths).toArray(String[]::new))) {
      assertThat(child.waitFor(60)).as(child.err()).isEqualTo(2);
      List<String> lines = child.err().lines().filter(l -> !l.isBlank()).toList();
      assertThat(lines).hasSize(1);
      assertThat(lines.get(0)).startsWith("arexport: ")
          .containsAnyOf(bad.named().apply(paths).split("\\|"));
      assertThat(child.out()).isEmpty();
    }
    assertThat(paths.warehouseDir()).doesNotExist();
  }

  /** picocli names an option by its longest spelling; the line names it as it was typed. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--endHeight", "--end-height"})
  void aBadValueNamesTheOptionAsItWasTyped(String spelling, @TempDir Path work) {
    List<String> args = without(ExportArgs.of(good, work), "--endHeight");
    args.addAll(List.of(spelling, "12x"));

    Cli.Result result = Cli.run(args.toArray(String[]::new));

    assertThat(result.status()).isEqualTo(2);
    assertThat(result.errLines()).containsExactly("arexport: Invalid value for option '"
        + spelling + "': '12x' is not a long" + USAGE_HINT);
  }

  @Test
  void aMistypedCommandGetsASuggestion() {
    Cli.Result result = Cli.run("exprot", "--startHeight", "1");

    assertThat(result.status()).isEqualTo(2);
    assertThat(result.errLines()).hasSize(1);
    assertThat(result.errLines().get(0))
        .startsWith("arexport: Unmatched arguments from index 0: 'exprot', '--startHeight', '1';"
            + " did you mean export")
        .endsWith(" (see 'arexport --help')");
  }

  @Test
  void stacktraceOptionPrintsTheTrace(@TempDir Path work) {
    ExportArgs paths = ExportArgs.of(good, work);
    List<String> args = replace(paths, "--coreDb", fixtures.resolve("absent/core.db"));
    args.add("--stacktrace");

    Cli.Result result = Cli.run(args.toArray(String[]::new));

    assertThat(result.status()).isEqualTo(2);
    assertThat(result.errLines().get(0)).startsWith("arexport: coreDb database not found: ");
    assertThat(result.err()).contains("InvalidInputException").contains("\tat io.arexport.");
    assertThat(paths.warehouseDir()).doesNotExist();
  }

  // --- command-line builders -------------------------------------------------------------------

  private static Arguments bad(String name, Function<ExportArgs, List<String>> args,
      Function<ExportArgs, String> named) {
    return Arguments.of(new Case(name, args, named, false));
  }

  private static Arguments parse(String name, Function<ExportArgs, List<String>> args,
      Function<ExportArgs, String> named) {
    return Arguments.of(new Case(name, args, named, true));
  }

  private static List<String> base(ExportArgs paths) {
    return new ArrayList<>(List.of(paths.export(100, 349, 50)));
  }

  /** The good command line with {@code option}'s value replaced (or the option added). */
  private static List<String> with(ExportArgs paths, String... optionValues) {
    List<String> args = base(paths);
    for (int i = 0; i < optionValues.length; i++) {
      String option = optionValues[i];
      int at = args.indexOf(option);
      boolean hasValue = i + 1 < optionValues.length && !optionValues[i + 1].startsWith("--");
      if (at >= 0 && hasValue) {
        args.set(at + 1, optionValues[++i]);
      } else {
        args.add(option);
        if (hasValue) {
          args.add(optionValues[++i]);
        }
      }
    }
    return args;
  }

  private static List<String> replace(ExportArgs paths, String option, Path value) {
    return with(paths, option, value.toString());
  }

  private static List<String> without(ExportArgs paths, String option) {
    List<String> args = base(paths);
    int at = args.indexOf(option);
    args.remove(at + 1);
    args.remove(at);
    return args;
  }
}
