package io.arexport.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code --quiet} in catalog mode, where every commit logs an INFO line: a quiet cron job writes
 * to stderr only what needs a look (the warnings), and the level is back afterwards.
 */
class QuietCatalogExportTest {
  @TempDir static Path sources;

  private final ListAppender<ILoggingEvent> events = new ListAppender<>();
  private final Logger arexport = (Logger) LoggerFactory.getLogger("io.arexport");

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  @BeforeEach
  void listen() {
    events.start();
    arexport.addAppender(events);
  }

  @AfterEach
  void stopListening() {
    arexport.detachAppender(events);
  }

  @Test
  void quietLeavesOnlyWarningsAndRestoresTheLevel(@TempDir Path work) {
    ExportArgs paths = ExportArgs.of(sources, work);
    LocalCatalog catalog = LocalCatalog.in(work);

    Cli.Result quiet = Cli.run(catalog.with(paths.export(100, 199, 50, "--quiet")));
    assertThat(quiet.status()).as(quiet.err()).isZero();
    assertThat(quiet.err()).isEmpty();
    List<ILoggingEvent> quietEvents = List.copyOf(events.list);
    assertThat(quietEvents).as("the SQLite catalog's warning still prints")
        .anyMatch(e -> e.getLevel() == Level.WARN);
    assertThat(quietEvents).as("no INFO line")
        .allMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));

    events.list.clear();
    Cli.Result loud = Cli.run(catalog.with(paths.export(200, 249, 50)));
    assertThat(loud.status()).as(loud.err()).isZero();
    assertThat(events.list).as("without --quiet the commits are logged again")
        .anyMatch(e -> e.getLevel() == Level.INFO
            && e.getFormattedMessage().contains("committed snapshot"));
  }

  /**
   * metadata and maintain run from cron too and log an INFO line per table (a table created by
   * the migration, what maintenance expired and removed): --quiet drops those.
   */
  @Test
  void metadataAndMaintainTakeQuietToo(@TempDir Path work) {
    ExportArgs paths = ExportArgs.of(sources, work);
    Cli.Result exported = Cli.run(paths.export(100, 149, 50));
    assertThat(exported.status()).as(exported.err()).isZero();
    LocalCatalog catalog = LocalCatalog.in(work);

    events.list.clear();
    Cli.Result migrated = Cli.run(catalog.with("metadata", "--datasets-dir",
        paths.warehouseDir().toString(), "--quiet"));
    assertThat(migrated.status()).as(migrated.err()).isZero();
    assertThat(migrated.out()).as("the summary still prints").contains("created");
    assertThat(events.list).as("no INFO line").noneMatch(e -> e.getLevel() == Level.INFO);

    events.list.clear();
    Cli.Result quiet = Cli.run(catalog.with("maintain", "-q"));
    assertThat(quiet.status()).as(quiet.err()).isZero();
    assertThat(events.list).as("no INFO line").noneMatch(e -> e.getLevel() == Level.INFO);

    events.list.clear();
    Cli.Result loud = Cli.run(catalog.with("maintain"));
    assertThat(loud.status()).as(loud.err()).isZero();
    assertThat(events.list).as("without --quiet each table's maintenance is logged")
        .anyMatch(e -> e.getLevel() == Level.INFO
            && e.getFormattedMessage().contains("maintenance expired"));
  }

  @Test
  void anOperatorsChosenLevelWins(@TempDir Path work) {
    ExportArgs paths = ExportArgs.of(sources, work);
    LocalCatalog catalog = LocalCatalog.in(work);

    Cli.Result quiet = Cli.run(Map.of("AREXPORT_LOG_LEVEL", "INFO"),
        catalog.with(paths.export(100, 149, 50, "--quiet")));
    assertThat(quiet.status()).as(quiet.err()).isZero();
    assertThat(events.list).anyMatch(e -> e.getLevel() == Level.INFO
        && e.getFormattedMessage().contains("committed snapshot"));
  }

  /**
   * An empty AREXPORT_LOG_LEVEL (a unit file's "AREXPORT_LOG_LEVEL=") or a word that is no level
   * chooses nothing: --quiet still drops the INFO lines.
   */
  @Test
  void aLevelThatIsEmptyOrNoLevelLeavesQuietAsItIs(@TempDir Path work) {
    ExportArgs paths = ExportArgs.of(sources, work);
    LocalCatalog catalog = LocalCatalog.in(work);
    long start = 100;
    for (String notALevel : List.of("", " ", "VERBOSE")) {
      events.list.clear();
      Cli.Result quiet = Cli.run(Map.of("AREXPORT_LOG_LEVEL", notALevel),
          catalog.with(paths.export(start, start + 49, 50, "--quiet")));
      assertThat(quiet.status()).as(quiet.err()).isZero();
      assertThat(events.list).as("'" + notALevel + "'")
          .noneMatch(e -> e.getLevel() == Level.INFO);
      start += 50;
    }
  }
}
