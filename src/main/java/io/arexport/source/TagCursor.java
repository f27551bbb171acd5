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
 * contract's dangling tag, section 2), exactly as the inner join it replaces would drop it.
 *
 * <p>Two threads: the cursor's own row reader steps the query (on the rows' connection) and hands
 * raw batches, hashes unresolved, through a queue of {@link #QUEUED_RAW_BATCHES}; the thread that
 * calls {@link #next()} resolves each batch (the dictionaries read on a connection of their own,
 * see {@link TagDictionary}), so the stepping and the lookups overlap. At most {@link
 * #QUEUED_RAW_BATCHES} + 2 batches of {@link #BATCH_ROWS} rows are held. A failure of the query is
 * delivered after the rows read before it, in order.
 *
 * <p>The query's columns are: height, id, tag index, indexed_at, name hash, value hash, and the
 * transaction's (or data item's) rowid. Consecutive tags of one transaction share its rowid, and
 * then its height, id and indexed_at are taken from the previous row rather than read again: the
 * same values, one column read instead of three, on the thread that steps the query.
 */
final class TagCursor implements RowCursor {
  static final int BATCH_ROWS = 1024;
  /** Raw batches the row reader may read ahead of the resolution. */
  static final int QUEUED_RAW_BATCHES = 2;

  private final SqliteSource source;
  private final RangeQuery query;
  private final ResultSet rows;
  private final TagDictionary names;
  private final TagDictionary values;
  private final boolean isDataItem;
  private final Runnable skipped;
  private final Record template;
  private final Handoff<RawBatch> raw = new Handoff<>(QUEUED_RAW_BATCHES);
  private final Thread rowReader;
  // The consumer's (the caller of next()).
  private Record[] batch = new Record[0];
  private final byte[][] resolvedNames = new byte[BATCH_ROWS][];
  private final byte[][] resolvedValues = new byte[BATCH_ROWS][];
  private int size;
  private int index;
  private boolean exhausted;
  private Throwable pendingFailure;
  // The row reader's: the owning row of the previous tag, valid only when its columns were read
  // without error.
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
    this.rowReader = new Thread(this::readRows, "arexport-read-tag-rows");
    this.rowReader.setDaemon(true);
    this.rowReader.start();
  }

  @Override
  public boolean next() {
    while (++index >= size) {
      if (pendingFailure != null) {
        throw Handoff.rethrow(pendingFailure);
      }
      if (exhausted) {
        return false;
      }
      fill();
    }
    return true;
  }

  /**
   * A batch of tag rows as the query returned them, their hashes not resolved yet. A row's
   * invalid value is reported only if the row is not skipped as dangling (the skip is decided
   * first, as when the dictionaries were joined), so its error travels with it. The last batch
   * may be partial, or carry the query's failure after the rows read before it.
   */
  private record RawBatch(Record[] rows, Object[] nameHashes, Object[] valueHashes,
      InvalidInputException[] invalid, int size, boolean last, Throwable failure) {}

  // The row reader's thread: steps the tag query (on the rows' connection) a batch at a time.
  private void readRows() {
    try {
      while (!raw.closed()) {
        RawBatch next = readBatch();
        if (!raw.put(next) || next.last()) {
          return;
        }
      }
    } catch (RuntimeException | Error e) {
      try {
        raw.put(new RawBatch(new Record[0], null, null, null, 0, true, e));
      } catch (RuntimeException | Error again) {
        raw.failUnqueued(e);
      }
    }
  }

  private RawBatch readBatch() {
    Record[] records = new Record[BATCH_ROWS];
    Object[] nameHashes = new Object[BATCH_ROWS];
    Object[] valueHashes = new Object[BATCH_ROWS];
    InvalidInputException[] invalid = new InvalidInputException[BATCH_ROWS];
    int read = 0;
    try {
      while (read < BATCH_ROWS && rows.next()) {
        Record record = template.copy();
        nameHashes[read] = rows.getObject(5);
        valueHashes[read] = rows.getObject(6);
        try {
          map(rows, record);
        } catch (InvalidInputException e) {
          invalid[read] = e;
        }
        records[read++] = record;
      }
    } catch (SQLException e) {
      RuntimeException failure = source.failure("reading rows failed", e);
      // The rows read before the failure are still resolved and delivered, then the failure.
      return new RawBatch(records, nameHashes, valueHashes, invalid, read, true, failure);
    }
    return new RawBatch(records, nameHashes, valueHashes, invalid, read, read < BATCH_ROWS, null);
  }

  // The consumer's thread: resolves a batch's hashes (on the dictionaries' connection) and keeps
  // the rows that are not dangling.
  private void fill() {
    RawBatch next = raw.take("reading tag rows");
    int read = next.size();
    exhausted = next.last();
    Record[] records = next.rows();
    if (read > 0) {
      names.resolve(next.nameHashes(), read, resolvedNames);
      values.resolve(next.valueHashes(), read, resolvedValues);
    }
    int kept = 0;
    for (int i = 0; i < read; i++) {
      if (resolvedNames[i] == null || resolvedValues[i] == null) {
        skipped.run();
        continue;
      }
      if (next.invalid()[i] != null) {
        throw next.invalid()[i];
      }
      Record record = records[i];
      record.set(4, ByteBuffer.wrap(resolvedNames[i]));
      record.set(5, ByteBuffer.wrap(resolvedValues[i]));
      records[kept++] = record;
    }
    if (next.failure() != null) {
      // Rows before the failure first (as the query returned them), then the failure.
      pendingFailure = next.failure();
    }
    batch = records;
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
    raw.close();
    try {
      // The row reader notices `closed` within one batch (or one offer timeout) and stops; only
      // then may its statement be closed.
      rowReader.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      query.close();
    }
  }
}
