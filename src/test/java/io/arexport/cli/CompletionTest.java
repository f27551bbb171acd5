package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.testing.Cli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    Process bash = new ProcessBuilder("bash", "-c", "source " + script + "\n" + commands)
        .redirectErrorStream(false).start();
    bash.getOutputStream().close();
    String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(bash.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bash.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(bash.exitValue()).as(err).isZero();
    return out;
  }

  /** What bash would offer for the words typed so far (the last one being completed). */
  private static List<String> complete(Path script, String... words) throws Exception {
    StringBuilder array = new StringBuilder();
    for (String word : words) {
      array.append(" '").append(word).append("'");
    }
    String line = String.join(" ", words);
    String out = bash(script, "COMP_WORDS=(" + array + ")\nCOMP_CWORD=" + (words.length - 1)
        + "\nCOMP_LINE='" + line + "'\nCOMP_POINT=" + line.length()
        + "\n_complete_arexport 2>/dev/null\nprintf '%s\\n' \"${COMPREPLY[@]}\"");
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

  @Test
  void anotherShellIsAUsageError() {
    Cli.Result fish = Cli.run("completion", "fish");

    assertThat(fish.status()).isEqualTo(2);
    assertThat(fish.errLines().get(0)).contains("fish").contains("bash, zsh");
    assertThat(fish.out()).isEmpty();
  }
}
