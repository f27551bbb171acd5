package io.arexport.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.testing.ChildJvm;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SampleDatabases.Spec;
import io.arexport.testing.SourceOracle;
import io.arexport.testing.VerifyRun;
import io.arexport.testing.WarehouseAssertions;
import io.arexport.testing.WarehouseReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/**
 * A live gateway (issue 4): while two exports run in a child JVM, a writer thread (its own
 * connections, WAL mode, as the gateway) keeps inserting into every stable_* table and keeps
 * rewriting a "forked" height range: in one transaction per database it deletes every row of
 * heights 110-114 and inserts a new generation of them (new ids, every block_timestamp and
 * indexed_at set to the generation's mark). Then:
 *
 * <ul>
 *   <li>no torn partition: in the exported partition 100-124, the forked heights' rows of each
 *       database (core: blocks, L1 transactions, L1 tags; bundles: data items, their tags) all
 *       belong to one generation, with that generation's full row count;
 *   <li>the writer is never blocked for a second or more;
 *   <li>{@code verify --deep} on the quiesced databases reports exactly the table-partitions whose
 *       source changed after the export read them, and only partitions the writer touched.
 * </ul>
 */
class LiveGatewayTest {
  private static final HeightRange RANGE = new HeightRange(100, 299);
  private static final long P = 25;
  private static final HeightRange FORKED = new HeightRange(110, 114);
  /** Inserted rows go here, in partition 275-299, and blocks above the range. */
  private static final long INSERT_HEIGHT = 290;
  private static final long MARK = 1_000_000_000_000L;

  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(new Spec(29, RANGE.start(), RANGE.end(), 2, 8, 4),
        sources.resolve("core.db"), sources.resolve("bundles.db"));
  }

  @Test
  void exportsOfALiveGatewayAreNeverTornAndVerifyNamesOnlyLaterChanges(@TempDir Path work)
      throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    Writer writer = new Writer(paths);
    Thread thread = new Thread(writer, "gateway-writer");
    thread.start();
    try {
      writer.awaitGenerations(3);
      for (int run = 0; run < 2; run++) {
        try (ChildJvm child = ChildJvm.start(List.of("-Xmx384m", "-XX:TieredStopAtLevel=1"),
            Map.of(), work, paths.export(RANGE.start(), RANGE.end(), P,
                "--includeL1Transactions", "--includeL1Tags"))) {
          assertThat(child.waitFor(180)).as(child.err()).isZero();
        }
        assertForkNotTorn(paths);
      }
    } finally {
      writer.stop.set(true);
      thread.join(10_000);
    }
    assertThat(writer.errors).as("writer errors").isEmpty();
    System.out.printf("live gateway: %d fork generations, %d inserts, max commit latency %.1f ms%n",
        writer.generations.get(), writer.inserts.get(), writer.maxLatencyNanos.get() / 1e6);
    assertThat(writer.maxLatencyNanos.get()).as("max writer commit latency (ns)")
        .isLessThan(1_000_000_000L);

    // Quiesced: which table-partitions differ from the source now?
    Set<String> changed = new TreeSet<>();
    try (SourceOracle source = new SourceOracle(paths.coreDb(), paths.bundlesDb());
        WarehouseReader parquet = new WarehouseReader()) {
      for (String table : WarehouseAssertions.TABLES) {
        Map<HeightRange, List<String>> exported = parquet.rowsByPartition(paths.warehouseDir(),
            table);
        for (HeightRange partition : RANGE.alignedPartitions(P)) {
          if (!exported.getOrDefault(partition, List.of())
              .equals(source.rows(table, partition, true, true))) {
            changed.add(table + " " + partition);
          }
        }
      }
    }
    Set<String> touched = new HashSet<>();
    for (String table : WarehouseAssertions.TABLES) {
      touched.add(table + " " + RANGE.alignedPartitionAt(FORKED.start(), P));
      touched.add(table + " " + RANGE.alignedPartitionAt(INSERT_HEIGHT, P));
    }
    assertThat(changed).as("partitions changed after their read").isSubsetOf(touched)
        .isNotEmpty();
    VerifyRun.Report report = VerifyRun.run(paths, RANGE, P, true, true, true);
    assertThat(report.status()).as(report.toString()).isEqualTo(1);
    assertThat(report.differingPartitions()).as(report.toString()).isEqualTo(changed);
  }

  /** The forked heights of partition 100-124 come from one generation per database. */
  private static void assertForkNotTorn(ExportArgs paths) throws Exception {
    HeightRange partition = RANGE.alignedPartitionAt(FORKED.start(), P);
    try (WarehouseReader parquet = new WarehouseReader()) {
      Set<String> coreMarks = new TreeSet<>();
      Set<String> bundleMarks = new TreeSet<>();
      int coreRows = 0;
      int bundleRows = 0;
      for (String table : WarehouseAssertions.TABLES) {
        for (String row : parquet.rowsByPartition(paths.warehouseDir(), table)
            .getOrDefault(partition, List.of())) {
          String[] f = row.split("\\|", -1);
          long height = Long.parseLong(switch (table) {
            case "blocks" -> f[1];
            case "transactions" -> f[11];
            default -> f[0];
          });
          if (!FORKED.contains(height)) {
            continue;
          }
          long stamp = Long.parseLong(switch (table) {
            case "blocks" -> f[5];
            case "transactions" -> f[1];
            default -> f[3];
          });
          boolean dataItem = !table.equals("blocks") && f[table.equals("tags") ? 6 : 3]
              .equals("true");
          String mark = stamp >= MARK ? Long.toString(stamp - MARK) : "original";
          if (dataItem) {
            bundleMarks.add(mark);
            bundleRows++;
          } else {
            coreMarks.add(mark);
            coreRows++;
          }
        }
      }
      // The writer rewrote the fork before the first export started: never the original rows.
      assertThat(coreMarks).as("generations of the forked core.db rows").hasSize(1)
          .doesNotContain("original");
      assertThat(bundleMarks).as("generations of the forked bundles.db rows").hasSize(1)
          .doesNotContain("original");
      System.out.printf("live gateway: forked heights exported from generation %s (core.db) and"
          + " %s (bundles.db)%n", coreMarks, bundleMarks);
      // Every generation has the same rows as the original: a partial one would have fewer.
      assertThat(coreRows).as("forked core.db rows").isEqualTo(ORIGINAL_ROWS[0]);
      assertThat(bundleRows).as("forked bundles.db rows").isEqualTo(ORIGINAL_ROWS[1]);
    }
  }

  /** Forked rows of core.db and bundles.db in the export, counted before the writer starts. */
  private static final int[] ORIGINAL_ROWS = new int[2];

  /** The gateway: fork rewrites of heights 110-114 and inserts, small transactions. */
  static final class Writer implements Runnable {
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger generations = new AtomicInteger();
    final AtomicInteger inserts = new AtomicInteger();
    final AtomicLong maxLatencyNanos = new AtomicLong();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final ExportArgs paths;

    Writer(ExportArgs paths) throws Exception {
      this.paths = paths;
      try (SourceOracle source = new SourceOracle(paths.coreDb(), paths.bundlesDb())) {
        int core = source.blocks(FORKED).size();
        core += (int) source.transactions(FORKED, true).stream()
            .filter(r -> r.split("\\|")[3].equals("false")).count();
        core += (int) source.tags(FORKED, true).stream()
            .filter(r -> r.split("\\|")[6].equals("false")).count();
        int bundles = (int) source.transactions(FORKED, false).size()
            + source.tags(FORKED, false).size();
        ORIGINAL_ROWS[0] = core;
        ORIGINAL_ROWS[1] = bundles;
      }
    }

    void awaitGenerations(int n) throws InterruptedException {
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (generations.get() < n && errors.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(errors).isEmpty();
      assertThat(generations.get()).isGreaterThanOrEqualTo(n);
    }

    private static Connection open(Path db) throws Exception {
      SQLiteConfig config = new SQLiteConfig();
      config.setBusyTimeout(10_000);
      Connection c = config.createConnection("jdbc:sqlite:" + db);
      try (Statement s = c.createStatement()) {
        String h = "height BETWEEN " + FORKED.start() + " AND " + FORKED.end();
        if (db.getFileName().toString().startsWith("core")) {
          s.execute("CREATE TEMP TABLE tpl_b AS SELECT * FROM stable_blocks WHERE " + h);
          s.execute("CREATE TEMP TABLE w_b AS SELECT * FROM tpl_b WHERE 0");
          s.execute("CREATE TEMP TABLE tpl_t AS SELECT * FROM stable_transactions WHERE " + h);
          s.execute("CREATE TEMP TABLE tpl_g AS SELECT * FROM stable_transaction_tags WHERE"
              + " transaction_id IN (SELECT id FROM tpl_t)");
        } else {
          s.execute("CREATE TEMP TABLE tpl_t AS SELECT * FROM stable_data_items WHERE " + h);
          s.execute("CREATE TEMP TABLE tpl_g AS SELECT * FROM stable_data_item_tags WHERE"
              + " data_item_id IN (SELECT id FROM tpl_t)");
        }
        s.execute("CREATE TEMP TABLE w_t AS SELECT * FROM tpl_t WHERE 0");
        s.execute("CREATE TEMP TABLE w_g AS SELECT * FROM tpl_g WHERE 0");
      }
      c.setAutoCommit(false);
      return c;
    }

    @Override
    public void run() {
      try (Connection core = open(paths.coreDb());
          Connection bundles = open(paths.bundlesDb());
          Statement c = core.createStatement();
          Statement b = bundles.createStatement()) {
        String h = "height BETWEEN " + FORKED.start() + " AND " + FORKED.end();
        for (int gen = 1; !stop.get(); gen++) {
          // New ids: an 8-byte generation prefix on the template's id (a BLOB: || gives TEXT).
          String prefix = "CAST(printf('g%07d', " + gen + ") || substr(";
          long mark = MARK + gen;
          // core.db: the forked heights replaced by generation gen, in one transaction.
          timed(core, () -> {
            c.execute("DELETE FROM stable_transaction_tags WHERE transaction_id IN"
                + " (SELECT id FROM stable_transactions WHERE " + h + ")");
            c.execute("DELETE FROM stable_transactions WHERE " + h);
            c.execute("DELETE FROM stable_blocks WHERE " + h);
            copy(c, "tpl_b", "stable_blocks", "indep_hash = " + prefix + "indep_hash, 9) AS BLOB),"
                + " block_timestamp = " + mark);
            copy(c, "tpl_t", "stable_transactions", "id = " + prefix + "id, 9) AS BLOB),"
                + " indexed_at = " + mark);
            copy(c, "tpl_g", "stable_transaction_tags", "transaction_id = " + prefix
                + "transaction_id, 9) AS BLOB)");
          });
          timed(bundles, () -> {
            b.execute("DELETE FROM stable_data_item_tags WHERE data_item_id IN"
                + " (SELECT id FROM stable_data_items WHERE " + h + ")");
            b.execute("DELETE FROM stable_data_items WHERE " + h);
            copy(b, "tpl_t", "stable_data_items", "id = " + prefix + "id, 9) AS BLOB),"
                + " indexed_at = " + mark);
            copy(b, "tpl_g", "stable_data_item_tags", "data_item_id = " + prefix
                + "data_item_id, 9) AS BLOB)");
          });
          generations.set(gen);
          // Inserts: a block above the range, one more generation of rows at INSERT_HEIGHT.
          String insert = "CAST(printf('i%07d', " + gen + ") || substr(";
          long blockHeight = 100_000 + gen;
          long btiShift = gen * 10_000L;
          timed(core, () -> {
            c.execute("DELETE FROM w_b");
            c.execute("INSERT INTO w_b SELECT * FROM tpl_b LIMIT 1");
            c.execute("UPDATE w_b SET height = " + blockHeight + ", indep_hash = " + insert
                + "indep_hash, 9) AS BLOB)");
            c.execute("INSERT INTO stable_blocks SELECT * FROM w_b");
            // The tag key has no transaction id: a new block_transaction_index keeps it unique.
            // (SET reads the old height: rows from different forked heights stay apart.)
            String bti = "block_transaction_index = block_transaction_index + " + btiShift
                + " + (height - " + FORKED.start() + ") * 100";
            copy(c, "tpl_t", "stable_transactions", "id = " + insert + "id, 9) AS BLOB), height = "
                + INSERT_HEIGHT + ", " + bti);
            copy(c, "tpl_g", "stable_transaction_tags", "transaction_id = " + insert
                + "transaction_id, 9) AS BLOB), height = " + INSERT_HEIGHT + ", " + bti);
          });
          timed(bundles, () -> {
            copy(b, "tpl_t", "stable_data_items", "id = " + insert + "id, 9) AS BLOB), height = "
                + INSERT_HEIGHT);
            copy(b, "tpl_g", "stable_data_item_tags", "data_item_id = " + insert
                + "data_item_id, 9) AS BLOB), height = " + INSERT_HEIGHT);
          });
          inserts.incrementAndGet();
          Thread.sleep(5);
        }
      } catch (Throwable e) {
        errors.add(e);
      }
    }

    /** Copies a template into the work table, changes it, and inserts it into the target. */
    private static void copy(Statement s, String template, String target, String set)
        throws Exception {
      String work = "w_" + template.substring(4);
      s.execute("DELETE FROM " + work);
      s.execute("INSERT INTO " + work + " SELECT * FROM " + template);
      s.execute("UPDATE " + work + " SET " + set);
      s.execute("INSERT INTO " + target + " SELECT * FROM " + work);
    }

    private interface Body {
      void run() throws Exception;
    }

    private void timed(Connection connection, Body body) throws Exception {
      long started = System.nanoTime();
      body.run();
      connection.commit();
      maxLatencyNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
    }
  }
}
