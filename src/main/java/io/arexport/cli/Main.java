package io.arexport.cli;

import io.arexport.Cancellation;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import picocli.CommandLine;

/**
 * Entry point. {@link #run} does all the work and returns the exit status, so tests call it
 * in-process; only {@link #main} exits the JVM.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    GracefulStop stop = GracefulStop.install(System.err, GracefulStop.GRACE);
    int status = run(args, System.out, System.err, System.getenv(), Clock.systemUTC(), stop);
    System.out.flush();
    System.err.flush();
    stop.finished(status);
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
    ExitCodes exitCodes = new ExitCodes(err);
    commandLine.setExecutionExceptionHandler(exitCodes);
    commandLine.setParameterExceptionHandler(exitCodes);
    commandLine.setExitCodeExceptionMapper(exitCodes);
    return commandLine.execute(args);
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
