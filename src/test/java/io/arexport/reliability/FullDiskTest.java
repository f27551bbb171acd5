package io.arexport.reliability;

import static io.arexport.testing.WarehouseAssertions.assertCleanDataDirs;
import static io.arexport.testing.WarehouseAssertions.assertEqualsSource;
import static io.arexport.testing.WarehouseAssertions.jobDirs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arexport.HeightRange;
import io.arexport.testing.ChildJvm;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SampleDatabases.Spec;
import io.arexport.testing.SourceOracle;
import io.arexport.testing.Tmpfs;
import io.arexport.testing.VerifyRun;
import io.arexport.testing.WarehouseAssertions;
import io.arexport.testing.WarehouseReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full disks and I/O errors (issue 4). The warehouse or the staging directory lives on a
 * size-limited tmpfs mounted by the test (root), which fills up during an export; or a table's
 * directory of the warehouse is a tmpfs remounted read-only while the export runs. Each time: exit
 * status 1, one error line naming the path and the cause, nothing partial visible in the warehouse
 * (every table-partition holds all of its old rows or all of its new rows, no temporary file), and
 * {@code --resume} completes once space returns or the filesystem is writable again.
 *
 * <p>Without root or {@code mount} the tests are skipped, saying so (no injected layer stands in).
 */
class FullDiskTest {
  private static final HeightRange RANGE = new HeightRange(100, 349);
  private static final long P = 50;

  /** Version A of the sources and version B, where every row of every table differs. */
  @TempDir static Path sourcesA;
  @TempDir static Path sourcesB;

