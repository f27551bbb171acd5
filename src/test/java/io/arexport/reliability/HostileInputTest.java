package io.arexport.reliability;

import static io.arexport.testing.WarehouseAssertions.assertCleanDataDirs;
import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SampleDatabases.Spec;
import io.arexport.testing.SourceOracle;
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
import java.util.SortedMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile input (issue 4): sources with values of the wrong type, NULLs where the gateway schema
 * has NOT NULL, corrupt and truncated SQLite files, a truncated checkpoint, half-written staging
 * files, corrupt Iceberg metadata, a warehouse behind a symlink, and option values at and beyond
 * their limits. Each gets a clear one-line error (or the documented behaviour), the documented exit
 * status, never 4 (internal error), no stack trace without {@code --stacktrace}, and no damage to
 * the warehouse: partitions published before a failure hold exactly their source rows, nothing
 * half-written is visible.
 */
class HostileInputTest {
  private static final HeightRange RANGE = new HeightRange(100, 349);
  /** Where the hostile values go: the second of five partitions of 50 heights. */
  private static final long HEIGHT = 150;

  @TempDir static Path fixtures;
  static Path good;

  @BeforeAll
  static void generate() throws Exception {
    good = fixtures.resolve("good");
    SampleDatabases.generate(Spec.small(), good.resolve("core.db"), good.resolve("bundles.db"));
  }

  /** A source database whose content breaks the gateway schema's types or constraints. */
  record SourceCase(String name, String db, String table, String change, int status,
      String named) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final String FIRST_TX = "rowid = (SELECT min(rowid) FROM stable_transactions"
      + " WHERE height = " + HEIGHT + ")";
  private static final String FIRST_ITEM = "rowid = (SELECT min(rowid) FROM stable_data_items"
      + " WHERE height = " + HEIGHT + ")";

  static Stream<Arguments> wrongTypes() {
    return Stream.of(
        // SQLite keeps what it is given; getLong would have read these as 0, 12, 1 and 0.
        source("TEXT 'abc' in stable_blocks.block_timestamp", "core", null,
            "UPDATE stable_blocks SET block_timestamp = 'abc' WHERE height = " + HEIGHT,
            2, "stable_blocks.block_timestamp", "TEXT 'abc'", "not an integer"),
        source("TEXT '12abc' in stable_data_items.data_size", "bundles", null,
            "UPDATE stable_data_items SET data_size = '12abc' WHERE " + FIRST_ITEM,
            2, "stable_data_items.data_size", "TEXT '12abc'"),
        source("REAL 1.5 in stable_data_items.data_size", "bundles", null,
            "UPDATE stable_data_items SET data_size = 1.5 WHERE " + FIRST_ITEM,
            2, "stable_data_items.data_size", "REAL 1.5"),
        source("BLOB in stable_data_items.offset", "bundles", null,
            "UPDATE stable_data_items SET \"offset\" = x'0102' WHERE " + FIRST_ITEM,
            2, "stable_data_items.offset", "BLOB 0102"),
        // A text tag index sorts after every integer in SQLite: the rows came out of order.
        source("TEXT 'x' in stable_transaction_tags.transaction_tag_index", "core", null,
            "UPDATE stable_transaction_tags SET transaction_tag_index = 'x' WHERE rowid ="
                + " (SELECT min(rowid) FROM stable_transaction_tags WHERE height = " + HEIGHT
                + ")", 2, "transaction_tag_index", "TEXT 'x'"),
        // A text id sorts before every BLOB in SQLite: the contract's unsigned order breaks.
        source("TEXT id in stable_transactions", "core", null,
            "UPDATE stable_transactions SET id = 'not-a-blob' WHERE " + FIRST_TX,
            2, "stable_transactions.id", "TEXT 'not-a-blob'", "not a BLOB"),
        source("REAL height 150.5 in stable_transactions", "core", null,
            "UPDATE stable_transactions SET height = 150.5 WHERE " + FIRST_TX,
            2, "stable_transactions.height", "REAL 150.5"),
        source("21-digit quantity", "core", null,
            "UPDATE stable_transactions SET quantity = '123456789012345678901' WHERE " + FIRST_TX,
            2, "quantity '123456789012345678901'", "at most 20 digits"),
        source("negative quantity", "core", null,
            "UPDATE stable_transactions SET quantity = '-5' WHERE " + FIRST_TX,
            2, "quantity '-5'"),
        source("tx_count beyond 32 bits", "core", null,
            "UPDATE stable_blocks SET tx_count = 1099511627776 WHERE height = " + HEIGHT,
            2, "tx_count 1099511627776", "32-bit"));
  }

