package io.arexport.cli;

import io.arexport.ArexportException;
import io.arexport.catalog.Secrets;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine;

/**
 * The one place that turns failures into exit statuses and one line on stderr (contract section
 * 6): 0 ok, 1 runtime failure, 2 usage or invalid input, 3 state conflict, 4 internal error.
 *
 * <p>Two outcomes that are not failures of the program also exit 1, because the contract's
 * codes are what scripts and cron jobs test, and for both the operator's next step is the one
 * for status 1 (look at the report, rerun or {@code --resume}):
 * <ul>
 *   <li>{@link #STOPPED}: an export or verify stopped at a safe point on SIGINT/SIGTERM (see
 *       {@code GracefulStop}). Not 130/143 (128 + signal): one status for "stopped, resume it"
 *       whatever the signal is simpler to script, and the contract lists no other codes;
 *   <li>{@link #VERIFY_DIFFERENCES}: {@code verify} ran to the end and found differences (a failed
 *       check at run time); the report on stdout tells them from an I/O failure, which prints
 *       only one stderr line.
 * </ul>
 */
final class ExitCodes implements CommandLine.IExecutionExceptionHandler,
    CommandLine.IParameterExceptionHandler, CommandLine.IExitCodeExceptionMapper {
  static final int OK = 0;
  static final int RUNTIME_FAILURE = 1;
  static final int INVALID_INPUT = 2;
  static final int STATE_CONFLICT = 3;
  static final int INTERNAL_ERROR = 4;
  /** A run stopped on SIGINT/SIGTERM at a safe point, resumable (see the class comment). */
  static final int STOPPED = RUNTIME_FAILURE;
  /** {@code verify} found differences between the source and the warehouse. */
  static final int VERIFY_DIFFERENCES = RUNTIME_FAILURE;

  private final PrintStream err;

  ExitCodes(PrintStream err) {
    this.err = err;
  }

  static int of(Throwable failure) {
    if (failure instanceof ArexportException known) {
      return switch (known.kind()) {
        case RUNTIME -> RUNTIME_FAILURE;
        case INVALID_INPUT -> INVALID_INPUT;
        case STATE_CONFLICT -> STATE_CONFLICT;
        case STOPPED -> STOPPED;
      };
    }
    return INTERNAL_ERROR;
  }

  @Override
  public int handleExecutionException(Exception failure, CommandLine commandLine,
      CommandLine.ParseResult parseResult) {
    return report(failure, parseResult);
  }

  /**
   * Reports a failure that is not an {@link Exception} (an {@link OutOfMemoryError}, a {@link
   * StackOverflowError}): picocli hands only exceptions to {@link #handleExecutionException} and
   * lets errors through. The same one line and exit status as any internal error.
   */
  int handleError(Error failure, CommandLine.ParseResult parseResult) {
    return report(failure, parseResult);
  }

  private int report(Throwable failure, CommandLine.ParseResult parseResult) {
    int status = of(failure);
    String message = failure instanceof ArexportException
        ? failure.getMessage()
        : "internal error: " + failure;
    err.println("arexport: " + message);
    if (status == INTERNAL_ERROR || stackTraceRequested(parseResult)) {
      if (stackTraceRequested(parseResult)) {
        err.print(scrubbed(stackTrace(failure), parseResult));
      } else {
        err.println("arexport: this is a bug; rerun with --stacktrace and report the trace");
      }
    }
    err.flush();
    return status;
  }

  @Override
  public int handleParseException(CommandLine.ParameterException failure, String[] args) {
    CommandLine command = failure.getCommandLine();
    if (failure instanceof CommandLine.MissingParameterException
        && !command.getUnmatchedArguments().isEmpty()) {
      // A mistyped option ('--startHieght') makes the option it meant missing; picocli reports
      // the missing one, the typo is what to fix.
      failure = new CommandLine.UnmatchedArgumentException(command,
          command.getUnmatchedArguments());
    }
    String message = inTheCallersSpelling(failure.getMessage(), command.getCommandSpec(), args);
    if (failure instanceof CommandLine.UnmatchedArgumentException unmatched) {
      List<String> typed = unmatched.getUnmatched();
      boolean kebab = !typed.isEmpty() && typed.get(0).replaceFirst("^-+", "").contains("-");
      List<String> suggestions = suggestions(unmatched.getSuggestions(), command.getCommandSpec(),
          kebab);
      if (!suggestions.isEmpty()) {
        message += "; did you mean " + String.join(" or ", suggestions) + "?";
      }
    }
    // One line, as for every other error: the hint rides on it.
    err.println("arexport: " + message + " (see '"
        + command.getCommandSpec().qualifiedName() + " --help')");
    err.flush();
    return INVALID_INPUT;
  }

  /**
   * picocli names an option by its longest spelling ({@code '--start-height'}), whichever one
   * was typed; an operator who wrote the gateway's {@code --startHeight} would not recognise
   * it. This names it as the command line spelled it, or, when it is not on the command line (a
   * missing option), by its first spelling: the one the help lists first.
   */
  static String inTheCallersSpelling(String message, CommandLine.Model.CommandSpec command,
      String[] args) {
    String result = message;
    for (CommandLine.Model.OptionSpec option : command.options()) {
      String picocliName = option.longestName();
      if (option.names().length < 2 || !result.contains("'" + picocliName)) {
        continue;
      }
      String spelling = option.names()[0];
      for (String name : option.names()) {
        if (Arrays.stream(args).anyMatch(a -> a.equals(name) || a.startsWith(name + "="))) {
          spelling = name;
        }
      }
      result = result.replace("'" + picocliName + "'", "'" + spelling + "'")
          .replace("'" + picocliName + "=", "'" + spelling + "=");
    }
    return result;
  }

  /**
   * picocli's suggestions, most similar first, at most three, one per option: each option has a
   * camelCase and a kebab-case spelling, and the one in the typo's style is named.
   */
  private static List<String> suggestions(List<String> similar,
      CommandLine.Model.CommandSpec command, boolean kebab) {
    Set<Object> seen = new HashSet<>();
    List<String> result = new ArrayList<>();
    for (String name : similar) {
      CommandLine.Model.OptionSpec option = command.findOption(name);
      if (option == null) {
        if (seen.add(name) && result.size() < 3) {
          result.add(name);
        }
      } else if (seen.add(option) && result.size() < 3) {
        result.add(Arrays.stream(option.names())
            .filter(n -> n.startsWith("--") && n.substring(2).contains("-") == kebab)
            .findFirst().orElse(name));
      }
    }
    return result;
  }

  @Override
  public int getExitCode(Throwable failure) {
    return of(failure);
  }

  private static String stackTrace(Throwable failure) {
    StringWriter trace = new StringWriter();
    failure.printStackTrace(new PrintWriter(trace));
    return trace.toString();
  }

  /**
   * The trace without the command's catalog secrets: a library's exception in the cause chain
   * (a JDBC driver's "Failed to connect: jdbc:postgresql://user:pw@...") carries them as given.
   */
  private static String scrubbed(String trace, CommandLine.ParseResult parseResult) {
    String result = trace;
    for (CommandLine.ParseResult current = parseResult; current != null;
        current = current.subcommand()) {
      for (CommandLine.Model.CommandSpec mixin : current.commandSpec().mixins().values()) {
        if (mixin.userObject() instanceof CatalogOptions catalog) {
          result = catalog.scrub(result);
        }
      }
    }
    return withoutUriCredentials(result);
  }

  /** {@code failure}'s stack trace scrubbed as {@link #scrubbed} does, for a command's options. */
  static String scrubbedStackTrace(Throwable failure, CatalogOptions catalog) {
    return withoutUriCredentials(catalog.scrub(stackTrace(failure)));
  }

  /** Whatever else looks like a credential in a URI, line by line (a URI a library built). */
  private static String withoutUriCredentials(String trace) {
    return trace.lines().map(Secrets::redactUri)
        .collect(Collectors.joining(System.lineSeparator(), "", System.lineSeparator()));
  }

  private static boolean stackTraceRequested(CommandLine.ParseResult parseResult) {
    CommandLine.ParseResult current = parseResult;
    while (current != null) {
      if (current.hasMatchedOption("--stacktrace")) {
        return true;
      }
      current = current.subcommand();
    }
    return false;
  }
}
