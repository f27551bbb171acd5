package io.arexport.cli;

import picocli.CommandLine.Option;

/**
 * {@code --stacktrace}, which every command that can fail accepts. {@link ExitCodes} reads it from
 * the parse result; a command that reports failures itself (a {@code sync --watch} cycle) reads
 * {@link #requested}.
 */
final class StacktraceOption {
  @Option(names = "--stacktrace", description = "Print the stack trace of a failure.")
  boolean requested;
}
