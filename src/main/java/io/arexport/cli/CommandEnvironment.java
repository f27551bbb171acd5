package io.arexport.cli;

import io.arexport.Cancellation;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/**
 * What commands get from the outside world: streams, environment variables, clock, pid, and the
 * stop request of SIGINT/SIGTERM (see {@link GracefulStop}).
 */
record CommandEnvironment(PrintStream out, PrintStream err, Map<String, String> env, Clock clock,
    long pid, Cancellation cancellation) {}