  private final List<Tmpfs> mounts = new ArrayList<>();

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(Spec.small(), sourcesA.resolve("core.db"),
        sourcesA.resolve("bundles.db"));
    SampleDatabases.generate(Spec.small(), sourcesB.resolve("core.db"),
        sourcesB.resolve("bundles.db"));
    try (Connection core =
            DriverManager.getConnection("jdbc:sqlite:" + sourcesB.resolve("core.db"));
        Statement sql = core.createStatement()) {
      sql.execute("UPDATE stable_blocks SET block_timestamp = block_timestamp + 1");
      sql.execute("UPDATE stable_transactions SET indexed_at = indexed_at + 1");
    }
    try (Connection bundles =
            DriverManager.getConnection("jdbc:sqlite:" + sourcesB.resolve("bundles.db"));
        Statement sql = bundles.createStatement()) {
      // Tags carry their data item's indexed_at: every tag row changes too.
      sql.execute("UPDATE stable_data_items SET indexed_at = indexed_at + 1");
    }
  }

  @AfterEach
  void unmount() throws Exception {
    for (Tmpfs mount : mounts) {
      mount.close();
    }
  }

  private Tmpfs mount(Path dir, String size) throws Exception {
    assumeTrue(Tmpfs.available(), "needs root and mount(8) to mount a size-limited tmpfs");
    Tmpfs tmpfs = Tmpfs.mount(dir, size);
    mounts.add(tmpfs);
    return tmpfs;
  }

  /** A warehouse (its own filesystem, staging elsewhere) that fills up during the first export. */
  @Test
  void warehouseFillsUpDuringAFirstExport(@TempDir Path work) throws Exception {
    Tmpfs disk = mount(work.resolve("warehouse"), "192k");
    ExportArgs paths = ExportArgs.of(sourcesA, work);
    String[] args = paths.export(RANGE.start(), RANGE.end(), P, "--includeL1Transactions",
        "--includeL1Tags");

    Cli.Result full = Cli.run(args);

    assertFailedCleanly(full, disk.path(), "No space left on device");
    assertEachPartitionOneVersion(paths, sourcesA, null);

    disk.resize("64m");
    Cli.Result resumed = Cli.run(append(args, "--resume"));

    assertThat(resumed.status()).as(resumed.err()).isZero();
    assertComplete(paths, sourcesA);
  }

  /**
   * A re-export over existing partitions (the sources changed) runs out of space: every
   * table-partition still holds either all its old rows or all its new ones, never both and
   * never part of them.
   */
  @Test
  void warehouseFillsUpDuringAReexport(@TempDir Path work) throws Exception {
    Tmpfs disk = mount(work.resolve("warehouse"), "2m");
    ExportArgs before = ExportArgs.of(sourcesA, work);
    Cli.Result first = Cli.run(before.export(RANGE.start(), RANGE.end(), P,
        "--includeL1Transactions", "--includeL1Tags"));
    assertThat(first.status()).as(first.err()).isZero();
    // Leave room for a partition's blocks file (~12 KiB), not for its transactions (~30 KiB):
    // the first partition's commit fails between two tables.
    long free = Files.getFileStore(disk.path()).getUsableSpace();
    Path ballast = disk.path().resolve("ballast");
    Files.write(ballast, new byte[(int) Math.max(0, free - 20 * 1024)]);

    ExportArgs after = new ExportArgs(sourcesB.resolve("core.db"), sourcesB.resolve("bundles.db"),
        before.stagingDir(), before.warehouseDir());
    String[] args = after.export(RANGE.start(), RANGE.end(), P, "--includeL1Transactions",
        "--includeL1Tags");
    Cli.Result full = Cli.run(args);

    assertFailedCleanly(full, disk.path(), "No space left on device");
    assertEachPartitionOneVersion(after, sourcesB, sourcesA);

    Files.delete(ballast);
    Cli.Result resumed = Cli.run(append(args, "--resume"));

    assertThat(resumed.status()).as(resumed.err()).isZero();
    assertComplete(after, sourcesB);
  }

  /** The staging directory fills up while Parquet files are written. */
  @Test
  void stagingFillsUp(@TempDir Path work) throws Exception {
    Tmpfs disk = mount(work.resolve("staging"), "40k");
    ExportArgs paths = ExportArgs.of(sourcesA, work);
    String[] args = paths.export(RANGE.start(), RANGE.end(), P, "--includeL1Transactions",
        "--includeL1Tags");

    Cli.Result full = Cli.run(args);

    assertFailedCleanly(full, disk.path(), "No space left on device");
    assertEachPartitionOneVersion(paths, sourcesA, null);

    disk.resize("64m");
    Cli.Result resumed = Cli.run(append(args, "--resume"));

    assertThat(resumed.status()).as(resumed.err()).isZero();
    assertComplete(paths, sourcesA);
  }

  /**
   * A table's directory is remounted read-only while an export in a child JVM runs (the whole
   * warehouse cannot be: the export holds its lock file open for writing, and Linux refuses to
   * remount a filesystem read-only while a file on it is open for writing).
   */
  @Test
  void tableDirectoryTurnsReadOnlyMidRun(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sourcesA, work);
    Tmpfs disk = mount(paths.warehouseDir().resolve("tags"), "64m");
    // 25 partitions of 10 heights: the remount lands while most of them are still to come.
    String[] args = paths.export(RANGE.start(), RANGE.end(), 10, "--includeL1Transactions",
        "--includeL1Tags");
    int status;
    String err;
    try (ChildJvm child = ChildJvm.start(List.of("-Xmx384m", "-XX:TieredStopAtLevel=1"),
        Map.of(), work, args)) {
      assertThat(child.awaitErrLine("[2/25]", 120)).as(child.err()).isTrue();
      assertThat(disk.remountReadOnly(5_000)).as("remounted read-only").isTrue();
      status = child.waitFor(120);
      err = child.err();
    }
    assertThat(status).as(err).isEqualTo(1);
    List<String> lines = err.lines().filter(l -> !l.isBlank()).toList();
    String error = lines.get(lines.size() - 1);
    assertThat(error).startsWith("arexport: ").contains(disk.path().toString())
        .contains("Read-only file system");
    assertThat(err).doesNotContain("\tat ").doesNotContain("internal error");
    assertEachPartitionOneVersion(paths, sourcesA, null);

    disk.remountReadWrite();
    Cli.Result resumed = Cli.run(append(args, "--resume"));

    assertThat(resumed.status()).as(resumed.err()).isZero();
    assertComplete(paths, sourcesA, 10);
  }

  // --- checks ---------------------------------------------------------------------------------

  private static void assertFailedCleanly(Cli.Result result, Path filesystem, String cause) {
    assertThat(result.status()).as(result.err()).isEqualTo(1);
    String error = HostileInputTest.lastLine(result);
    assertThat(error).as("the error line names the path and the cause")
        .contains(filesystem.toString()).contains(cause);
    HostileInputTest.assertNoTrace(result);
    assertThat(result.err()).contains("resume with: arexport export");
  }

  /**
   * Every table-partition in the warehouse holds exactly the rows of {@code current} or (when
   * given) of {@code previous} for its range; no temporary file is visible.
   */
  private static void assertEachPartitionOneVersion(ExportArgs paths, Path current,
      Path previous) throws Exception {
    assertCleanDataDirs(paths.warehouseDir());
    assertThat(WarehouseAssertions.temporaryFiles(paths.warehouseDir()))
        .as("temporary files in the warehouse").isEmpty();
    try (SourceOracle now = new SourceOracle(current.resolve("core.db"),
        current.resolve("bundles.db"));
        SourceOracle old = previous == null ? null : new SourceOracle(
            previous.resolve("core.db"), previous.resolve("bundles.db"));
        WarehouseReader parquet = new WarehouseReader()) {
      for (String table : WarehouseAssertions.TABLES) {
        for (Map.Entry<HeightRange, List<String>> partition
            : parquet.rowsByPartition(paths.warehouseDir(), table).entrySet()) {
          List<String> rows = partition.getValue();
          List<String> newRows = now.rows(table, partition.getKey(), true, true);
          if (old != null && !rows.equals(newRows)) {
            assertThat(rows).as(table + " " + partition.getKey() + ": all old rows or all new")
                .containsExactlyElementsOf(old.rows(table, partition.getKey(), true, true));
          } else {
            assertThat(rows).as(table + " " + partition.getKey())
                .containsExactlyElementsOf(newRows);
          }
        }
      }
    }
  }

  private static void assertComplete(ExportArgs paths, Path sources) throws Exception {
    assertComplete(paths, sources, P);
  }

  private static void assertComplete(ExportArgs paths, Path sources, long partitionSize)
      throws Exception {
    assertEqualsSource(paths.warehouseDir(), sources.resolve("core.db"),
        sources.resolve("bundles.db"), RANGE, true, true);
    assertThat(WarehouseAssertions.temporaryFiles(paths.warehouseDir())).isEmpty();
    assertThat(jobDirs(paths.stagingDir())).as("staging jobs").isEmpty();
    VerifyRun.Report report = VerifyRun.run(paths, RANGE, partitionSize, true, true, true);
    assertThat(report.ok()).as(report.toString()).isTrue();
  }

  private static String[] append(String[] args, String... extra) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(extra));
    return all.toArray(String[]::new);
  }
}
