package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.testing.Cli;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every command's help, at the widths operators' terminals have: fitted to the width, prose
 * reflowed rather than broken by hard newlines, one sentence per command in the command list,
 * and examples. The commands are taken from the command tree, so a command added later is held
 * to the same rules.
 */
class HelpTest {
  /** Wide enough that picocli wraps nothing: every line break left is a hard one. */
  private static final int UNWRAPPED = 1000;

  static List<String> commands() {
    List<String> names = new ArrayList<>();
    names.add("");
    CommandLine root = new CommandLine(new ArexportCommand(), new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        try {
          return type.getDeclaredConstructor(CommandEnvironment.class).newInstance((Object) null);
        } catch (NoSuchMethodException e) {
          return CommandLine.defaultFactory().create(type);
        }
      }
    });
    names.addAll(root.getSubcommands().keySet());
    return names;
  }

  static Stream<Arguments> commandsAndWidths() {
    return commands().stream().flatMap(c -> Stream.of(Arguments.of(c, 80), Arguments.of(c, 120)));
  }

  private static Cli.Result help(String command, int columns) {
    Map<String, String> env = Map.of("COLUMNS", Integer.toString(columns));
    return command.isEmpty() ? Cli.run(env, "--help") : Cli.run(env, command, "--help");
  }

  @ParameterizedTest(name = "arexport {0} --help at {1} columns")
  @MethodSource("commandsAndWidths")
  void helpFitsTheTerminalWidth(String command, int columns) {
    Cli.Result help = help(command, columns);

    assertThat(help.status()).isZero();
    assertThat(help.err()).isEmpty();
    assertThat(help.out().lines()).as("lines longer than %d columns", columns)
        .allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(columns));
    // The width was applied, not merely respected: the description fills most of the width.
    int longest = help.out().lines().mapToInt(String::length).max().orElse(0);
    assertThat(longest).isGreaterThan(columns - 20);
  }

  @ParameterizedTest(name = "arexport {0} --help")
  @MethodSource("commands")
  void proseIsReflowedNotHardWrapped(String command) {
    List<String> lines = help(command, UNWRAPPED).out().lines().toList();

    boolean inExamples = false;
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      if (line.equals("Examples:")) {
        inExamples = true;
        continue;
      }
      if (inExamples && line.startsWith(" ")) {
        continue; // commands and their comments keep their own lines
      }
      inExamples = false;
      if (line.startsWith("Usage: ") || isOptionNamesOnly(line)) {
        continue;
      }
      assertThat(line).as("a line of prose ends where its sentence or heading does")
          .matches(".*[.:)]$");
    }
  }

  /**
   * picocli wraps a line longer than the terminal inside a word ({@code s3:} / {@code
   * //bucket}), and a command pasted from such help runs something else: examples are written to
   * fit 80 columns, continued with backslashes.
   */
  @ParameterizedTest(name = "arexport {0} --help")
  @MethodSource("commands")
  void examplesFitEightyColumnsSoTheyPasteWhole(String command) {
    List<String> lines = help(command, UNWRAPPED).out().lines().toList();
    int examples = lines.indexOf("Examples:");
    for (String line : lines.subList(examples + 1, lines.size())) {
      if (!line.isEmpty() && !line.startsWith(" ")) {
        break;
      }
      assertThat(line.length()).as(line).isLessThanOrEqualTo(80);
    }
  }

  @ParameterizedTest(name = "arexport {0} --help")
  @MethodSource("commands")
  void everyCommandHasExamples(String command) {
    List<String> lines = help(command, 80).out().lines().toList();

    int examples = lines.indexOf("Examples:");
    assertThat(examples).as("an Examples: section").isNotNegative();
    List<String> commandLines = lines.subList(examples, lines.size()).stream()
        .filter(l -> l.matches("  (arexport|source) .*")).toList();
    assertThat(commandLines).as("example command lines").isNotEmpty();
    if (!command.isEmpty()) {
      assertThat(commandLines).anyMatch(l -> l.contains("arexport " + command));
    }
  }

  @ParameterizedTest(name = "at {0} columns")
  @MethodSource("widths")
  void commandListShowsOneCompleteSentencePerCommand(int columns) {
    List<String> lines = help("", UNWRAPPED).out().lines().toList();
    int start = lines.indexOf("Commands:");
    assertThat(start).isNotNegative();
    Pattern row = Pattern.compile("  (\\S+) +(.*)");
    List<String> listed = new ArrayList<>();
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.isBlank()) {
        break;
      }
      Matcher matcher = row.matcher(line);
      assertThat(matcher.matches()).as(line).isTrue();
      listed.add(matcher.group(1));
      assertThat(matcher.group(2)).as("one sentence: capital first, one full stop at the end")
          .matches("[A-Z][^.]*( [^.\\s]+\\.[^.\\s]+[^.]*)*\\.")
          .doesNotContain(". ");
    }
    assertThat(listed).containsExactlyElementsOf(commands().subList(1, commands().size()));

    // Wrapped to a real terminal, each entry still reads as the same sentence.
    String wrapped = help("", columns).out();
    for (String line : lines.subList(start + 1, start + 1 + listed.size())) {
      String sentence = line.replaceFirst("  \\S+ +", "");
      assertThat(wrapped.replaceAll("\\s+", " ")).contains(sentence);
    }
  }

  static List<Integer> widths() {
    return List.of(80, 120);
  }

  /** An option row whose names overflow their column: its description follows on the next line. */
  private static boolean isOptionNamesOnly(String line) {
    return line.matches(" +-\\S.*") && !line.trim().contains("   ");
  }

  @ParameterizedTest(name = "arexport help {0}")
  @MethodSource("commands")
  void theHelpCommandPrintsWhatHelpOptionPrints(String command) {
    Map<String, String> env = Map.of("COLUMNS", "100");
    Cli.Result helpCommand = command.isEmpty() ? Cli.run(env, "help")
        : Cli.run(env, "help", command);

    assertThat(helpCommand.status()).as(helpCommand.err()).isZero();
    assertThat(helpCommand.err()).isEmpty();
    assertThat(helpCommand.out()).isEqualTo(help(command, 100).out());
  }

  @Test
  void theHelpOfACommandThereIsNotIsOneLineExitTwo() {
    Cli.Result result = Cli.run("help", "exprot");
    assertThat(result.status()).isEqualTo(2);
    assertThat(result.errLines()).singleElement().asString()
        .startsWith("arexport: no command 'exprot' (commands: export, sync, ");
    assertThat(result.out()).isEmpty();
  }
}
