package io.arexport.cli;

import io.arexport.ArexportException;
import java.io.PrintStream;
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
    // One line, as for every other error: the hint rides on it.
    err.println("arexport: " + failure.getMessage() + " (see '"
        + command.getCommandSpec().qualifiedName() + " --help')");
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
