package io.arexport.cli;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/**
 * What commands get from the outside world: streams, environment variables, clock, pid, and
 * SIGINT/SIGTERM as stop requests (see {@link GracefulStop}).
 */
record CommandEnvironment(PrintStream out, PrintStream err, Map<String, String> env, Clock clock,
    long pid, StopRequests stopRequests) {}
