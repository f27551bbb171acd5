package io.arexport.testing;

import io.arexport.Cancellation;
import io.arexport.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.function.Predicate;

/** Runs the command line in-process and captures its exit status, stdout and stderr. */
public final class Cli {
  private Cli() {}

  /** What one command line did. */
  public record Result(int status, String out, String err) {
    /** Non-blank stderr lines, for "one clear line" checks. */
    public java.util.List<String> errLines() {
      return err.lines().filter(l -> !l.isBlank()).toList();
    }
  }

  public static Result run(String... args) {
    return run(Map.of(), args);
  }

  public static Result run(Map<String, String> env, String... args) {
    return run(Cancellation.NONE, env, args);
  }

  /** Runs a command line that stops at its next safe point once {@code cancellation} says so. */
  public static Result run(Cancellation cancellation, Map<String, String> env, String... args) {
    return run(cancellation, env, new ByteArrayOutputStream(), args);
  }

  /**
   * Runs a command line that is asked to stop (as by SIGTERM) once its stderr so far satisfies
   * {@code stopWhen}: for {@code sync --watch}, which otherwise runs until stopped.
   */
  public static Result runUntil(Predicate<String> stopWhen, String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    return run(() -> stopWhen.test(err.toString(StandardCharsets.UTF_8)), Map.of(), err, args);
  }

  private static Result run(Cancellation cancellation, Map<String, String> env,
      ByteArrayOutputStream err, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      int status = Main.run(args, outStream, errStream, env, Clock.systemUTC(), cancellation);
      return new Result(status, out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8));
    }
  }
}
