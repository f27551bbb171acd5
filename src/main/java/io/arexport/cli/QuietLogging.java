package io.arexport.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * What {@code --quiet} does to log lines: arexport's own INFO lines (a commit per table and
 * partition in catalog mode, what maintenance removed) are progress too, so for the run they are
 * raised to WARN, and a quiet cron job writes to stderr only when something needs a look.
 *
 * <p>An operator who chose a level ({@code AREXPORT_LOG_LEVEL}) or a logback file of their own
 * keeps it. The level is the logging system's, which is process-wide: {@link #close} puts the
 * previous one back, so in-process runs (the tests) do not leak it into each other.
 */
final class QuietLogging implements AutoCloseable {
  private static final String ROOT_PACKAGE = "io.arexport";

  private final Logger logger;
  private final Level previous;

  private QuietLogging(Logger logger, Level previous) {
    this.logger = logger;
    this.previous = previous;
  }

  /** Raises arexport's loggers to WARN for a quiet run, unless the operator chose a level. */
  static QuietLogging during(boolean quiet, Map<String, String> env) {
    boolean levelChosen = StderrLogConfigurator.chosenLevel(
            StderrLogConfigurator.configuredLevel(env)).isPresent()
        || System.getProperty("logback.configurationFile") != null;
    if (!quiet || levelChosen
        || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return new QuietLogging(null, null);
    }
    Logger logger = context.getLogger(ROOT_PACKAGE);
    Level previous = logger.getLevel();
    if (!logger.isEnabledFor(Level.INFO)) {
      return new QuietLogging(null, null);
    }
    logger.setLevel(Level.WARN);
    return new QuietLogging(logger, previous);
  }

  @Override
  public void close() {
    if (logger != null) {
      logger.setLevel(previous);
    }
  }
}
