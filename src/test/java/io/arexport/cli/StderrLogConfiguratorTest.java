package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class StderrLogConfiguratorTest {
  private final List<String> restore = new ArrayList<>();

  @AfterEach
  void restoreProperties() {
    restore.forEach(System::clearProperty);
  }

  private void setProperty(String name, String value) {
    assertThat(System.getProperty(name)).as("test precondition: %s unset", name).isNull();
    System.setProperty(name, value);
    restore.add(name);
  }

  private static List<Appender<ILoggingEvent>> appenders(Logger logger) {
    List<Appender<ILoggingEvent>> all = new ArrayList<>();
    logger.iteratorForAppenders().forEachRemaining(all::add);
    return all;
  }

  @Test
  void logbackFindsItAsAServiceAndTheRunningContextUsesIt() {
    assertThat(ServiceLoader.load(Configurator.class).stream().map(ServiceLoader.Provider::type))
        .contains(StderrLogConfigurator.class);
    // The context of this very JVM was configured by it (there is no logback.xml any more).
    LoggerContext running = (LoggerContext) LoggerFactory.getILoggerFactory();
    assertThat(appenders(running.getLogger(Logger.ROOT_LOGGER_NAME)))
        .extracting(Appender::getName).containsExactly("STDERR");
  }

  @Test
  void everythingGoesToStderrArexportAtInfoTheLibrariesAtWarn() {
    LoggerContext context = new LoggerContext();
    StderrLogConfigurator configurator = new StderrLogConfigurator();
    configurator.setContext(context);

    assertThat(configurator.configure(context))
        .isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("io.arexport.iceberg.MetadataWriter").getEffectiveLevel())
        .isEqualTo(Level.INFO);
    assertThat(context.getLogger("org.apache.iceberg.BaseMetastoreCatalog").getEffectiveLevel())
        .isEqualTo(Level.WARN);
    assertThat(context.getLogger("org.apache.hadoop.util.NativeCodeLoader").getEffectiveLevel())
        .isEqualTo(Level.ERROR);
    assertThat(context.getLogger("org.apache.iceberg.jdbc.JdbcCatalog").getEffectiveLevel())
        .isEqualTo(Level.ERROR);
    List<Appender<ILoggingEvent>> appenders = appenders(root);
    assertThat(appenders).hasSize(1);
    ConsoleAppender<ILoggingEvent> console = (ConsoleAppender<ILoggingEvent>) appenders.get(0);
    assertThat(console.getTarget()).isEqualTo("System.err");
    assertThat(console.isStarted()).isTrue();
    assertThat(encoded(console, root)).as("one line, no stack trace")
        .isEqualTo("arexport: WARN  Tasks: Retrying task after failure: disk full\n");
  }

  /** A library's warning with an exception, as the console appender would write it. */
  private static String encoded(ConsoleAppender<ILoggingEvent> console, Logger logger) {
    ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent(
        "org.apache.iceberg.util.Tasks", logger, Level.WARN,
        "Retrying task after failure: {}", new java.io.IOException("disk full"),
        new Object[] {"disk full"});
    event.setLoggerName("org.apache.iceberg.util.Tasks");
    return new String(((PatternLayoutEncoder) console.getEncoder()).encode(event),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void theLevelVariableSetsArexportsLoggers() {
    setProperty(StderrLogConfigurator.LEVEL_VARIABLE, "DEBUG");
    LoggerContext context = new LoggerContext();
    StderrLogConfigurator configurator = new StderrLogConfigurator();
    configurator.setContext(context);
    configurator.configure(context);

    assertThat(context.getLogger("io.arexport.export.Exporter").getEffectiveLevel())
        .isEqualTo(Level.DEBUG);
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.WARN);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(encoded((ConsoleAppender<ILoggingEvent>) appenders(root).get(0), root))
        .as("debugging shows stack traces").contains("java.io.IOException: disk full")
        .contains("\tat ");
  }

  @Test
  void anOperatorsOwnLogbackFileWins() {
    setProperty("logback.configurationFile", "/etc/arexport/logback.xml");
    LoggerContext context = new LoggerContext();
    StderrLogConfigurator configurator = new StderrLogConfigurator();
    configurator.setContext(context);

    assertThat(configurator.configure(context))
        .isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
    assertThat(appenders(context.getLogger(Logger.ROOT_LOGGER_NAME))).isEmpty();
  }

  @Test
  void onlyALevelsNameChoosesALevel() {
    assertThat(StderrLogConfigurator.chosenLevel("warn")).contains(Level.WARN);
    assertThat(StderrLogConfigurator.chosenLevel(" DEBUG ")).contains(Level.DEBUG);
    for (String none : new String[] {null, "", "  ", "VERBOSE", "warning"}) {
      assertThat(StderrLogConfigurator.chosenLevel(none)).as("'%s'", none).isEmpty();
    }
  }

  @Test
  void aValueThatIsNoLevelLogsAtInfo() {
    setProperty(StderrLogConfigurator.LEVEL_VARIABLE, "VERBOSE");
    LoggerContext context = new LoggerContext();
    StderrLogConfigurator configurator = new StderrLogConfigurator();
    configurator.setContext(context);
    configurator.configure(context);
    assertThat(context.getLogger("io.arexport.export.Exporter").getEffectiveLevel())
        .isEqualTo(Level.INFO);
  }
}