  /** NULLs where the gateway schema says NOT NULL (in a copy of the table without constraints). */
  static Stream<Arguments> nulls() {
    return Stream.of(
        source("NULL stable_data_items.id", "bundles", "stable_data_items",
            "UPDATE stable_data_items SET id = NULL WHERE " + FIRST_ITEM, 2, "NULL id"),
        // A required Parquet column: the writer failed with a NullPointerException (exit 4).
        source("NULL stable_data_item_tags.data_item_tag_index", "bundles",
            "stable_data_item_tags", "UPDATE stable_data_item_tags SET data_item_tag_index ="
                + " NULL WHERE rowid = (SELECT min(rowid) FROM stable_data_item_tags WHERE"
                + " height = " + HEIGHT + ")", 2, "NULL data_item_tag_index"),
        source("NULL stable_transaction_tags.transaction_tag_index", "core",
            "stable_transaction_tags", "UPDATE stable_transaction_tags SET"
                + " transaction_tag_index = NULL WHERE rowid = (SELECT min(rowid) FROM"
                + " stable_transaction_tags WHERE height = " + HEIGHT + ")", 2,
            "NULL transaction_tag_index"));
  }

  /** NULLs the contract's columns can hold or the export documents how it treats. */
  static Stream<Arguments> toleratedNulls() {
    return Stream.of(
        // A tag whose value is NULL cannot be exported: skipped and counted, like a dangling one.
        source("NULL tag_values.value", "bundles", "tag_values",
            "UPDATE tag_values SET value = NULL WHERE hash = (SELECT tag_value_hash FROM"
                + " stable_data_item_tags WHERE height = " + HEIGHT + " LIMIT 1)", 0),
        // nonce is an optional column of blocks: exported as null.
        source("NULL stable_blocks.nonce", "core", "stable_blocks",
            "UPDATE stable_blocks SET nonce = NULL WHERE height = " + HEIGHT, 0),
        // A row without a height lies in no height range (NULL is never BETWEEN two heights).
        source("NULL stable_transactions.height", "core", "stable_transactions",
            "UPDATE stable_transactions SET height = NULL WHERE " + FIRST_TX, 0),
        source("NULL stable_data_items.indexed_at", "bundles", "stable_data_items",
            "UPDATE stable_data_items SET indexed_at = NULL WHERE " + FIRST_ITEM, 0));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("nulls")
  void nullInANotNullColumnIsRefused(SourceCase bad, @TempDir Path work) throws Exception {
    runSourceCase(bad, work);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("toleratedNulls")
  void toleratedNullsExportAsDocumented(SourceCase bad, @TempDir Path work) throws Exception {
    runSourceCase(bad, work);
  }

  /** Documented behaviour rather than an error: the export succeeds and equals the source. */
  static Stream<Arguments> tolerated() {
    return Stream.of(
        // Text never lies BETWEEN two integers in SQLite: such a row belongs to no height range,
        // so no export (and no verify) ever includes it. Its L1 tags go with it.
        source("TEXT height 'abc' in stable_transactions", "core", null,
            "UPDATE stable_transactions SET height = 'abc' WHERE " + FIRST_TX, 0),
        source("largest int64 in stable_blocks.block_size", "core", null,
            "UPDATE stable_blocks SET block_size = 9223372036854775807 WHERE height = " + HEIGHT,
            0));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("wrongTypes")
  void wrongTypeIsRefusedNamingRowAndValue(SourceCase bad, @TempDir Path work) throws Exception {
    runSourceCase(bad, work);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("tolerated")
  void toleratedValuesExportAsDocumented(SourceCase bad, @TempDir Path work) throws Exception {
    runSourceCase(bad, work);
  }

  private void runSourceCase(SourceCase bad, Path work) throws Exception {
    Path sources = work.resolve("sources");
    Files.createDirectories(sources);
    copy(good.resolve("core.db"), sources.resolve("core.db"));
    copy(good.resolve("bundles.db"), sources.resolve("bundles.db"));
    Path db = sources.resolve(bad.db() + ".db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement sql = c.createStatement()) {
      if (bad.table() != null) {
        // Same columns, no constraints: what a hand-made or damaged database may look like.
        sql.execute("ALTER TABLE " + bad.table() + " RENAME TO hostile_old");
        sql.execute("CREATE TABLE " + bad.table() + " AS SELECT * FROM hostile_old");
        sql.execute("DROP TABLE hostile_old");
      }
      assertThat(sql.executeUpdate(bad.change())).as("rows changed by " + bad.change())
          .isPositive();
    }
    ExportArgs paths = ExportArgs.of(sources, work);

    Cli.Result result = Cli.run(paths.export(RANGE.start(), RANGE.end(), 50,
        "--includeL1Transactions", "--includeL1Tags"));

    assertThat(result.status()).as(result.err()).isEqualTo(bad.status());
    assertNoTrace(result);
    if (bad.status() == 0) {
      // The source rows, less tags whose name or value is NULL (they cannot be exported: skipped
      // and counted like dangling tags).
      try (SourceOracle source = new SourceOracle(paths.coreDb(), paths.bundlesDb());
          WarehouseReader parquet = new WarehouseReader()) {
        for (String table : WarehouseAssertions.TABLES) {
          List<String> expected = source.rows(table, RANGE, true, true).stream()
              .filter(r -> !table.equals("tags") || !hasNullNameOrValue(r))
              .toList();
          assertThat(parquet.rows(paths.warehouseDir(), table)).as(table)
              .containsExactlyElementsOf(expected);
        }
      }
      assertCleanDataDirs(paths.warehouseDir());
      return;
    }
    String error = lastLine(result);
    for (String part : bad.named().split("\\|")) {
      assertThat(error).as("the error line").contains(part);
    }
    // Partitions published before the bad row hold exactly their rows; the partition holding it
    // is not published; nothing half-written is visible.
    assertPublishedPartitionsEqualSource(paths);
    assertThat(publishedPartitions(paths)).as("partitions published")
        .doesNotContain(new HeightRange(150, 199));
  }

  // --- corrupt SQLite files ------------------------------------------------------------------

  /** core.db or bundles.db cut to half its size: refused when opened (exit 2), nothing touched. */
  @ParameterizedTest(name = "[{index}] {0} truncated to half")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"core", "bundles"})
  void truncatedDatabaseIsRefused(String db, @TempDir Path work) throws Exception {
    ExportArgs paths = exportedWarehouse(work);
    Path damaged = paths.coreDb().resolveSibling(db + ".db");
    try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(damaged,
        java.nio.file.StandardOpenOption.WRITE)) {
      file.truncate(file.size() / 2);
    }
    SortedMap<String, String> before = tree(paths.warehouseDir());

    Cli.Result result = Cli.run(paths.export(RANGE.start(), RANGE.end(), 50,
        "--includeL1Transactions", "--includeL1Tags"));

    assertThat(result.status()).as(result.err()).isEqualTo(2);
    assertNoTrace(result);
    assertThat(result.errLines()).hasSize(1);
    assertThat(lastLine(result)).contains(damaged.toString()).contains("malformed");
    assertThat(tree(paths.warehouseDir())).as("warehouse untouched").isEqualTo(before);
  }

  /**
   * A page in the middle of stable_transactions overwritten with garbage: SQLite notices when the
   * export reaches it (exit 1, naming the file); partitions re-exported before that hold their
   * rows, the others keep their old files.
   */
  @org.junit.jupiter.api.Test
  void overwrittenPageFailsWhereItIsRead(@TempDir Path work) throws Exception {
    ExportArgs paths = exportedWarehouse(work);
    long page;
    long pageSize;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + paths.coreDb());
        Statement sql = c.createStatement()) {
      pageSize = longValue(sql, "PRAGMA page_size");
      // The table's leaf pages in key order; take the middle one (dbstat where available).
      long middle;
      try {
        middle = longValue(sql, "SELECT pageno FROM dbstat WHERE name = 'stable_transactions'"
            + " AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET (SELECT count(*) / 2 FROM"
            + " dbstat WHERE name = 'stable_transactions' AND pagetype = 'leaf')");
      } catch (java.sql.SQLException noDbstat) {
        middle = longValue(sql, "SELECT rootpage FROM sqlite_master WHERE name ="
            + " 'stable_transactions'");
      }
      page = middle;
    }
    byte[] garbage = new byte[(int) pageSize];
    java.util.Arrays.fill(garbage, (byte) 0xA5);
    try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(paths.coreDb(),
        java.nio.file.StandardOpenOption.WRITE)) {
      file.write(java.nio.ByteBuffer.wrap(garbage), (page - 1) * pageSize);
    }

    Cli.Result result = Cli.run(paths.export(RANGE.start(), RANGE.end(), 50,
        "--includeL1Transactions", "--includeL1Tags"));

    assertThat(result.status()).as(result.err()).isEqualTo(1);
    assertNoTrace(result);
    assertThat(lastLine(result)).contains(paths.coreDb().toString()).contains("malformed");
    assertPublishedPartitionsEqualSource(paths);
    assertThat(publishedPartitions(paths)).as("every partition still there")
        .hasSize(RANGE.alignedPartitions(50).size());
  }

  // --- staging and checkpoint --------------------------------------------------------------

  /** A truncated {@code .checkpoint}: --resume refuses (exit 3, naming it); a plain run works. */
  @org.junit.jupiter.api.Test
  void truncatedCheckpointIsAConflictNamingIt(@TempDir Path work) throws Exception {
    ExportArgs paths = failedJob(work);
    Path job = paths.stagingDir().resolve(WarehouseAssertions.jobDirs(paths.stagingDir()).get(0));
    Path checkpoint = job.resolve(".checkpoint");
    byte[] content = Files.readAllBytes(checkpoint);
    Files.write(checkpoint, java.util.Arrays.copyOf(content, content.length / 2));
    SortedMap<String, String> before = tree(paths.warehouseDir());
    String[] args = paths.export(RANGE.start(), RANGE.end(), 50, "--includeL1Transactions",
        "--includeL1Tags");

    Cli.Result resumed = Cli.run(append(args, "--resume"));

    assertThat(resumed.status()).as(resumed.err()).isEqualTo(3);
    assertNoTrace(resumed);
    assertThat(lastLine(resumed)).contains(checkpoint.toString()).contains("corrupt or truncated");
    assertThat(tree(paths.warehouseDir())).as("warehouse untouched").isEqualTo(before);

    Cli.Result plain = Cli.run(args);
    assertThat(plain.status()).as(plain.err()).isZero();
    assertEqualsGood(paths);
  }

  /** Half-written and garbage Parquet files in a job's staging dir: --resume clears them. */
  @org.junit.jupiter.api.Test
  void garbageInStagingIsClearedByResume(@TempDir Path work) throws Exception {
    ExportArgs paths = failedJob(work);
    Path job = paths.stagingDir().resolve(WarehouseAssertions.jobDirs(paths.stagingDir()).get(0));
    Path dir = job.resolve("tags").resolve("height=150-199");
    Files.createDirectories(dir);
    Files.write(dir.resolve(".part-0.parquet"), "PAR1 half a file".getBytes());
    Files.write(dir.resolve("tags_150_199_20260101T000000000_1.parquet"), new byte[] {1, 2, 3});
    Files.createDirectories(job.resolve("blocks").resolve("height=200-249"));

    Cli.Result resumed = Cli.run(paths.export(RANGE.start(), RANGE.end(), 50,
        "--includeL1Transactions", "--includeL1Tags", "--resume"));

    assertThat(resumed.status()).as(resumed.err()).isZero();
    assertEqualsGood(paths);
    assertThat(WarehouseAssertions.jobDirs(paths.stagingDir())).isEmpty();
  }

  /**
   * A job directory without {@code .checkpoint}, as a kill right after creating it leaves
   * (found by the crash campaign): removed by the next successful export with that staging dir
   * once its process is gone; one of a running process is left alone.
   */
  @org.junit.jupiter.api.Test
  void jobDirectoryWithoutCheckpointOfADeadProcessIsRemoved(@TempDir Path work)
      throws Exception {
    ExportArgs paths = ExportArgs.of(good, work);
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path dead = Files.createDirectories(paths.stagingDir()
        .resolve("job-20260101_000000_" + gone.pid()));
    Path alive = Files.createDirectories(paths.stagingDir()
        .resolve("job-20260101_000000_" + ProcessHandle.current().pid()));

    Cli.Result result = Cli.run(paths.export(RANGE.start(), RANGE.end(), 50));

    assertThat(result.status()).as(result.err()).isZero();
    assertThat(dead).doesNotExist();
    assertThat(alive).isDirectory();
  }

  // --- corrupt Iceberg metadata -------------------------------------------------------------

  /** How one Iceberg metadata file of the transactions table is damaged. */
  enum IcebergDamage {
    VERSION_HINT, METADATA_JSON, MANIFEST, MANIFEST_LIST;

    Path damage(Path metadata) throws Exception {
      Path file = switch (this) {
        case VERSION_HINT -> metadata.resolve("version-hint.text");
        case METADATA_JSON -> metadata.resolve("v1.metadata.json");
        case MANIFEST -> only(metadata, "-m0.avro");
        case MANIFEST_LIST -> only(metadata, "snap-");
      };
      byte[] content = Files.readAllBytes(file);
      Files.write(file, this == VERSION_HINT ? "v?".getBytes()
          : java.util.Arrays.copyOf(content, content.length / 3));
      return file;
    }

    private static Path only(Path dir, String part) throws Exception {
      try (Stream<Path> files = Files.list(dir)) {
        return files.filter(f -> f.getFileName().toString().contains(part)).findFirst()
            .orElseThrow();
      }
    }
  }

  /**
   * Corrupt metadata is a state conflict (exit 3, naming the file) for {@code metadata} and for
   * {@code export}, which checks the tables' metadata before it writes anything: the warehouse is
   * left exactly as it was, no Parquet file is replaced, nothing is committed.
   */
  @ParameterizedTest(name = "[{index}] corrupt {0}")
  @org.junit.jupiter.params.provider.EnumSource(IcebergDamage.class)
  void corruptIcebergMetadataIsAConflictAndNothingIsWritten(IcebergDamage damage,
      @TempDir Path work) throws Exception {
    ExportArgs paths = exportedWarehouse(work);
    Cli.Result metadata = Cli.run("metadata", "--datasets-dir", paths.warehouseDir().toString());
    assertThat(metadata.status()).as(metadata.err()).isZero();
    Path damaged = damage.damage(paths.warehouseDir().resolve("transactions").resolve("metadata"));
    SortedMap<String, String> before = tree(paths.warehouseDir());

    Cli.Result again = Cli.run("metadata", "--datasets-dir", paths.warehouseDir().toString());
    Cli.Result export = Cli.run(paths.export(150, 199, 50, "--includeL1Transactions",
        "--includeL1Tags"));

    for (Cli.Result result : List.of(again, export)) {
      assertThat(result.status()).as(result.err()).isEqualTo(3);
      assertNoTrace(result);
      assertThat(lastLine(result)).contains(damaged.getFileName().toString());
    }
    assertThat(tree(paths.warehouseDir())).as("warehouse untouched").isEqualTo(before);
    assertThat(WarehouseAssertions.jobDirs(paths.stagingDir())).isEmpty();
  }

  // --- paths and options --------------------------------------------------------------------

  /** A warehouse reached through a symlink: the same warehouse, whichever path names it. */
  @org.junit.jupiter.api.Test
  void warehouseThroughASymlink(@TempDir Path work) throws Exception {
    Path real = Files.createDirectories(work.resolve("real"));
    Path link = Files.createSymbolicLink(work.resolve("link"), real);
    ExportArgs viaLink = new ExportArgs(good.resolve("core.db"), good.resolve("bundles.db"),
        work.resolve("staging"), link);
    ExportArgs viaReal = new ExportArgs(good.resolve("core.db"), good.resolve("bundles.db"),
        work.resolve("staging"), real);
    String[] args = viaLink.export(RANGE.start(), RANGE.end(), 50, "--includeL1Transactions",
        "--includeL1Tags");
    assertThat(Cli.run(args).status()).isZero();
    assertThat(Cli.run("metadata", "--datasets-dir", link.toString()).status()).isZero();
    SortedMap<String, String> before = tree(real);

    Cli.Result viaRealPath = Cli.run("metadata", "--datasets-dir", real.toString());

    assertThat(viaRealPath.status()).as(viaRealPath.err()).isZero();
    assertThat(tree(real)).as("nothing to commit through the other path").isEqualTo(before);
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertEqualsGood(viaReal);
    try (SourceOracle source = new SourceOracle(good.resolve("core.db"),
        good.resolve("bundles.db"))) {
      for (Path root : List.of(link, real)) {
        assertThat(io.arexport.testing.IcebergReader.rows(
            io.arexport.testing.IcebergReader.loadWithHadoop(root, "tags")))
            .containsExactlyInAnyOrderElementsOf(source.rows("tags", RANGE, true, true));
      }
    }
  }

  /** Option values at and beyond their limits: the documented behaviour, never exit 4. */
  @ParameterizedTest(name = "[{index}] {0}")
  @org.junit.jupiter.params.provider.CsvSource(delimiter = ';', value = {
      // name; startHeight; endHeight; extra options; exit; stderr must contain
      "heights near 2^63; 9223372036854775000; 9223372036854775807; ; 0; ",
      "endHeight 2^63-1 over the data; 100; 9223372036854775807; ; 0; ",
      "startHeight = endHeight = 2^63-1; 9223372036854775807; 9223372036854775807; ; 0; ",
      "endHeight 2^63; 100; 9223372036854775808; ; 2; '9223372036854775808' is not a long",
      "partition size 1; 140; 159; --heightPartitionSize 1; 0; ",
      "maxFileRows 1; 140; 159; --maxFileRows 1; 0; ",
      "partition size 2^62; 100; 349; --heightPartitionSize 4611686018427387904; 0; ",
      "partition size 2^63-1; 100; 349; --heightPartitionSize 9223372036854775807; 0; ",
      "partition size 2^63; 100; 349; --heightPartitionSize 9223372036854775808; 2; "
          + "is not a long",
      "partition size -1; 100; 349; --heightPartitionSize -1; 2; heightPartitionSize must be",
      "maxFileRows 2^63-1; 100; 349; --maxFileRows 9223372036854775807; 0; ",
      "maxFileRows -1; 100; 349; --maxFileRows -1; 2; maxFileRows must be",
      "startHeight -1; -1; 349; ; 2; -1"})
  void optionLimits(String name, String start, String end, String extra, int status,
      String mustSay, @TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(good, work);
    List<String> args = new ArrayList<>(List.of("export", "--startHeight", start, "--endHeight",
        end, "--coreDb", paths.coreDb().toString(), "--bundlesDb", paths.bundlesDb().toString(),
        "--stagingDir", paths.stagingDir().toString(), "--warehouseDir",
        paths.warehouseDir().toString(), "--includeL1Transactions", "--includeL1Tags"));
    if (extra != null) {
      args.addAll(List.of(extra.split(" ")));
    }
    if (!args.contains("--heightPartitionSize")) {
      args.addAll(List.of("--heightPartitionSize", "50"));
    }
    long started = System.nanoTime();

    Cli.Result result = Cli.run(args.toArray(String[]::new));

    assertThat(System.nanoTime() - started).as("seconds, " + name).isLessThan(60_000_000_000L);
    assertThat(result.status()).as(result.err()).isEqualTo(status);
    assertNoTrace(result);
    if (status != 0) {
      assertThat(result.errLines().get(0)).startsWith("arexport: ").contains(mustSay);
      assertThat(paths.warehouseDir()).doesNotExist();
      return;
    }
    long from = Long.parseLong(start);
    long to = Long.parseLong(end);
    // Rows of the requested range (the sources hold heights 100-349 only).
    HeightRange range = new HeightRange(from, to);
    try (SourceOracle source = new SourceOracle(paths.coreDb(), paths.bundlesDb());
        WarehouseReader parquet = new WarehouseReader()) {
      for (String table : WarehouseAssertions.TABLES) {
        assertThat(parquet.rows(paths.warehouseDir(), table)).as(table)
            .containsExactlyElementsOf(source.rows(table, range, true, true));
      }
    }
    assertCleanDataDirs(paths.warehouseDir());
    assertThat(WarehouseAssertions.jobDirs(paths.stagingDir())).isEmpty();
  }

  /**
   * A partition size Iceberg's truncate cannot express (above 2^31-1) on a warehouse whose tables
   * have Iceberg metadata: refused before anything is written (exit 2), since the closing
   * Iceberg commit could never succeed and the replaced files would stay beside the new ones.
   */
  @org.junit.jupiter.api.Test
  void hugePartitionSizeOnAnIcebergWarehouseIsRefusedUpFront(@TempDir Path work)
      throws Exception {
    ExportArgs paths = exportedWarehouse(work);
    assertThat(Cli.run("metadata", "--datasets-dir", paths.warehouseDir().toString()).status())
        .isZero();
    SortedMap<String, String> before = tree(paths.warehouseDir());

    Cli.Result result = Cli.run(paths.export(RANGE.start(), RANGE.end(), 4611686018427387904L,
        "--includeL1Transactions", "--includeL1Tags"));

    assertThat(result.status()).as(result.err()).isEqualTo(2);
    assertNoTrace(result);
    assertThat(result.errLines()).hasSize(1);
    assertThat(lastLine(result)).contains("4611686018427387904").contains("--no-iceberg");
    assertThat(tree(paths.warehouseDir())).isEqualTo(before);

    Cli.Result noIceberg = Cli.run(paths.export(RANGE.start(), RANGE.end(), 4611686018427387904L,
        "--includeL1Transactions", "--includeL1Tags", "--no-iceberg"));
    assertThat(noIceberg.status()).as(noIceberg.err()).isZero();
  }

  // --- helpers --------------------------------------------------------------------------------

  /** A copy of the good sources in {@code work}, exported with P = 50 (L1 rows included). */
  private static ExportArgs exportedWarehouse(Path work) throws Exception {
    Path sources = Files.createDirectories(work.resolve("sources"));
    copy(good.resolve("core.db"), sources.resolve("core.db"));
    copy(good.resolve("bundles.db"), sources.resolve("bundles.db"));
    ExportArgs paths = ExportArgs.of(sources, work);
    Cli.Result first = Cli.run(paths.export(RANGE.start(), RANGE.end(), 50,
        "--includeL1Transactions", "--includeL1Tags"));
    assertThat(first.status()).as(first.err()).isZero();
    return paths;
  }

  /**
   * A job that failed at partition 150-199 (a bad quantity there) and kept its staging directory;
   * the sources are then repaired (the good ones copied back).
   */
  private static ExportArgs failedJob(Path work) throws Exception {
    Path sources = Files.createDirectories(work.resolve("sources"));
    copy(good.resolve("core.db"), sources.resolve("core.db"));
    copy(good.resolve("bundles.db"), sources.resolve("bundles.db"));
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + sources.resolve("core.db"));
        Statement sql = c.createStatement()) {
      sql.executeUpdate("UPDATE stable_transactions SET quantity = 'bad' WHERE " + FIRST_TX);
    }
    ExportArgs paths = ExportArgs.of(sources, work);
    Cli.Result failed = Cli.run(paths.export(RANGE.start(), RANGE.end(), 50,
        "--includeL1Transactions", "--includeL1Tags"));
    assertThat(failed.status()).as(failed.err()).isEqualTo(2);
    assertThat(WarehouseAssertions.jobDirs(paths.stagingDir())).hasSize(1);
    Files.delete(sources.resolve("core.db"));
    copy(good.resolve("core.db"), sources.resolve("core.db"));
    return paths;
  }

  private static void assertEqualsGood(ExportArgs paths) throws Exception {
    io.arexport.testing.WarehouseAssertions.assertEqualsSource(paths.warehouseDir(),
        good.resolve("core.db"), good.resolve("bundles.db"), RANGE, true, true);
    assertThat(WarehouseAssertions.temporaryFiles(paths.warehouseDir())).isEmpty();
  }

  private static long longValue(Statement sql, String query) throws java.sql.SQLException {
    try (java.sql.ResultSet rows = sql.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static String[] append(String[] args, String... extra) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(extra));
    return all.toArray(String[]::new);
  }


  /** A tags row "height|id|index|indexed_at|name|value|is_data_item" with a NULL name or value. */
  private static boolean hasNullNameOrValue(String row) {
    String[] fields = row.split("\\|", -1);
    return fields[4].equals("NULL") || fields[5].equals("NULL");
  }

  private static Arguments source(String name, String db, String table, String change,
      int status, String... named) {
    return Arguments.of(new SourceCase(name, db, table, change, status, String.join("|", named)));
  }

  private static void copy(Path db, Path target) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement sql = c.createStatement()) {
      sql.execute("VACUUM INTO '" + target.toString().replace("'", "''") + "'");
    }
  }

  /** No stack trace, and the failure is not an internal error. */
  static void assertNoTrace(Cli.Result result) {
    assertThat(result.status()).as("exit status (4 is an internal error): " + result.err())
        .isNotEqualTo(4);
    assertThat(result.err()).doesNotContain("\tat ").doesNotContain("Exception in thread")
        .doesNotContain("this is a bug");
  }

  /** The error line: the last stderr line, which starts with "arexport: ". */
  static String lastLine(Cli.Result result) {
    List<String> lines = result.errLines();
    assertThat(lines).as("stderr").isNotEmpty();
    String last = lines.get(lines.size() - 1);
    assertThat(last).startsWith("arexport: ");
    return last;
  }

  static List<HeightRange> publishedPartitions(ExportArgs paths) throws Exception {
    List<HeightRange> partitions = new ArrayList<>();
    for (String table : WarehouseAssertions.TABLES) {
      for (HeightRange partition : WarehouseReader.files(paths.warehouseDir(), table).keySet()) {
        if (!partitions.contains(partition)) {
          partitions.add(partition);
        }
      }
    }
    return partitions;
  }

  /** Every published partition holds exactly its source rows (of the good source). */
  static void assertPublishedPartitionsEqualSource(ExportArgs paths) throws Exception {
    assertCleanDataDirs(paths.warehouseDir());
    assertThat(WarehouseAssertions.temporaryFiles(paths.warehouseDir())).isEmpty();
    try (SourceOracle source = new SourceOracle(good.resolve("core.db"),
        good.resolve("bundles.db"));
        WarehouseReader parquet = new WarehouseReader()) {
      for (String table : WarehouseAssertions.TABLES) {
        for (Map.Entry<HeightRange, List<String>> partition
            : parquet.rowsByPartition(paths.warehouseDir(), table).entrySet()) {
          assertThat(partition.getValue()).as(table + " " + partition.getKey())
              .containsExactlyElementsOf(source.rows(table, partition.getKey(), true, true));
        }
      }
    }
  }

  static SortedMap<String, String> tree(Path dir) throws Exception {
    return WarehouseAssertions.snapshot(dir);
  }
}
