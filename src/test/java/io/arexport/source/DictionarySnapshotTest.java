package io.arexport.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.schema.ExportTable;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SampleDatabases.Spec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tag dictionaries are read on connections of their own (see {@link TagDictionary}), so their
 * snapshot is not the rows' snapshot. What must hold is that it is never older: a tag the rows'
 * snapshot holds resolves to its value even when the gateway committed the value (with the tag)
 * after an earlier partition's lookups, and the tag rows themselves still come from the rows'
 * snapshot only.
 */
class DictionarySnapshotTest {
  private static final HeightRange FIRST = new HeightRange(0, 9);
  private static final HeightRange SECOND = new HeightRange(10, 19);

  @TempDir Path dir;
  private SourcePaths paths;

  @BeforeEach
  void generate() throws Exception {
    paths = new SourcePaths(dir.resolve("core.db"), dir.resolve("bundles.db"));
    SampleDatabases.generate(new Spec(5, FIRST.start(), SECOND.end(), 1, 3, 3), paths.coreDb(),
        paths.bundlesDb());
  }

  @Test
  void aValueTheGatewayAddsBetweenPartitionsResolvesInTheNextOne() throws Exception {
    try (PartitionReader reader = PartitionReader.open(paths, true, true)) {
      // The first partition's lookups give the dictionaries' connections a snapshot.
      assertThat(tagValues(reader, FIRST)).isNotEmpty();
      reader.endSnapshot();

      // One gateway commit: a new value and a tag that uses it, on an item of the next partition.
      addTag(15, "added between partitions");

      assertThat(tagValues(reader, SECOND)).contains("added between partitions");
      reader.endSnapshot();
    }
  }

  @Test
  void aTagCommittedDuringAPartitionWaitsForTheNextSnapshot() throws Exception {
    try (PartitionReader reader = PartitionReader.open(paths, true, true)) {
      assertThat(tagValues(reader, FIRST)).isNotEmpty();
      // The second partition's rows' snapshot starts with its transactions...
      try (RowCursor transactions = reader.open(ExportTable.TRANSACTIONS, SECOND)) {
        assertThat(transactions.next()).isTrue();
      }
      // ...then the gateway commits a value and its tag there, before the tags are read.
      addTag(15, "added during the partition");
      long dangling = reader.skippedDanglingTags();

      // The tag is not in the rows' snapshot, so it is not read (and not counted as dangling);
      // the dictionaries' newer snapshot changes nothing about which rows are exported.
      assertThat(tagValues(reader, SECOND)).doesNotContain("added during the partition");
      assertThat(reader.skippedDanglingTags()).isEqualTo(dangling + countDangling(SECOND));
      reader.endSnapshot();

      assertThat(tagValues(reader, SECOND)).contains("added during the partition");
      reader.endSnapshot();
    }
  }

  private static List<String> tagValues(PartitionReader reader, HeightRange range) {
    List<String> values = new ArrayList<>();
    try (RowCursor tags = reader.open(ExportTable.TAGS, range)) {
      while (tags.next()) {
        ByteBuffer value = ((ByteBuffer) tags.current().get(5)).duplicate();
        byte[] bytes = new byte[value.remaining()];
        value.get(bytes);
        values.add(new String(bytes, StandardCharsets.UTF_8));
      }
    }
    return values;
  }

  /** The data-item tags of {@code range} whose name or value has no dictionary row, by SQL. */
  private long countDangling(HeightRange range) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + paths.bundlesDb());
        PreparedStatement count = c.prepareStatement("SELECT count(*) FROM stable_data_items sdi"
            + " JOIN stable_data_item_tags t ON t.data_item_id = sdi.id"
            + " WHERE sdi.height BETWEEN ? AND ?"
            + " AND (NOT EXISTS (SELECT 1 FROM tag_names n WHERE n.hash = t.tag_name_hash)"
            + " OR NOT EXISTS (SELECT 1 FROM tag_values v WHERE v.hash = t.tag_value_hash))")) {
      count.setLong(1, range.start());
      count.setLong(2, range.end());
      try (ResultSet row = count.executeQuery()) {
        return row.getLong(1);
      }
    }
  }

  /** Adds, in one transaction as the gateway does, a value and a tag of an item at {@code height}. */
  private void addTag(long height, String value) throws Exception {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    byte[] hash = MessageDigest.getInstance("SHA-1").digest(bytes);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + paths.bundlesDb())) {
      c.setAutoCommit(false);
      try (PreparedStatement insertValue =
              c.prepareStatement("INSERT INTO tag_values (hash, value) VALUES (?, ?)");
          PreparedStatement insertTag = c.prepareStatement(
              "INSERT INTO stable_data_item_tags (tag_name_hash, tag_value_hash, height,"
                  + " block_transaction_index, data_item_tag_index, data_item_id, parent_id,"
                  + " root_transaction_id)"
                  + " SELECT (SELECT hash FROM tag_names ORDER BY hash LIMIT 1), ?, sdi.height,"
                  + " sdi.block_transaction_index, 1000, sdi.id, sdi.parent_id,"
                  + " sdi.root_transaction_id FROM stable_data_items sdi WHERE sdi.height = ?"
                  + " ORDER BY sdi.id LIMIT 1")) {
        insertValue.setBytes(1, hash);
        insertValue.setBytes(2, bytes);
        assertThat(insertValue.executeUpdate()).isEqualTo(1);
        insertTag.setBytes(1, hash);
        insertTag.setLong(2, height);
        assertThat(insertTag.executeUpdate()).isEqualTo(1);
      }
      c.commit();
    }
  }
}
