package io.arexport.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arexport.testing.SampleDatabases.Spec;
import io.arexport.testing.SampleDatabases.Stats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks that {@link SampleDatabases} really produces every edge case the exporter tests rely
 * on, using plain SQL against the generated files.
 */
class SampleDatabasesTest {

  @TempDir static Path dir;

  static final Spec SPEC = Spec.small();
  static Path core;
  static Path bundles;
  static Stats stats;

  @BeforeAll
  static void generateSmall() throws Exception {
    core = dir.resolve("core.db");
    bundles = dir.resolve("bundles.db");
    stats = SampleDatabases.generate(SPEC, core, bundles);
  }

  // --- helpers ---

  /** Opens bundles.db with core.db attached as {@code core}, so cross-database joins work. */
  static Connection open(Path db) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
    if (db.equals(bundles)) {
      try (Statement s = c.createStatement()) {
        s.execute("ATTACH DATABASE '" + core.toAbsolutePath() + "' AS core");
      }
    }
    return c;
  }

  static long scalar(Path db, String sql) throws SQLException {
    try (Connection c = open(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      return rs.getLong(1);
    }
  }

  static String text(Path db, String sql) throws SQLException {
    try (Connection c = open(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      return rs.getString(1);
    }
  }

  static List<byte[]> blobs(Path db, String sql) throws SQLException {
    List<byte[]> out = new ArrayList<>();
    try (Connection c = open(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getBytes(1));
      }
    }
    return out;
  }

  static boolean isUtf8(byte[] b) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  static boolean isAscii(byte[] b) {
    for (byte x : b) {
      if (x < 0) {
        return false;
      }
    }
    return true;
  }

  /** SHA-256 per table over all rows in a content-defined order (not insertion order). */
  static Map<String, String> fingerprint(Path db) throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
        Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = s.executeQuery(
          "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      for (String t : tables) {
        int columns = (int) scalarOn(c, "SELECT count(*) FROM pragma_table_info('" + t + "')");
        StringBuilder sql = new StringBuilder("SELECT ");
        StringBuilder order = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
          sql.append(i == 1 ? "" : " || '|' || ").append("quote(").append(colName(c, t, i)).append(')');
          order.append(i == 1 ? "" : ", ").append(colName(c, t, i));
        }
        sql.append(" FROM ").append(t).append(" ORDER BY ").append(order);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (ResultSet rs = s.executeQuery(sql.toString())) {
          while (rs.next()) {
            md.update(rs.getString(1).getBytes(StandardCharsets.UTF_8));
            md.update((byte) '\n');
          }
        }
        out.put(t, HexFormat.of().formatHex(md.digest()));
      }
    }
    return out;
  }

  static long scalarOn(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static String colName(Connection c, String table, int position) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT name FROM pragma_table_info('" + table + "') WHERE cid = " + (position - 1))) {
      rs.next();
      return '"' + rs.getString(1) + '"';
    }
  }

  // --- structure ---

  @Test
  void statsAreTheTrueRowCounts() throws Exception {
    assertThat(stats.blocks()).isEqualTo(scalar(core, "SELECT count(*) FROM stable_blocks")).isPositive();
    assertThat(stats.l1Transactions())
        .isEqualTo(scalar(core, "SELECT count(*) FROM stable_transactions")).isPositive();
    assertThat(stats.l1Tags())
        .isEqualTo(scalar(core, "SELECT count(*) FROM stable_transaction_tags")).isPositive();
    assertThat(stats.dataItems())
        .isEqualTo(scalar(bundles, "SELECT count(*) FROM stable_data_items")).isPositive();
    assertThat(stats.dataItemTags())
        .isEqualTo(scalar(bundles, "SELECT count(*) FROM stable_data_item_tags")).isPositive();
    long heights = SPEC.endHeight() - SPEC.startHeight() + 1;
    assertThat(stats.dataItems()).isEqualTo(heights * SPEC.l1TxPerHeight() * SPEC.dataItemsPerL1Tx());
  }

  @Test
  void bothDatabasesAreInWalMode() throws Exception {
    assertThat(text(core, "PRAGMA journal_mode")).isEqualTo("wal");
    assertThat(text(bundles, "PRAGMA journal_mode")).isEqualTo("wal");
  }

  @Test
  void requiredIndexesExist() throws Exception {
    String sql = "SELECT group_concat(ii.name, ',') FROM pragma_index_list('%s') il,"
        + " pragma_index_info(il.name) ii WHERE il.origin = 'c' GROUP BY il.name"
        + " HAVING group_concat(ii.name, ',') = '%s'";
    assertThat(text(core, sql.formatted("stable_transactions", "height,block_transaction_index")))
        .isNotNull();
    assertThat(text(core, sql.formatted("stable_transaction_tags", "transaction_id"))).isNotNull();
    assertThat(text(bundles,
        sql.formatted("stable_data_items", "height,block_transaction_index,id"))).isNotNull();
    assertThat(text(bundles, sql.formatted("stable_data_item_tags", "data_item_id"))).isNotNull();
  }

  // --- blocks ---

  @Test
  void blocksChainAndSomeHeightsHaveNoBlockRow() throws Exception {
    assertThat(scalar(core, "SELECT count(*) FROM stable_blocks WHERE length(indep_hash) != 48"
        + " OR length(nonce) != 32 OR length(hash) != 32")).isZero();
    assertThat(scalar(core, "SELECT count(*) FROM stable_blocks b JOIN stable_blocks p"
        + " ON p.height = b.height - 1 WHERE b.previous_block = p.indep_hash")).isPositive();
    assertThat(scalar(core, "SELECT count(*) FROM stable_blocks b JOIN stable_blocks p"
        + " ON p.height = b.height - 1 WHERE b.previous_block IS NOT p.indep_hash")).isZero();
    assertThat(scalar(core, "SELECT count(*) FROM stable_blocks WHERE height < "
        + SPEC.startHeight() + " OR height > " + SPEC.endHeight())).isZero();

    long heights = SPEC.endHeight() - SPEC.startHeight() + 1;
    long gaps = heights - stats.blocks();
    assertThat(gaps).isPositive().isLessThan(heights / 7); // about 5%
    // Heights without a block row still carry transactions and data items.
    assertThat(scalar(core, "SELECT count(DISTINCT height) FROM stable_transactions"
        + " WHERE height NOT IN (SELECT height FROM stable_blocks)")).isPositive();
    assertThat(scalar(bundles, "SELECT count(DISTINCT height) FROM stable_data_items"
        + " WHERE height NOT IN (SELECT height FROM core.stable_blocks)")).isPositive();
  }

  // --- L1 transactions ---

  @Test
  void idsAreRandom32ByteValuesAboutHalfWithHighFirstByte() throws Exception {
    assertThat(scalar(core, "SELECT count(*) FROM stable_transactions WHERE length(id) != 32")).isZero();
    assertThat(scalar(bundles, "SELECT count(*) FROM stable_data_items WHERE length(id) != 32")).isZero();
    long high = scalar(bundles, "SELECT count(*) FROM stable_data_items"
        + " WHERE hex(substr(id, 1, 1)) >= '80'")
        + scalar(core, "SELECT count(*) FROM stable_transactions WHERE hex(substr(id, 1, 1)) >= '80'");
    double share = (double) high / (stats.dataItems() + stats.l1Transactions());
    assertThat(share).isBetween(0.35, 0.65);
  }

  @Test
  void transactionsCoverEdgeCases() throws Exception {
    String t = "SELECT count(*) FROM stable_transactions WHERE ";
    assertThat(scalar(core, t + "format = 1")).isPositive();
    assertThat(scalar(core, t + "format = 2")).isPositive();
    assertThat(scalar(core, t + "length(last_tx) = 32")).isPositive();
    assertThat(scalar(core, t + "length(last_tx) = 48")).isPositive();
    assertThat(scalar(core, t + "target IS NULL")).isPositive();
    assertThat(scalar(core, t + "length(target) = 32")).isPositive();
    assertThat(scalar(core, t + "quantity = '0'")).isPositive();
    assertThat(scalar(core, t + "quantity != '0' AND length(quantity) <= 12")).isPositive();
    assertThat(scalar(core, t + "quantity = '18446744073709551615'")).isPositive();
    assertThat(scalar(core, t + "quantity = '99999999999999999999'")).isPositive();
    assertThat(scalar(core, t + "length(reward) = 20")).isPositive(); // beyond 2^63
    assertThat(scalar(core, t + "reward = '0'")).isPositive();
    assertThat(scalar(core, t + "typeof(quantity) != 'text' OR typeof(reward) != 'text'"
        + " OR quantity GLOB '*[^0-9]*' OR reward GLOB '*[^0-9]*'")).isZero();
    assertThat(scalar(core, t + "data_root IS NULL")).isPositive();
    assertThat(scalar(core, t + "length(data_root) = 32")).isPositive();
    assertThat(scalar(core, t + "content_type IS NULL")).isPositive();
    assertThat(scalar(core, t + "content_type IS NOT NULL")).isPositive();
    assertThat(scalar(core, t + "\"offset\" IS NULL")).isPositive();
    assertThat(scalar(core, t + "\"offset\" IS NOT NULL")).isPositive();
    assertThat(scalar(core, t + "indexed_at IS NULL OR data_size IS NULL")).isZero();
    assertThat(scalar(core, t + "tag_count = 0")).isPositive();
    // block_transaction_index runs 0..n-1 at every height.
    assertThat(scalar(core, "SELECT count(*) FROM (SELECT height FROM stable_transactions"
        + " GROUP BY height HAVING min(block_transaction_index) != 0"
        + " OR max(block_transaction_index) != count(*) - 1"
        + " OR count(DISTINCT block_transaction_index) != count(*))")).isZero();
  }

  @Test
  void walletsCoverKeyShapesAndSomeOwnersHaveNone() throws Exception {
    for (Path db : List.of(core, bundles)) {
      String w = "SELECT count(*) FROM wallets WHERE ";
      assertThat(scalar(db, w + "length(address) != 32")).isZero();
      assertThat(scalar(db, w + "length(public_modulus) = 512")).as("%s", db).isPositive();
      assertThat(scalar(db, w + "length(public_modulus) = 32")).as("%s", db).isPositive();
      assertThat(scalar(db, w + "length(public_modulus) = 33")).as("%s", db).isPositive();
      assertThat(scalar(db, w + "length(public_modulus) = 65")).as("%s", db).isPositive();
      assertThat(scalar(db, w + "length(public_modulus) <= 64")).as("%s", db).isPositive();
      assertThat(scalar(db, w + "length(public_modulus) = 512")).as("%s", db)
          .isGreaterThan(scalar(db, w + "length(public_modulus) != 512"));
    }
    assertThat(scalar(core, "SELECT count(*) FROM stable_transactions"
        + " WHERE owner_address NOT IN (SELECT address FROM wallets)")).isPositive();
    assertThat(scalar(bundles, "SELECT count(*) FROM stable_data_items"
        + " WHERE owner_address NOT IN (SELECT address FROM main.wallets)")).isPositive();
  }

  // --- data items ---

  @Test
  void dataItemsCoverEdgeCases() throws Exception {
    String d = "SELECT count(*) FROM stable_data_items WHERE ";
    // Every bundle holds exactly dataItemsPerL1Tx items.
    assertThat(scalar(bundles, "SELECT count(*) FROM (SELECT root_transaction_id FROM"
        + " stable_data_items GROUP BY root_transaction_id HAVING count(*) != "
        + SPEC.dataItemsPerL1Tx() + ")")).isZero();
    // Items whose root is in core.db sit at that transaction's height and index.
    assertThat(scalar(bundles, "SELECT count(*) FROM stable_data_items d JOIN"
        + " core.stable_transactions t ON t.id = d.root_transaction_id")).isPositive();
    assertThat(scalar(bundles, "SELECT count(*) FROM stable_data_items d JOIN"
        + " core.stable_transactions t ON t.id = d.root_transaction_id"
        + " WHERE t.height != d.height OR t.block_transaction_index != d.block_transaction_index"))
        .isZero();
    // Nested: parent is another data item of the same bundle.
    assertThat(scalar(bundles, "SELECT count(*) FROM stable_data_items d JOIN stable_data_items p"
        + " ON p.id = d.parent_id AND p.root_transaction_id = d.root_transaction_id"
        + " WHERE d.parent_id != d.root_transaction_id")).isPositive();
    assertThat(scalar(bundles, d + "parent_id != root_transaction_id"
        + " AND parent_id NOT IN (SELECT id FROM stable_data_items)")).isZero();
    assertThat(scalar(bundles, d + "typeof(anchor) = 'blob' AND length(anchor) = 0")).isPositive();
    assertThat(scalar(bundles, d + "length(anchor) = 32")).isPositive();
    assertThat(scalar(bundles, "SELECT count(DISTINCT signature_type) FROM stable_data_items"
        + " WHERE signature_type IN (1, 2, 3)")).isEqualTo(3);
    assertThat(scalar(bundles, d + "\"offset\" IS NULL OR size IS NULL OR owner_offset IS NULL"
        + " OR owner_size IS NULL OR signature_offset IS NULL OR signature_size IS NULL"
        + " OR root_parent_offset IS NULL OR data_offset < \"offset\"")).isZero();
    assertThat(scalar(bundles, d + "content_type IS NULL")).isPositive();
    assertThat(scalar(bundles, d + "content_type IS NOT NULL")).isPositive();
    assertThat(scalar(bundles, d + "target IS NULL")).isPositive();
    assertThat(scalar(bundles, d + "length(target) = 32")).isPositive();
    assertThat(scalar(bundles, d + "tag_count = 0")).isPositive();
    // Some data items sit at heights where core.db has no L1 transaction row at all.
    assertThat(scalar(bundles, d + "height NOT IN (SELECT height FROM core.stable_transactions)"))
        .isPositive();
  }

  // --- tags ---

  @Test
  void tagDictionariesAreSha1KeyedAndVaried() throws Exception {
    for (Path db : List.of(core, bundles)) {
      List<byte[]> names = new ArrayList<>();
      List<byte[]> values = new ArrayList<>();
      for (String table : List.of("tag_names", "tag_values")) {
        String column = table.equals("tag_names") ? "name" : "value";
        try (Connection c = open(db); Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT hash, " + column + " FROM main." + table)) {
          while (rs.next()) {
            byte[] content = rs.getBytes(2);
            assertThat(rs.getBytes(1)).as("%s %s", db, table)
                .isEqualTo(MessageDigest.getInstance("SHA-1").digest(content));
            (table.equals("tag_names") ? names : values).add(content);
          }
        }
      }
      List<String> utf8Names = names.stream().filter(SampleDatabasesTest::isUtf8)
          .map(b -> new String(b, StandardCharsets.UTF_8)).toList();
      assertThat(utf8Names).as("%s", db).contains("App-Name", "Content-Type", "Type", "Unix-Time");
      assertThat(names).as("non-UTF-8 tag name in %s", db).anyMatch(b -> !isUtf8(b));
      List<String> utf8Values = values.stream().filter(SampleDatabasesTest::isUtf8)
          .map(b -> new String(b, StandardCharsets.UTF_8)).toList();
      assertThat(utf8Values).as("%s", db).contains("ArDrive-App", "ArDrive-Web", "application/json", "");
      assertThat(values).as("multibyte UTF-8 value in %s", db)
          .anyMatch(b -> isUtf8(b) && !isAscii(b));
      assertThat(values).as("non-UTF-8 value in %s", db).anyMatch(b -> !isUtf8(b));
    }
  }

  @Test
  void tagRowsMatchTheirItems() throws Exception {
    // tag_count equals the number of tag rows, whose indexes run 0..n-1.
    assertThat(scalar(bundles, "SELECT count(*) FROM stable_data_items d WHERE tag_count !="
        + " (SELECT count(*) FROM stable_data_item_tags t WHERE t.data_item_id = d.id)"
        + " OR tag_count != (SELECT coalesce(max(data_item_tag_index) + 1, 0)"
        + " FROM stable_data_item_tags t WHERE t.data_item_id = d.id)")).isZero();
    assertThat(scalar(bundles, "SELECT count(*) FROM stable_data_item_tags t"
        + " JOIN stable_data_items d ON d.id = t.data_item_id WHERE t.height = d.height"
        + " AND t.block_transaction_index = d.block_transaction_index"
        + " AND t.parent_id = d.parent_id AND t.root_transaction_id = d.root_transaction_id"))
        .isEqualTo(stats.dataItemTags());
    assertThat(scalar(core, "SELECT count(*) FROM stable_transactions x WHERE tag_count !="
        + " (SELECT count(*) FROM stable_transaction_tags t WHERE t.transaction_id = x.id)"
        + " OR tag_count != (SELECT coalesce(max(transaction_tag_index) + 1, 0)"
        + " FROM stable_transaction_tags t WHERE t.transaction_id = x.id)")).isZero();
    assertThat(scalar(core, "SELECT count(*) FROM stable_transaction_tags t"
        + " JOIN stable_transactions x ON x.id = t.transaction_id WHERE t.height = x.height"
        + " AND t.block_transaction_index = x.block_transaction_index"))
        .isEqualTo(stats.l1Tags());
  }

  @Test
  void aboutOnePercentOfTagRowsDangle() throws Exception {
    long danglingL1 = scalar(core, "SELECT count(*) FROM stable_transaction_tags"
        + " WHERE tag_name_hash NOT IN (SELECT hash FROM tag_names)"
        + " OR tag_value_hash NOT IN (SELECT hash FROM tag_values)");
    long danglingItems = scalar(bundles, "SELECT count(*) FROM stable_data_item_tags"
        + " WHERE tag_name_hash NOT IN (SELECT hash FROM main.tag_names)"
        + " OR tag_value_hash NOT IN (SELECT hash FROM main.tag_values)");
    assertThat(danglingL1).isEqualTo(stats.danglingL1Tags()).isPositive();
    assertThat(danglingItems).isEqualTo(stats.danglingDataItemTags()).isPositive();
    assertThat((double) danglingItems / stats.dataItemTags()).isBetween(0.002, 0.04);
  }

  // --- unconfirmed rows ---

  @Test
  void unconfirmedRowsExistAndAreCounted() throws Exception {
    long coreNew = scalar(core, "SELECT (SELECT count(*) FROM new_blocks)"
        + " + (SELECT count(*) FROM new_transactions) + (SELECT count(*) FROM new_transaction_tags)");
    long bundlesNew = scalar(bundles, "SELECT (SELECT count(*) FROM new_data_items)"
        + " + (SELECT count(*) FROM new_data_item_tags)");
    assertThat(coreNew + bundlesNew).isEqualTo(stats.unconfirmedRows()).isPositive();
    for (String table : List.of("new_blocks", "new_transactions", "new_transaction_tags")) {
      assertThat(scalar(core, "SELECT count(*) FROM " + table + " WHERE height BETWEEN "
          + SPEC.startHeight() + " AND " + SPEC.endHeight())).as(table).isPositive();
    }
    for (String table : List.of("new_data_items", "new_data_item_tags")) {
      assertThat(scalar(bundles, "SELECT count(*) FROM " + table + " WHERE height BETWEEN "
          + SPEC.startHeight() + " AND " + SPEC.endHeight())).as(table).isPositive();
      assertThat(scalar(bundles, "SELECT count(*) FROM " + table + " WHERE height IS NULL"))
          .as(table).isPositive();
    }
    assertThat(scalar(core, "SELECT count(*) FROM new_transactions WHERE height IS NULL")).isPositive();
    // Unconfirmed ids never collide with stable ones.
    assertThat(scalar(core, "SELECT count(*) FROM new_transactions"
        + " WHERE id IN (SELECT id FROM stable_transactions)")).isZero();
    assertThat(scalar(bundles, "SELECT count(*) FROM new_data_items"
        + " WHERE id IN (SELECT id FROM stable_data_items)")).isZero();
  }

  // --- determinism, overwrite, CLI, validation ---

  @Test
  void sameSpecGivesSameContentAndOverwritesOldFiles(@TempDir Path other) throws Exception {
    Path c2 = other.resolve("core.db");
    Path b2 = other.resolve("bundles.db");
    // Pre-existing junk (including a stale WAL) must be replaced, not appended to.
    Files.writeString(c2, "not a database");
    Files.writeString(other.resolve("core.db-wal"), "stale");
    SampleDatabases.generate(new Spec(SPEC.seed() + 1, 100, 120, 1, 2, 3), c2, b2);
    Stats again = SampleDatabases.generate(SPEC, c2, b2);

    assertThat(again).isEqualTo(stats);
    assertThat(fingerprint(c2)).isEqualTo(fingerprint(core));
    assertThat(fingerprint(b2)).isEqualTo(fingerprint(bundles));
    assertThat(blobs(b2, "SELECT id FROM stable_data_items ORDER BY height, block_transaction_index, id"))
        .containsExactlyElementsOf(blobs(bundles,
            "SELECT id FROM stable_data_items ORDER BY height, block_transaction_index, id"));

    Path c3 = other.resolve("core3.db");
    Path b3 = other.resolve("bundles3.db");
    SampleDatabases.generate(new Spec(SPEC.seed() + 1, SPEC.startHeight(), SPEC.endHeight(),
        SPEC.l1TxPerHeight(), SPEC.dataItemsPerL1Tx(), SPEC.tagsPerItem()), c3, b3);
    assertThat(fingerprint(b3).get("stable_data_items"))
        .isNotEqualTo(fingerprint(bundles).get("stable_data_items"));
  }

  @Test
  void commandLine(@TempDir Path other) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = SampleDatabases.run(new String[] {
        "--core-db", other.resolve("c.db").toString(),
        "--bundles-db", other.resolve("b.db").toString(),
        "--start-height", "100", "--end-height", "349", "--seed", "7",
        "--l1-tx-per-height", "1", "--data-items-per-l1-tx", "2", "--tags-per-item", "3"},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(rc).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).strip()).isEqualTo(stats.toKeyValueLine());

    for (String[] bad : List.of(
        new String[] {"--core-db", "c.db"},
        new String[] {"--core-db", "c", "--bundles-db", "b", "--start-height", "x", "--end-height", "2"},
        new String[] {"--core-db", "c", "--bundles-db", "b", "--start-height", "5", "--end-height", "2"},
        new String[] {"--bogus"},
        new String[] {"--core-db"})) {
      ByteArrayOutputStream e = new ByteArrayOutputStream();
      assertThat(SampleDatabases.run(bad, new PrintStream(new ByteArrayOutputStream()),
          new PrintStream(e, true, StandardCharsets.UTF_8))).as(String.join(" ", bad)).isEqualTo(2);
      assertThat(e.toString(StandardCharsets.UTF_8)).isNotBlank();
    }
  }

  @Test
  void specValidation() {
    assertThatThrownBy(() -> new Spec(1, -1, 5, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Spec(1, 10, 5, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Spec(1, 0, 5, 0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Spec(1, 0, 5, 1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Spec(1, 0, 5, 1, 1, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SampleDatabases.generate(SPEC, dir.resolve("same.db"), dir.resolve("same.db")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // --- scale ---

  @Test
  @Tag("large")
  void generatesAboutAMillionDataItemTagsQuickly(@TempDir Path other) throws Exception {
    Spec spec = new Spec(1, 0, 999, 10, 10, 10);
    long start = System.nanoTime();
    Stats big = SampleDatabases.generate(spec, other.resolve("core.db"), other.resolve("bundles.db"));
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("large spec " + spec + " generated in " + millis + " ms: "
        + big.toKeyValueLine());
    assertThat(big.dataItems()).isEqualTo(100_000);
    assertThat(big.dataItemTags()).isGreaterThan(900_000);
    assertThat(scalar(other.resolve("bundles.db"), "SELECT count(*) FROM stable_data_item_tags"))
        .isEqualTo(big.dataItemTags());
    assertThat(millis).as("target is well under 30 s").isLessThan(60_000);
  }
}
