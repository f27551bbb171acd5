package io.arexport.cli;

import io.arexport.HeightRange;
import picocli.CommandLine.Option;

/**
 * {@code --quiet}, and the progress display it selects, for every command that exports: a bar on
 * a terminal, plain lines otherwise, nothing with {@code --quiet} (INFO log lines included).
 */
final class ProgressOptions {
  @Option(names = {"--quiet", "-q"},
      description = "No progress on stderr (no bar, no per-partition lines, no INFO log"
          + " lines); warnings and errors still print.")
  boolean quiet;

  /** For the run: arexport's INFO log lines off when quiet (see {@link QuietLogging}). */
  QuietLogging logging(CommandEnvironment environment) {
    return QuietLogging.during(quiet, environment.env());
  }

  /** The progress display for a run over {@code range} (null if unknown) in this environment. */
  ConsoleProgress progress(CommandEnvironment environment, HeightRange range,
      String resumeCommand) {
    return new ConsoleProgress(environment.err(), mode(),
        Terminal.columnsOrDefault(environment.env()), environment.clock(), resumeCommand, range);
  }

  /** Quiet when asked, a bar when stderr is a terminal, else lines. */
  ConsoleProgress.Mode mode() {
    return ConsoleProgress.mode(quiet, Terminal.stderrIsTerminal());
  }
}
