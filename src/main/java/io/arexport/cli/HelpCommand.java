package io.arexport.cli;

import io.arexport.InvalidInputException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code arexport help [COMMAND]}: the same help as {@code arexport [COMMAND] --help}, for the
 * operators who type it the git way. (Without it, {@code arexport help export} was read as an
 * export missing its options.)
 */
@Command(
    name = "help",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    header = "Prints the help of arexport or of one of its commands.",
    description = "The same text as 'arexport --help' or 'arexport COMMAND --help': the"
        + " command's options, examples and exit statuses, fitted to the terminal's width. It goes"
        + " to standard output, so it can be paged or searched ('arexport help export | less').",
    footer = {
        "",
        "Examples:",
        "  # The commands",
        "  arexport help",
        "",
        "  # One command's options and examples",
        "  arexport help export",
        "",
        "Exit status: 0 ok, 2 usage (a command arexport does not have)."})
final class HelpCommand implements Callable<Integer> {
  private final CommandEnvironment environment;

  @Spec CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "COMMAND", description = "The command to describe.")
  String command;

  HelpCommand(CommandEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() {
    CommandLine root = spec.root().commandLine();
    CommandLine described = command == null ? root : root.getSubcommands().get(command);
    if (described == null) {
      throw new InvalidInputException("no command '" + command + "' (commands: "
          + String.join(", ", root.getSubcommands().keySet()) + ")");
    }
    described.usage(environment.out(), described.getColorScheme());
    environment.out().flush();
    return ExitCodes.OK;
  }
}
