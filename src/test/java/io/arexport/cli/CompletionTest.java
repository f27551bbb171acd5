package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.testing.Cli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code arexport completion}: the generated script loads in a real bash and completes. */
class CompletionTest {
  private static String script(String shell) {
    Cli.Result run = Cli.run("completion", shell);
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.err()).isEmpty();
    return run.out();
  }

  /** Runs {@code commands} in {@code bash} after sourcing the script; returns stdout. */
  private static String bash(Path script, String commands) throws Exception {
    return run(script, List.of("bash", "-c", "source " + script + "\n" + commands));
  }

  /** Runs {@code commands} in {@code zsh -f} after compinit and sourcing the script. */
  private static String zsh(Path script, String commands) throws Exception {
    return run(script, List.of("zsh", "-f", "-c", "autoload -U compinit; compinit -u -D;"
        + " source " + script + "\n" + commands));
  }

  /** Runs a shell in the script's directory; it must succeed within a minute. Returns stdout. */
  private static String run(Path script, List<String> shell) throws Exception {
    Process process = new ProcessBuilder(shell).directory(script.getParent().toFile()).start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(err).isZero();
    return out;
  }

  /** What bash would offer for the words typed so far (the last one being completed). */
  private static List<String> complete(Path script, String... words) throws Exception {
    return offered(bash(script, completionRequest(words)));
  }

  /** The words the script's function offers in zsh (sh emulation, as bashcompinit runs it). */
  private static List<String> zshComplete(Path script, String... words) throws Exception {
    return offered(zsh(script, "emulate -L sh; setopt kshglob noshglob braceexpand\n"
        + completionRequest(words)));
  }

  /** Sets the completion variables for {@code words}, calls the function, prints its reply. */
  private static String completionRequest(String... words) {
    StringBuilder array = new StringBuilder();
    for (String word : words) {
      array.append(" '").append(word).append("'");
    }
    String line = String.join(" ", words);
    return "COMP_WORDS=(" + array + ")\nCOMP_CWORD=" + (words.length - 1)
        + "\nCOMP_LINE='" + line + "'\nCOMP_POINT=" + line.length()
        + "\n_complete_arexport 2>/dev/null\nprintf '%s\\n' \"${COMPREPLY[@]}\"";
  }

  private static List<String> offered(String out) {
    return out.lines().filter(l -> !l.isBlank()).sorted().toList();
  }

  private static Path write(Path dir, String text) throws IOException {
    Path file = dir.resolve("arexport-completion.bash");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void bashScriptLoadsAndRegistersTheCompletion(@TempDir Path dir) throws Exception {
    Path script = write(dir, script("bash"));

    assertThat(bash(script, "complete -p arexport").trim())
        .isEqualTo("complete -o default -F _complete_arexport arexport");
  }

  @Test
  void completesSubcommandsAndTheirOptions(@TempDir Path dir) throws Exception {
    Path script = write(dir, script("bash"));

    assertThat(complete(script, "arexport", "")).contains("export", "metadata", "verify",
        "serve", "completion");
    assertThat(complete(script, "arexport", "ex")).containsExactly("export");
    assertThat(complete(script, "arexport", "export", "--start"))
        .containsExactlyInAnyOrder("--startHeight", "--start-height");
    assertThat(complete(script, "arexport", "serve", "--ba"))
        .containsExactlyInAnyOrder("--base-path", "--basePath");
    assertThat(complete(script, "arexport", "serve", "--list"))
        .containsExactly("--list-directories");
    assertThat(complete(script, "arexport", "completion", "")).containsExactly("bash", "zsh");
  }

  @Test
  void zshGetsTheSameScriptWhichSetsItselfUpThroughBashcompinit() {
    String zsh = script("zsh");

    assertThat(zsh).isEqualTo(script("bash"));
    assertThat(zsh).contains("ZSH_VERSION").contains("bashcompinit");
  }

  /**
   * The script loads in a real zsh (no user configuration), registers arexport with zsh's
   * completion system, and its function, run as bashcompinit runs it (sh emulation, so arrays
   * count from 0), offers each context's words; zsh itself then keeps those matching what was
   * typed. Needs zsh on PATH: .ci/run installs it, so in CI this never skips.
   */
  @Test
  void zshLoadsTheScriptAndItsFunctionCompletesInContext(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(onPath("zsh"), "zsh is not installed");
    Path script = write(dir, script("zsh"));

    assertThat(zsh(script, "print -r -- ${_comps[arexport]}"))
        .contains("_bash_complete").contains("_complete_arexport");
    assertThat(zshComplete(script, "arexport", ""))
        .contains("export", "metadata", "verify", "serve", "completion");
    assertThat(zshComplete(script, "arexport", "serve", "--ba"))
        .contains("--base-path", "--basePath").doesNotContain("export");
    assertThat(zshComplete(script, "arexport", "completion", "")).containsExactly("bash", "zsh");
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void anotherShellIsAUsageError() {
    Cli.Result fish = Cli.run("completion", "fish");

    assertThat(fish.status()).isEqualTo(2);
    assertThat(fish.errLines().get(0)).contains("fish").contains("bash, zsh");
    assertThat(fish.out()).isEmpty();
  }
}
