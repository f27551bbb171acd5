package io.arexport.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arexport.InvalidInputException;
import io.arexport.schema.ExportTable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tag cursor and its dictionaries against a small database: every row comes out with the
 * name and value the SQL join gives (the oracle here is SQLite itself, joining the same tables),
 * in order, across batch and lookup-chunk boundaries; dangling tags are skipped and counted; the
 * cache stays within its budget; a hash without a row is looked up again in a later snapshot.
 */
class TagCursorTest {
  // The last column stands for the owning transaction's rowid: the tags of one item share it.
  private static final String TAGS_SQL = "SELECT height, id, idx, indexed_at, name_hash,"
      + " value_hash, owner FROM t WHERE height BETWEEN ? AND ? ORDER BY height, id, idx";
  private static final String JOINED_SQL =
      "SELECT t.height, t.id, t.idx, n.name, v.value, t.indexed_at FROM t"
      + " JOIN tag_names n ON n.hash = t.name_hash JOIN tag_values v ON v.hash = t.value_hash"
      + " ORDER BY t.height, t.id, t.idx";

  private static byte[] sha1(String text) throws Exception {
    return MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * {@code rows} tags: names from 7 distinct, values from {@code distinctValues} (every value a
   * tag uses also exists, except those of every 97th row, which dangle).
   */
  private static Path database(Path dir, int rows, int distinctValues) throws Exception {
    Path db = dir.resolve("tags.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE tag_names (hash BLOB PRIMARY KEY, name BLOB NOT NULL)");
        s.execute("CREATE TABLE tag_values (hash BLOB PRIMARY KEY, value BLOB NOT NULL)");
        s.execute("CREATE TABLE t (height INTEGER, id BLOB, idx INTEGER, indexed_at INTEGER,"
            + " name_hash BLOB, value_hash BLOB, owner INTEGER)");
      }
      try (PreparedStatement names = c.prepareStatement("INSERT INTO tag_names VALUES (?, ?)");
          PreparedStatement values =
              c.prepareStatement("INSERT OR IGNORE INTO tag_values VALUES (?, ?)");
          PreparedStatement tags = c.prepareStatement("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        for (int n = 0; n < 7; n++) {
          names.setBytes(1, sha1("name" + n));
          names.setBytes(2, ("name" + n).getBytes(StandardCharsets.UTF_8));
          names.executeUpdate();
        }
        for (int i = 0; i < rows; i++) {
          String value = "value" + (i * 7919L % distinctValues);
          boolean dangling = i % 97 == 13;
          if (!dangling) {
            values.setBytes(1, sha1(value));
            values.setBytes(2, value.getBytes(StandardCharsets.UTF_8));
            values.executeUpdate();
          }
          tags.setLong(1, i / 10);
          tags.setBytes(2, sha1("item" + i / 5));
          tags.setLong(3, i % 5);
          // Five tags per item; an item's height, id and indexed_at are the same on each.
          tags.setLong(4, 1000 + i / 5);
          tags.setBytes(5, sha1("name" + i % 7));
          tags.setBytes(6, sha1(dangling ? "missing" + i : value));
          tags.setLong(7, i / 5);
          tags.executeUpdate();
        }
      }
      c.commit();
    }
    return db;
  }

  private static SqliteSource open(Path db) {
    return SqliteSource.open("coreDb", db, Map.of("t", Set.of("height"),
        "tag_names", Set.of("hash", "name"), "tag_values", Set.of("hash", "value")));
  }

  private static List<String> joined(Path db) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        var r = s.executeQuery(JOINED_SQL)) {
      while (r.next()) {
        rows.add(r.getLong(1) + "/" + ByteBuffer.wrap(r.getBytes(2)).hashCode() + "/"
            + r.getLong(3) + "/" + new String(r.getBytes(4), StandardCharsets.UTF_8) + "="
            + new String(r.getBytes(5), StandardCharsets.UTF_8) + "@" + r.getLong(6));
      }
    }
    return rows;
  }

  private static String text(Object buffer) {
    ByteBuffer b = ((ByteBuffer) buffer).duplicate();
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void rowsEqualTheJoinAcrossBatchesAndDanglingTagsAreSkipped(@TempDir Path dir)
      throws Exception {
    int rows = TagCursor.BATCH_ROWS * 3 + 17;
    Path db = database(dir, rows, 2_000);
    AtomicLong skipped = new AtomicLong();
    List<String> read = new ArrayList<>();
    try (SqliteSource source = open(db);
        TagDictionary names = new TagDictionary(source, "tag_names", "name", 1 << 20);
        // A budget far below the distinct values: entries are evicted all along.
        TagDictionary values = new TagDictionary(source, "tag_values", "value", 16 << 10);
        TagCursor cursor = new TagCursor(source, TAGS_SQL, 0, Long.MAX_VALUE,
            ExportTable.TAGS.schema(), names, values, true, skipped::incrementAndGet)) {
      while (cursor.next()) {
        Record r = cursor.current();
        read.add(r.get(0) + "/" + r.get(1).hashCode() + "/" + r.get(2) + "/" + text(r.get(4))
            + "=" + text(r.get(5)) + "@" + r.get(3));
        assertThat(r.get(6)).isEqualTo(true);
      }
      assertThat(values.cachedEntries()).isPositive().isLessThan((16 << 10) / 96);
    }
    List<String> expected = joined(db);
    assertThat(read).containsExactlyElementsOf(expected);
    assertThat(skipped.get()).isEqualTo(rows - expected.size()).isPositive();
  }

  @Test
  void aHashWithoutARowIsLookedUpAgainInTheNextSnapshot(@TempDir Path dir) throws Exception {
    Path db = database(dir, 200, 50);
    byte[] late = sha1("missing13");
    try (SqliteSource source = open(db);
        TagDictionary values = new TagDictionary(source, "tag_values", "value", 1 << 20)) {
      byte[][] resolved = new byte[1][];
      values.resolve(new Object[] {late}, 1, resolved);
      assertThat(resolved[0]).isNull();
      values.endSnapshot();
      source.endSnapshot();
      // The gateway adds the row afterwards.
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
          PreparedStatement insert = c.prepareStatement("INSERT INTO tag_values VALUES (?, ?)")) {
        insert.setBytes(1, late);
        insert.setBytes(2, "now here".getBytes(StandardCharsets.UTF_8));
        insert.executeUpdate();
      }
      values.resolve(new Object[] {late, null}, 2, resolved = new byte[2][]);
      assertThat(new String(resolved[0], StandardCharsets.UTF_8)).isEqualTo("now here");
      assertThat(resolved[1]).isNull();
    }
  }

  @Test
  void aTextHashMatchesOnlyATextHashAsInTheJoin(@TempDir Path dir) throws Exception {
    Path db = database(dir, 10, 5);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO tag_values VALUES ('abc', 'text-keyed')");
    }
    try (SqliteSource source = open(db);
        TagDictionary values = new TagDictionary(source, "tag_values", "value", 1 << 20)) {
      byte[][] resolved = new byte[2][];
      values.resolve(new Object[] {"abc", "abc".getBytes(StandardCharsets.UTF_8)}, 2, resolved);
      assertThat(new String(resolved[0], StandardCharsets.UTF_8)).isEqualTo("text-keyed");
      // The BLOB 'abc' is not the TEXT 'abc' to SQLite.
      assertThat(resolved[1]).isNull();
    }
  }

  /** How many tags of heights {@code from..to} the cursor hands out (it may throw instead). */
  private static int countTags(Path db, long from, long to) {
    try (SqliteSource source = open(db);
        TagDictionary names = new TagDictionary(source, "tag_names", "name", 1 << 20);
        TagDictionary values = new TagDictionary(source, "tag_values", "value", 1 << 20);
        TagCursor cursor = new TagCursor(source, TAGS_SQL, from, to, ExportTable.TAGS.schema(),
            names, values, false, () -> { })) {
      int read = 0;
      while (cursor.next()) {
        read++;
      }
      return read;
    }
  }

  private static void update(Path db, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  @Test
  void anInvalidRowIsReportedUnlessItDangles(@TempDir Path dir) throws Exception {
    Path db = database(dir, 100, 10);
    // Row 13 dangles (its value hash has no row); row 20 does not (rowid is row + 1).
    update(db, "UPDATE t SET idx = 1.5 WHERE rowid IN (14, 21)");
    assertThat(countTags(db, 0, 1)).isEqualTo(19);
    assertThatThrownBy(() -> countTags(db, 0, 2))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("REAL 1.5");
  }

  @Test
  void anItemsInvalidColumnIsReportedEvenWhenItsFirstTagDangles(@TempDir Path dir)
      throws Exception {
    Path db = database(dir, 200, 10);
    // Item 22's first tag (row 110) dangles; its other four tags must still report the value
    // rather than reuse anything from the skipped row.
    update(db, "UPDATE t SET indexed_at = 'late' WHERE owner = 22");
    assertThatThrownBy(() -> countTags(db, 11, 11))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("TEXT 'late'");
  }
}
