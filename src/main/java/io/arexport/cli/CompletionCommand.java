package io.arexport.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code arexport completion bash|zsh}: prints picocli's generated completion script for every
 * command and option. One script serves both shells: in zsh it loads {@code bashcompinit} first.
 */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    header = "Prints a shell completion script for arexport's commands and options.",
    description = "The script completes command names, option names and, where an option takes"
        + " a file or directory, paths. It is generated from the same definitions as this help,"
        + " so it always matches the installed version. Load it in the current shell with"
        + " 'source <(arexport completion bash)', or install it once (see the examples). The"
        + " zsh script is the same script, run through zsh's bashcompinit.",
    footer = {
        "",
        "Examples:",
        "  # Completion in the current bash or zsh session",
        "  source <(arexport completion bash)",
        "",
        "  # Install for every new bash session of this user",
        "  mkdir -p ~/.local/share/bash-completion/completions",
        "  arexport completion bash > ~/.local/share/bash-completion/completions/arexport",
        "",
        "  # zsh: add to ~/.zshrc",
        "  source <(arexport completion zsh)",
        "",
        "Exit status: 0 ok, 2 usage (a shell other than bash or zsh)."})
final class CompletionCommand implements Callable<Integer> {
  /** The shells the generated script supports. */
  enum TargetShell { bash, zsh }

  private final CommandEnvironment environment;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "SHELL",
      description = "The shell to complete in: ${COMPLETION-CANDIDATES}.")
  TargetShell shell;

  CompletionCommand(CommandEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() {
    environment.out().print(AutoComplete.bash("arexport", spec.root().commandLine()));
    environment.out().flush();
    return ExitCodes.OK;
  }
}
