package io.arexport.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.LoggedWarnings;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.WarehouseAssertions;
import io.arexport.testing.WarehouseReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ranges far larger than the data: empty heights are skipped by indexed probes instead of one
 * query per empty partition, and a partition that lost all its source rows is still re-exported
 * (its old directory removed) because the warehouse has it.
 */
class SparseRangeTest {
  @TempDir Path sources;
  @TempDir Path work;
  private ExportArgs args;

  @BeforeEach
  void smallSource() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
    args = ExportArgs.of(sources, work);
  }

  @Test
  void rangeUpToLongMaxExportsTheDataAndFinishes() throws Exception {

    LoggedWarnings.During<Cli.Result> run = LoggedWarnings.during(Exporter.class,
        () -> Cli.run(args.export(0, Long.MAX_VALUE, 50, "--includeL1Transactions",
            "--includeL1Tags", "--json")));
    Cli.Result result = run.result();

    assertThat(result.status()).as(result.err()).isZero();
    WarehouseAssertions.assertEqualsSource(args.warehouseDir(), args.coreDb(), args.bundlesDb(),
        new io.arexport.HeightRange(0, Long.MAX_VALUE), true, true);
    // Heights 100..349 hold data: 5 partitions of 50, announced by position among 2^63/50.
    assertThat(result.out()).contains("\"partitions\" : 5");
    assertThat(result.err()).contains("[5/" + (Long.MAX_VALUE / 50 + 1) + "] height=200-249");
    // The source's stable tip is 349: what lies above is published without rows, and said so.
    assertThat(run.warnings()).containsExactly("heights 350-" + Long.MAX_VALUE + " are above"
        + " the source's stable tip 349, so they are exported without rows; export them again"
        + " once the gateway has them");
  }

  @Test
  void aRangeWithinTheStableTipHasNoWarningAndOneWhollyAboveItNamesTheStart() throws Exception {

    LoggedWarnings.During<Cli.Result> within = LoggedWarnings.during(Exporter.class,
        () -> Cli.run(args.export(100, 349, 50)));
    LoggedWarnings.During<Cli.Result> above = LoggedWarnings.during(Exporter.class,
        () -> Cli.run(args.export(400, 499, 50)));

    assertThat(within.result().status()).as(within.result().err()).isZero();
    assertThat(within.warnings()).isEmpty();
    assertThat(above.result().status()).as(above.result().err()).isZero();
    assertThat(above.warnings()).containsExactly("the source has no stable rows at or above"
        + " height 400, so heights 400-499 are exported without rows; export them again once the"
        + " gateway has them");
  }

  /**
   * A range starting whole partitions below the source's lowest stable height (100 here) has
   * nothing there: a wrong range or database, said once; a range starting in the partition of
   * the lowest height, or at 0, says nothing.
   */
  @Test
  void aRangeStartingWellBelowTheSourcesLowestHeightIsNamed() throws Exception {

    LoggedWarnings.During<Cli.Result> below = LoggedWarnings.during(Exporter.class,
        () -> Cli.run(args.export(20, 149, 50)));
    LoggedWarnings.During<Cli.Result> wholly = LoggedWarnings.during(Exporter.class,
        () -> Cli.run(args.export(10, 19, 5)));
    LoggedWarnings.During<Cli.Result> aligned = LoggedWarnings.during(Exporter.class,
        () -> Cli.run(args.export(75, 199, 75)));

    assertThat(below.result().status()).as(below.result().err()).isZero();
    assertThat(below.warnings()).containsExactly("heights 20-99 are below the source's lowest"
        + " stable height 100: there are no rows there to export (is this the gateway's"
        + " --coreDb/--bundlesDb, and the range?)");
    assertThat(wholly.warnings()).contains("heights 10-19 are below the source's lowest stable"
        + " height 100: there are no rows there to export (is this the gateway's"
        + " --coreDb/--bundlesDb, and the range?)");
    assertThat(aligned.result().status()).as(aligned.result().err()).isZero();
    assertThat(aligned.warnings()).isEmpty();
  }

  @Test
  void partitionWhoseSourceRowsAllVanishedLosesItsDirectories() throws Exception {
    assertThat(Cli.run(args.export(100, 349, 50, "--includeL1Transactions", "--includeL1Tags"))
        .status()).isZero();
    for (String table : WarehouseAssertions.TABLES) {
      assertThat(Files.isDirectory(args.warehouseDir().resolve(table + "/data/height=200-249")))
          .isTrue();
    }
    // A fork removed heights 200..249 everywhere.
    try (Connection core = DriverManager.getConnection("jdbc:sqlite:" + args.coreDb());
        Statement statement = core.createStatement()) {
      statement.executeUpdate("DELETE FROM stable_blocks WHERE height BETWEEN 200 AND 249");
      statement.executeUpdate(
          "DELETE FROM stable_transaction_tags WHERE height BETWEEN 200 AND 249");
      statement.executeUpdate("DELETE FROM stable_transactions WHERE height BETWEEN 200 AND 249");
    }
    try (Connection bundles = DriverManager.getConnection("jdbc:sqlite:" + args.bundlesDb());
        Statement statement = bundles.createStatement()) {
      statement.executeUpdate(
          "DELETE FROM stable_data_item_tags WHERE height BETWEEN 200 AND 249");
      statement.executeUpdate("DELETE FROM stable_data_items WHERE height BETWEEN 200 AND 249");
    }

    Cli.Result result = Cli.run(args.export(100, 349, 50, "--includeL1Transactions",
        "--includeL1Tags"));

    assertThat(result.status()).as(result.err()).isZero();
    for (String table : WarehouseAssertions.TABLES) {
      assertThat(WarehouseReader.files(args.warehouseDir(), table).keySet().stream()
          .map(Object::toString).toList())
          .as(table).doesNotContain("200-249").contains("150-199", "250-299");
    }
    WarehouseAssertions.assertEqualsSource(args.warehouseDir(), args.coreDb(), args.bundlesDb(),
        new io.arexport.HeightRange(100, 349), true, true);
    assertThat(List.of(result.err().split("\n"))).anyMatch(l -> l.contains("height=200-249"));
  }
}
