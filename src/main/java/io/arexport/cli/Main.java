package io.arexport.cli;

import io.arexport.Cancellation;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import picocli.CommandLine;

/**
 * Entry point. {@link #run} does all the work and returns the exit status, so tests call it
 * in-process; only {@link #main} exits the JVM.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // A signal that cannot wait for the command ends the JVM from here too: stdout first, so a
    // summary already printed is not lost with the buffer.
    GracefulStop stop = GracefulStop.install(System.err, GracefulStop.GRACE, status -> {
      System.out.flush();
      System.exit(status);
    }, status -> {
      System.out.flush();
      Runtime.getRuntime().halt(status);
    });
    int status = run(args, System.out, System.err, System.getenv(), Clock.systemUTC(), stop);
    // At once: a second signal from now on must not turn the command's status (a clean stop)
    // into the status of an interrupted one.
    stop.finished();
    System.out.flush();
    System.err.flush();
    System.exit(status);
  }

  /** Runs one command line; returns the exit status (see {@link ExitCodes}). */
  public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env,
      Clock clock) {
    return run(args, out, err, env, clock, StopRequests.NONE);
  }

  /**
   * Runs one command line that stops at its next safe point once {@code cancellation} is
   * requested; returns the exit status (see {@link ExitCodes}).
   */
  public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env,
      Clock clock, Cancellation cancellation) {
    return run(args, out, err, env, clock, () -> cancellation);
  }

  private static int run(String[] args, PrintStream out, PrintStream err,
      Map<String, String> env, Clock clock, StopRequests stopRequests) {
    CommandEnvironment environment = new CommandEnvironment(out, err, env, clock,
        ProcessHandle.current().pid(), stopRequests);
    CommandLine commandLine = new CommandLine(new ArexportCommand(), new CommandFactory(environment));
    commandLine.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    commandLine.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    // As the seed's bash parser did: a repeated option overrides (wrapper scripts pass defaults
    // first and let the caller's arguments override them).
    commandLine.setOverwrittenOptionsAllowed(true);
    commandLine.registerConverter(Path.class, new PathConverter());
    OptionalInt columns = Terminal.columns(env);
    if (columns.isPresent()) {
      commandLine.setUsageHelpWidth(Math.max(Terminal.MIN_HELP_COLUMNS, columns.getAsInt()));
    } else {
      commandLine.setUsageHelpAutoWidth(true);
    }
    layOutHelp(commandLine);
    ExitCodes exitCodes = new ExitCodes(err);
    commandLine.setExecutionExceptionHandler(exitCodes);
    commandLine.setParameterExceptionHandler(exitCodes);
    commandLine.setExitCodeExceptionMapper(exitCodes);
    try {
      return commandLine.execute(args);
    } catch (Error failure) {
      return exitCodes.handleError(failure, commandLine.getParseResult());
    }
  }

  /**
   * One layout for every command's help, those added later included: the usage line first, then
   * the one-sentence header and the description, each section after a blank line. The header is
   * also what the top-level command list shows, so it is always one complete sentence.
   */
  private static void layOutHelp(CommandLine command) {
    List<String> sections = new ArrayList<>(command.getHelpSectionKeys());
    sections.remove(CommandLine.Model.UsageMessageSpec.SECTION_KEY_HEADER_HEADING);
    sections.remove(CommandLine.Model.UsageMessageSpec.SECTION_KEY_HEADER);
    int description = sections.indexOf(
        CommandLine.Model.UsageMessageSpec.SECTION_KEY_DESCRIPTION_HEADING);
    sections.addAll(description, List.of(
        CommandLine.Model.UsageMessageSpec.SECTION_KEY_HEADER_HEADING,
        CommandLine.Model.UsageMessageSpec.SECTION_KEY_HEADER));
    command.setHelpSectionKeys(sections);
    CommandLine.Model.UsageMessageSpec usage = command.getCommandSpec().usageMessage();
    if (usage.header().length > 0) {
      usage.headerHeading("%n");
    } else {
      usage.descriptionHeading("%n");
    }
    usage.parameterListHeading("%nParameters:%n");
    usage.optionListHeading("%nOptions:%n");
    usage.commandListHeading("%nCommands:%n");
    for (CommandLine subcommand : command.getSubcommands().values()) {
      layOutHelp(subcommand);
    }
  }

  /** Lets picocli build commands that receive the environment instead of reading globals. */
  private record CommandFactory(CommandEnvironment environment) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> type) throws Exception {
      try {
        return type.getDeclaredConstructor(CommandEnvironment.class).newInstance(environment);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(type);
      }
    }
  }
}
