package io.arexport.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;

/**
 * The WARN messages one class logs while a piece of code runs. {@link Cli#run} captures what the
 * command prints, not what goes through logback, so tests that check a warning read it here.
 */
public final class LoggedWarnings {
  private LoggedWarnings() {}

  /** What {@code work} returned, and the formatted WARN messages {@code source} logged meanwhile. */
  public record During<T>(T result, List<String> warnings) {}

  public static <T> During<T> during(Class<?> source, Callable<T> work) throws Exception {
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    Logger logger = (Logger) LoggerFactory.getLogger(source);
    events.start();
    logger.addAppender(events);
    try {
      T result = work.call();
      return new During<>(result, events.list.stream()
          .filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
          .toList());
    } finally {
      logger.detachAppender(events);
    }
  }
}
