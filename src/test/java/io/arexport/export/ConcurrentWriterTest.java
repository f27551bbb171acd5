package io.arexport.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.testing.ChildJvm;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SampleDatabases.Spec;
import io.arexport.testing.SourceOracle;
import io.arexport.testing.WarehouseReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/**
 * The gateway keeps writing while an export runs (contract section 1): a writer thread with its own
 * sqlite-jdbc connection commits small transactions to bundles.db (WAL mode, as the gateway runs)
 * during a child JVM export of a few seconds. The writer is never stalled (every commit under 1 s)
 * and the export is exact: heights the writer did not touch equal the source; in the partition it
 * did touch, the export holds the source rows plus a prefix of the writer's commits there, data
 * items and their tags from the same snapshot.
 */
class ConcurrentWriterTest {
  private static final HeightRange RANGE = new HeightRange(0, 299);
  private static final long PARTITION_SIZE = 50;
  /** The writer also writes inside the range, here (partition 250-299, the last one exported). */
  private static final long WRITTEN_HEIGHT = 275;
  private static final HeightRange WRITTEN_PARTITION = new HeightRange(250, 299);
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    // ~30,000 data items and ~290,000 tags: an export of a few seconds.
    SampleDatabases.generate(new Spec(17, RANGE.start(), RANGE.end(), 4, 25, 10),
        sources.resolve("core.db"), sources.resolve("bundles.db"));
  }

  @Test
  void writerIsNotStalledAndExportIsExact(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    assertThat(journalMode(paths.bundlesDb())).isEqualToIgnoringCase("wal");
    Writer writer = new Writer(paths.bundlesDb());
    Thread thread = new Thread(writer, "gateway-writer");
    thread.start();
    int status;
    String err;
    long commitsBefore;
    long commitsDuring;
    try {
      writer.awaitCommits(20);
      commitsBefore = writer.commits.get();
      try (ChildJvm child = ChildJvm.start(List.of("-Xmx512m"), Map.of(), work,
          paths.export(RANGE.start(), RANGE.end(), PARTITION_SIZE))) {
        status = child.waitFor(180);
        err = child.err();
      }
      commitsDuring = writer.commits.get() - commitsBefore;
    } finally {
      writer.stop.set(true);
      thread.join(10_000);
    }

    assertThat(status).as(err).isZero();
    assertThat(writer.errors).as("writer errors").isEmpty();
    assertThat(commitsDuring).as("writer commits while the export ran").isGreaterThan(20);
    System.out.printf("writer: %d commits during the export, max commit latency %.1f ms%n",
        commitsDuring, writer.maxLatencyNanos.get() / 1e6);
    assertThat(writer.maxLatencyNanos.get()).as("max writer commit latency (ns)")
        .isLessThan(1_000_000_000L);

    try (SourceOracle source = new SourceOracle(paths.coreDb(), paths.bundlesDb());
        WarehouseReader parquet = new WarehouseReader()) {
      List<String> writtenInside = List.copyOf(writer.insideIds);
      Set<String> exportedWriterIds = null;
      for (String table : List.of("blocks", "transactions", "tags")) {
        Map<HeightRange, List<String>> partitions =
            parquet.rowsByPartition(paths.warehouseDir(), table);
        assertThat(partitions.keySet()).as(table + " partitions")
            .isSubsetOf(RANGE.alignedPartitions(PARTITION_SIZE));
        for (HeightRange partition : RANGE.alignedPartitions(PARTITION_SIZE)) {
          List<String> actual = partitions.getOrDefault(partition, List.of());
          List<String> expected = source.rows(table, partition, false, false);
          if (!partition.equals(WRITTEN_PARTITION) || table.equals("blocks")) {
            assertThat(actual).as(table + " " + partition).containsExactlyElementsOf(expected);
            continue;
          }
          // Rows are "<hex id>|..." for transactions, "<height>|<hex id>|..." for tags.
          int idField = table.equals("transactions") ? 0 : 1;
          Set<String> writerIdsHere = actual.stream().map(r -> r.split("\\|")[idField])
              .filter(writtenInside::contains).collect(Collectors.toSet());
          if (exportedWriterIds == null) {
            exportedWriterIds = writerIdsHere;
            assertThat(exportedWriterIds).as("writer rows committed before the partition was read")
                .isNotEmpty()
                .containsExactlyInAnyOrderElementsOf(
                    writtenInside.subList(0, exportedWriterIds.size()));
          } else {
            // Tags come from the same snapshot as their data items: same writer items. Items
            // of the writer all have tags, so the sets must be equal.
            assertThat(writerIdsHere).as("writer items with tags exported")
                .isEqualTo(exportedWriterIds);
          }
          Set<String> included = exportedWriterIds;
          List<String> expectedNow = expected.stream()
              .filter(r -> {
                String id = r.split("\\|")[idField];
                return !writtenInside.contains(id) || included.contains(id);
              })
              .toList();
          assertThat(actual).as(table + " " + partition).containsExactlyElementsOf(expectedNow);
        }
      }
    }
  }

  private static String journalMode(Path db) throws Exception {
    try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
      return rs.next() ? rs.getString(1) : "";
    }
  }

  /**
   * Acts like the gateway: one connection, small transactions of one data item and its three tags,
   * mostly above the exported range, every fifth at {@link #WRITTEN_HEIGHT} inside it.
   */
  static final class Writer implements Runnable {
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger commits = new AtomicInteger();
    final AtomicLong maxLatencyNanos = new AtomicLong();
    /** Hex ids of the data items written inside the range, in commit order. */
    final List<String> insideIds = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final Path db;

    Writer(Path db) {
      this.db = db;
    }

    void awaitCommits(int n) throws InterruptedException {
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (commits.get() < n && errors.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(errors).isEmpty();
      assertThat(commits.get()).isGreaterThanOrEqualTo(n);
    }

    @Override
    public void run() {
      SQLiteConfig config = new SQLiteConfig();
      config.setBusyTimeout(10_000);
      try (Connection c = config.createConnection("jdbc:sqlite:" + db);
          PreparedStatement item = c.prepareStatement("INSERT INTO stable_data_items (id,"
              + " parent_id, root_transaction_id, height, block_transaction_index, anchor,"
              + " owner_address, data_offset, data_size, tag_count, indexed_at, content_type)"
              + " VALUES (?, ?, ?, ?, 0, ?, ?, 0, ?, 3, ?, 'text/plain')");
          PreparedStatement tag = c.prepareStatement("INSERT INTO stable_data_item_tags"
              + " (tag_name_hash, tag_value_hash, height, block_transaction_index,"
              + " data_item_tag_index, data_item_id, parent_id, root_transaction_id)"
              + " VALUES (?, ?, ?, 0, ?, ?, ?, ?)");
          PreparedStatement name = c.prepareStatement(
              "INSERT OR IGNORE INTO tag_names (hash, name) VALUES (?, ?)");
          PreparedStatement value = c.prepareStatement(
              "INSERT OR IGNORE INTO tag_values (hash, value) VALUES (?, ?)")) {
        c.setAutoCommit(false);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (long seq = 1; !stop.get(); seq++) {
          boolean inside = seq % 5 == 0;
          long height = inside ? WRITTEN_HEIGHT : 10_000 + seq;
          byte[] id = sha.digest(("writer item " + seq).getBytes(StandardCharsets.UTF_8));
          byte[] parent = sha.digest(("writer bundle " + seq).getBytes(StandardCharsets.UTF_8));
          long started = System.nanoTime();
          item.setBytes(1, id);
          item.setBytes(2, parent);
          item.setBytes(3, parent);
          item.setLong(4, height);
          item.setBytes(5, new byte[0]);
          item.setBytes(6, parent);
          item.setLong(7, seq);
          item.setLong(8, System.currentTimeMillis() / 1000);
          item.executeUpdate();
          for (int i = 0; i < 3; i++) {
            byte[] tagName = ("Writer-Tag-" + i).getBytes(StandardCharsets.UTF_8);
            byte[] tagValue = ("value " + seq + "/" + i).getBytes(StandardCharsets.UTF_8);
            byte[] nameHash = sha.digest(tagName);
            byte[] valueHash = sha.digest(tagValue);
            name.setBytes(1, nameHash);
            name.setBytes(2, tagName);
            name.executeUpdate();
            value.setBytes(1, valueHash);
            value.setBytes(2, tagValue);
            value.executeUpdate();
            tag.setBytes(1, nameHash);
            tag.setBytes(2, valueHash);
            tag.setLong(3, height);
            tag.setInt(4, i);
            tag.setBytes(5, id);
            tag.setBytes(6, parent);
            tag.setBytes(7, parent);
            tag.executeUpdate();
          }
          c.commit();
          long latency = System.nanoTime() - started;
          maxLatencyNanos.accumulateAndGet(latency, Math::max);
          if (inside) {
            insideIds.add(HEX.formatHex(id));
          }
          commits.incrementAndGet();
          Thread.sleep(5);
        }
      } catch (Throwable e) {
        errors.add(e);
      }
    }
  }
}
