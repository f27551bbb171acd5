package io.arexport.cli;

import io.arexport.ArexportException;
import java.io.PrintStream;
import picocli.CommandLine;

/**
 * The one place that turns failures into exit statuses and one line on stderr (contract section
 * 6): 0 ok, 1 runtime failure, 2 usage or invalid input, 3 state conflict, 4 internal error.
 */
final class ExitCodes implements CommandLine.IExecutionExceptionHandler,
    CommandLine.IParameterExceptionHandler, CommandLine.IExitCodeExceptionMapper {
  static final int OK = 0;
  static final int RUNTIME_FAILURE = 1;
  static final int INVALID_INPUT = 2;
  static final int STATE_CONFLICT = 3;
  static final int INTERNAL_ERROR = 4;

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
      };
    }
    return INTERNAL_ERROR;
  }

  @Override
  public int handleExecutionException(Exception failure, CommandLine commandLine,
      CommandLine.ParseResult parseResult) {
    int status = of(failure);
    String message = failure instanceof ArexportException
        ? failure.getMessage()
        : "internal error: " + failure;
    err.println("arexport: " + message);
    if (status == INTERNAL_ERROR || stackTraceRequested(parseResult)) {
      if (stackTraceRequested(parseResult)) {
        failure.printStackTrace(err);
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
    err.println("arexport: " + failure.getMessage());
    err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for usage.");
    err.flush();
    return INVALID_INPUT;
  }

  @Override
  public int getExitCode(Throwable failure) {
    return of(failure);
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
