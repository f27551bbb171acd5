package io.arexport.source;

import io.arexport.InvalidInputException;
import java.nio.ByteBuffer;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;

/**
 * Streams the tag rows of one database's tag query, whose rows carry the tag's name and value
 * hashes rather than the name and value: a batch of rows is read, their hashes are resolved
 * through the database's two {@link TagDictionary dictionaries}, and the batch is handed out in
 * query order. A tag whose name or value hash has no dictionary row is skipped and counted (the
 * contract's dangling tag, section 2), exactly as the inner join it replaces would drop it. At
 * most {@link #BATCH_ROWS} rows are held.
 *
 * <p>The query's columns are: height, id, tag index, indexed_at, name hash, value hash, and the
 * transaction's (or data item's) rowid. Consecutive tags of one transaction share its rowid, and
 * then its height, id and indexed_at are taken from the previous row rather than read again: the
 * same values, one column read instead of three, on the read-ahead thread that paces the export.
 */
final class TagCursor implements RowCursor {
  static final int BATCH_ROWS = 1024;

  private final SqliteSource source;
  private final RangeQuery query;
  private final ResultSet rows;
  private final TagDictionary names;
  private final TagDictionary values;
  private final boolean isDataItem;
  private final Runnable skipped;
  private final Record template;
  private final Record[] batch = new Record[BATCH_ROWS];
  private final Object[] nameHashes = new Object[BATCH_ROWS];
  private final Object[] valueHashes = new Object[BATCH_ROWS];
  private final byte[][] resolvedNames = new byte[BATCH_ROWS][];
  private final byte[][] resolvedValues = new byte[BATCH_ROWS][];
  // A row's invalid value is reported only if the row is not skipped as dangling (the skip
  // is decided first, as when the dictionaries were joined), so the error waits for the batch.
  private final InvalidInputException[] invalid = new InvalidInputException[BATCH_ROWS];
  private int size;
  private int index;
  private boolean exhausted;
  // The owning row of the previous tag, valid only when its columns were read without error.
  private long ownerRowid;
  private boolean ownerRead;
  private Long ownerHeight;
  private ByteBuffer ownerId;
  private Long ownerIndexedAt;

  TagCursor(SqliteSource source, String sql, long fromHeight, long toHeight, Schema schema,
      TagDictionary names, TagDictionary values, boolean isDataItem, Runnable skipped) {
    this.source = source;
    this.names = names;
    this.values = values;
    this.isDataItem = isDataItem;
    this.skipped = skipped;
    this.template = GenericRecord.create(schema);
    this.query = new RangeQuery(source, sql, fromHeight, toHeight);
    this.rows = query.rows();
  }

  @Override
  public boolean next() {
    while (++index >= size) {
      if (exhausted) {
        return false;
      }
      fill();
    }
    return true;
  }

  private void fill() {
    int read = 0;
    try {
      while (read < BATCH_ROWS && rows.next()) {
        Record record = template.copy();
        nameHashes[read] = rows.getObject(5);
        valueHashes[read] = rows.getObject(6);
        try {
          invalid[read] = null;
          map(rows, record);
        } catch (InvalidInputException e) {
          invalid[read] = e;
        }
        batch[read++] = record;
      }
    } catch (SQLException e) {
      throw source.failure("reading rows failed", e);
    }
    exhausted = read < BATCH_ROWS;
    names.resolve(nameHashes, read, resolvedNames);
    values.resolve(valueHashes, read, resolvedValues);
    int kept = 0;
    for (int i = 0; i < read; i++) {
      if (resolvedNames[i] == null || resolvedValues[i] == null) {
        skipped.run();
        continue;
      }
      if (invalid[i] != null) {
        throw invalid[i];
      }
      Record record = batch[i];
      record.set(4, ByteBuffer.wrap(resolvedNames[i]));
      record.set(5, ByteBuffer.wrap(resolvedValues[i]));
      batch[kept++] = record;
    }
    for (int i = kept; i < read; i++) {
      batch[i] = null;
    }
    java.util.Arrays.fill(nameHashes, 0, read, null);
    java.util.Arrays.fill(valueHashes, 0, read, null);
    size = kept;
    index = -1;
  }

  private void map(ResultSet row, Record r) throws SQLException {
    long rowid = row.getLong(7);
    boolean sameOwner = ownerRead && rowid == ownerRowid;
    if (!sameOwner) {
      ownerRead = false;
      ownerHeight = Columns.height(row, 1);
      ownerId = Columns.requiredBinary(row, 2, "tags", "id", ownerHeight);
    }
    Integer tagIndex = Columns.int32(row, 3, "tag_index", ownerId);
    if (tagIndex == null) {
      // tag_index is a required column; the gateway's schema has it NOT NULL.
      throw new InvalidInputException("tag of " + Columns.hex(ownerId) + " at height "
          + ownerHeight + " has NULL "
          + (isDataItem ? "data_item_tag_index" : "transaction_tag_index"));
    }
    if (!sameOwner) {
      ownerIndexedAt = Columns.int64(row, 4);
      ownerRowid = rowid;
      ownerRead = true;
    }
    r.set(0, ownerHeight);
    // Shared by the owner's tags: nothing downstream changes a buffer's position or contents.
    r.set(1, ownerId);
    r.set(2, tagIndex);
    r.set(3, ownerIndexedAt);
    r.set(6, isDataItem);
  }

  @Override
  public Record current() {
    return batch[index];
  }

  @Override
  public void close() {
    query.close();
  }
}
