package io.arexport.export;

import static io.arexport.testing.WarehouseAssertions.assertEqualsSource;
import static io.arexport.testing.WarehouseAssertions.dataFiles;
import static io.arexport.testing.WarehouseAssertions.jobDirs;
import static io.arexport.testing.WarehouseAssertions.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SampleDatabases.Spec;
import io.arexport.testing.SourceOracle;
import io.arexport.testing.WarehouseReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exporting over an existing warehouse replaces the partitions it covers (contract section 4):
 * every source row stays exactly once, replaced files are deleted (new files have new names), no
 * empty directory is left, and an incompatible existing partition stops the run before it writes
 * anything.
 */
class ReexportTest {
  private static final String[] L1 = {"--includeL1Transactions", "--includeL1Tags"};

  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  @Test
  void sameRangeTwiceReplacesEveryFile(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    assertOk(Cli.run(paths.export(100, 349, 50, L1)));
    List<String> first = dataFiles(paths.warehouseDir());

    assertOk(Cli.run(paths.export(100, 349, 50, L1)));

    List<String> second = dataFiles(paths.warehouseDir());
    assertThat(second).as("new files have new names").doesNotContainAnyElementsOf(first);
    assertThat(directories(second)).as("same partition directories")
        .isEqualTo(directories(first));
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(),
        new HeightRange(100, 349), true, true);
    assertThat(jobDirs(paths.stagingDir())).isEmpty();
  }

  @Test
  void supersetAfterSubsetHoldsEachRowOnce(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    assertOk(Cli.run(paths.export(100, 199, 50, L1)));
    List<String> first = dataFiles(paths.warehouseDir());

    assertOk(Cli.run(paths.export(100, 349, 50, L1)));

    assertThat(dataFiles(paths.warehouseDir())).doesNotContainAnyElementsOf(first);
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(),
        new HeightRange(100, 349), true, true);
  }

  @Test
  void coarserPartitionsReplaceTheFinerOnesInsideThem(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    assertOk(Cli.run(paths.export(100, 349, 50, L1)));

    // Every 50-height directory lies inside one 100-height partition: replaced, not a conflict.
    assertOk(Cli.run(paths.export(100, 349, 100, L1)));

    assertThat(WarehouseReader.files(paths.warehouseDir(), "tags").keySet()).containsExactly(
        new HeightRange(100, 199), new HeightRange(200, 299), new HeightRange(300, 349));
    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(),
        new HeightRange(100, 349), true, true);
  }

  @Test
  void overlappingPartitionIsAConflictAndNothingIsTouched(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    assertOk(Cli.run(paths.export(100, 299, 100, L1)));
    SortedMap<String, String> before = snapshot(paths.warehouseDir());
    assertThat(before).containsKey("blocks/data/height=100-199");

    // P=150 gives partitions 100-149 and 150-299; height=100-199 overlaps 100-149 without
    // lying inside it, so replacing it would lose heights 150-199 or duplicate them.
    Cli.Result conflict = Cli.run(paths.export(100, 299, 150, L1));

    assertThat(conflict.status()).as(conflict.err()).isEqualTo(3);
    assertThat(conflict.errLines()).as("one line naming the directory").hasSize(1);
    assertThat(conflict.errLines().get(0)).contains("height=100-199")
        .contains(paths.warehouseDir().toString());
    assertThat(conflict.err()).doesNotContain("\tat ");
    assertThat(conflict.out()).isEmpty();
    assertThat(snapshot(paths.warehouseDir())).as("warehouse untouched").isEqualTo(before);
    assertThat(jobDirs(paths.stagingDir())).as("no staging job created").isEmpty();
  }

  @Test
  void rowsGoneFromTheSourceAreGoneFromTheWarehouse(@TempDir Path work) throws Exception {
    Path mutable = work.resolve("sources");
    ExportArgs paths = ExportArgs.of(mutable, work);
    SampleDatabases.generate(Spec.small(), paths.coreDb(), paths.bundlesDb());
    HeightRange range = new HeightRange(100, 349);
    assertOk(Cli.run(paths.export(100, 349, 50, L1)));
    List<String> first = dataFiles(paths.warehouseDir());
    long tagsBefore;
    try (SourceOracle source = new SourceOracle(paths.coreDb(), paths.bundlesDb())) {
      tagsBefore = source.count("tags", range, true, true);
    }

    // Stable rows disappear (e.g. a reorg repaired by hand): data items with their tags, L1
    // transactions with their tags, and every block of 150-199, so that table-partition is empty.
    try (Connection bundles = DriverManager.getConnection("jdbc:sqlite:" + paths.bundlesDb());
        Statement sql = bundles.createStatement()) {
      String items = "(SELECT id FROM stable_data_items WHERE height % 7 = 0)";
      assertThat(sql.executeUpdate("DELETE FROM stable_data_item_tags WHERE data_item_id IN "
          + items)).isPositive();
      assertThat(sql.executeUpdate("DELETE FROM stable_data_items WHERE height % 7 = 0"))
          .isPositive();
      assertThat(sql.executeUpdate("DELETE FROM stable_data_item_tags WHERE rowid % 5 = 0"))
          .isPositive();
    }
    try (Connection core = DriverManager.getConnection("jdbc:sqlite:" + paths.coreDb());
        Statement sql = core.createStatement()) {
      String txs = "(SELECT id FROM stable_transactions WHERE height % 11 = 0)";
      sql.executeUpdate("DELETE FROM stable_transaction_tags WHERE transaction_id IN " + txs);
      assertThat(sql.executeUpdate("DELETE FROM stable_transactions WHERE height % 11 = 0"))
          .isPositive();
      assertThat(sql.executeUpdate("DELETE FROM stable_blocks WHERE height BETWEEN 150 AND 199"))
          .isPositive();
    }
    try (SourceOracle source = new SourceOracle(paths.coreDb(), paths.bundlesDb())) {
      assertThat(source.count("tags", range, true, true)).isLessThan(tagsBefore);
      assertThat(source.count("blocks", new HeightRange(150, 199), true, true)).isZero();
    }

    assertOk(Cli.run(paths.export(100, 349, 50, L1)));

    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), range, true, true);
    assertThat(dataFiles(paths.warehouseDir())).as("replaced files deleted")
        .doesNotContainAnyElementsOf(first);
    assertThat(paths.warehouseDir().resolve("blocks/data/height=150-199"))
        .as("a partition that lost all its rows has no directory").doesNotExist();
  }

  private static Set<String> directories(List<String> files) {
    return files.stream().map(f -> f.substring(0, f.lastIndexOf('/')))
        .collect(Collectors.toSet());
  }

  private static void assertOk(Cli.Result result) {
    assertThat(result.status()).as(result.err()).isZero();
  }
}
