package io.arexport.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.util.function.BiConsumer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --json}, {@code --quiet} and {@code --stacktrace} of the Iceberg table commands ({@code
 * metadata}, {@code maintain}), which print one summary: as indented JSON, or as their text.
 */
final class SummaryOptions {
  /** Every command's {@code --json} summary: one indented document (immutable, shareable). */
  private static final ObjectWriter INDENTED =
      new ObjectMapper().writer().with(SerializationFeature.INDENT_OUTPUT);

  @Option(names = "--json", description = "Print the summary as JSON on stdout.")
  boolean json;

  @Option(names = {"--quiet", "-q"}, description = "No INFO log lines on stderr (what was"
      + " created, expired or removed, per table); warnings and errors still print.")
  boolean quiet;

  @Mixin StacktraceOption stacktrace = new StacktraceOption();

  /** For the run: arexport's INFO log lines off when quiet (see {@link QuietLogging}). */
  QuietLogging logging(CommandEnvironment environment) {
    return QuietLogging.during(quiet, environment.env());
  }

  /** Prints {@code summary} on {@code out}: as JSON with {@code --json}, else with {@code text}. */
  <T> void print(T summary, PrintStream out, BiConsumer<T, PrintStream> text)
      throws JsonProcessingException {
    if (json) {
      printJson(summary, out);
    } else {
      text.accept(summary, out);
    }
  }

  /** Prints {@code summary} on {@code out} as the indented JSON document of {@code --json}. */
  static void printJson(Object summary, PrintStream out) throws JsonProcessingException {
    out.println(INDENTED.writeValueAsString(summary));
  }
}
