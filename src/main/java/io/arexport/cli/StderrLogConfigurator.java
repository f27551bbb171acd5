package io.arexport.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.logging.LogManager;

/**
 * arexport's logging set-up: everything to stderr (stdout carries only results), arexport's own
 * loggers at {@code AREXPORT_LOG_LEVEL} (a system property or an environment variable; INFO when
 * unset), everything else at WARN; one line per event, with stack traces only at DEBUG or TRACE.
 *
 * <p>Why in code and not in a {@code logback.xml}: reading an XML configuration starts the JDK's
 * XML parser and logback's configuration model, a noticeable part of a short run's start-up
 * (docs/performance.md). logback finds this class through {@code
 * META-INF/services/ch.qos.logback.classic.spi.Configurator}. An operator's own file given with
 * {@code -Dlogback.configurationFile=...} still wins: then this configurator steps aside.
 */
public final class StderrLogConfigurator extends ContextAwareBase implements Configurator {
  static final String LEVEL_VARIABLE = "AREXPORT_LOG_LEVEL";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    silencePostgresDriverLogging(); // also under an operator's own logback file: it keeps secrets
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    String given = configuredLevel();
    Level level = chosenLevel(given).orElse(Level.INFO);
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    // One line per event: a library's retry warning carried a 35-line stack trace each time
    // (Iceberg's "Retrying task after failure", whose message already holds the cause's). Stack
    // traces are for debugging, at DEBUG or TRACE; a failure's own goes out with --stacktrace.
    encoder.setPattern("arexport: %-5level %logger{0}: %msg%n"
        + (level.isGreaterOrEqual(Level.INFO) ? "%nopex" : ""));
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(stderr);
    context.getLogger("io.arexport").setLevel(level);
    // Hadoop warns about missing native libraries on every start; it is expected here.
    context.getLogger("org.apache.hadoop").setLevel(Level.ERROR);
    // Iceberg's JdbcCatalog warns on every start that a catalog database without its V1 schema
    // has no view support (arexport uses no views, and migrating an operator's catalog schema is
    // not its call); its other warnings concern dropping and renaming, which arexport never does.
    // Without this, every failure of a jdbc-catalog run printed two lines.
    context.getLogger("org.apache.iceberg.jdbc.JdbcCatalog").setLevel(Level.ERROR);
    if (given != null && !given.isBlank() && chosenLevel(given).isEmpty()) {
      context.getLogger(StderrLogConfigurator.class).warn("{}={} is not a log level (TRACE, DEBUG,"
          + " INFO, WARN, ERROR): logging at INFO, as without it", LEVEL_VARIABLE, given);
    }
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * The PostgreSQL driver logs through java.util.logging, which writes to stderr past the levels
   * above; its warnings (e.g. on a malformed URL) repeat arexport's own error line, with the JDBC
   * URL as typed, password and all. They are switched off; the driver's failures still reach
   * arexport as exceptions, whose messages are scrubbed of secrets.
   */
  static void silencePostgresDriverLogging() {
    byte[] level = "org.postgresql.level=OFF\n".getBytes(StandardCharsets.ISO_8859_1);
    try {
      LogManager.getLogManager().updateConfiguration(new ByteArrayInputStream(level),
          key -> (current, added) -> added == null ? current : added);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // read from memory: not expected
    }
  }

  /** The {@code AREXPORT_LOG_LEVEL} of the system property, else of the environment. */
  static String configuredLevel() {
    return configuredLevel(System.getenv());
  }

  static String configuredLevel(Map<String, String> env) {
    String level = System.getProperty(LEVEL_VARIABLE);
    return level != null ? level : env.get(LEVEL_VARIABLE);
  }

  /**
   * The level an operator chose, if {@code value} names one (any case). Empty for null, blank (a
   * unit file's {@code AREXPORT_LOG_LEVEL=}, an unset variable in a compose file) and for a word
   * that is no level: those choose nothing, so {@code --quiet} still applies.
   */
  static Optional<Level> chosenLevel(String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    return Optional.ofNullable(Level.toLevel(value.strip(), null));
  }
}
