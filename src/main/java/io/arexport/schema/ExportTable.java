package io.arexport.schema;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Comparator;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * The three exported tables: their Iceberg schemas (field ids 1..n in contract order) and their
 * sort order. Parquet files, Iceberg metadata and the readers all take the schema from here.
 */
public enum ExportTable {
  BLOCKS(
      "blocks",
      new Schema(
          optional(1, "indep_hash", Types.BinaryType.get()),
          required(2, "height", Types.LongType.get()),
          optional(3, "previous_block", Types.BinaryType.get()),
          optional(4, "nonce", Types.BinaryType.get()),
          optional(5, "hash", Types.BinaryType.get()),
          optional(6, "block_timestamp", Types.LongType.get()),
          optional(7, "tx_count", Types.IntegerType.get()),
          optional(8, "block_size", Types.LongType.get())),
      "indep_hash",
      null),
  TRANSACTIONS(
      "transactions",
      new Schema(
          required(1, "id", Types.BinaryType.get()),
          optional(2, "indexed_at", Types.LongType.get()),
          optional(3, "block_transaction_index", Types.IntegerType.get()),
          required(4, "is_data_item", Types.BooleanType.get()),
          optional(5, "target", Types.BinaryType.get()),
          optional(6, "quantity", Types.DecimalType.of(20, 0)),
          optional(7, "reward", Types.DecimalType.of(20, 0)),
          optional(8, "anchor", Types.BinaryType.get()),
          optional(9, "data_size", Types.LongType.get()),
          optional(10, "content_type", Types.StringType.get()),
          optional(11, "format", Types.IntegerType.get()),
          required(12, "height", Types.LongType.get()),
          optional(13, "owner_address", Types.BinaryType.get()),
          optional(14, "data_root", Types.BinaryType.get()),
          optional(15, "parent", Types.BinaryType.get()),
          optional(16, "offset", Types.LongType.get()),
          optional(17, "size", Types.LongType.get()),
          optional(18, "data_offset", Types.LongType.get()),
          optional(19, "owner_offset", Types.LongType.get()),
          optional(20, "owner_size", Types.IntegerType.get()),
          optional(21, "owner", Types.BinaryType.get()),
          optional(22, "signature_offset", Types.LongType.get()),
          optional(23, "signature_size", Types.IntegerType.get()),
          optional(24, "signature_type", Types.IntegerType.get()),
          optional(25, "root_transaction_id", Types.BinaryType.get()),
          optional(26, "root_parent_offset", Types.LongType.get())),
      "id",
      null),
  TAGS(
      "tags",
      new Schema(
          required(1, "height", Types.LongType.get()),
          required(2, "id", Types.BinaryType.get()),
          required(3, "tag_index", Types.IntegerType.get()),
          optional(4, "indexed_at", Types.LongType.get()),
          required(5, "tag_name", Types.BinaryType.get()),
          required(6, "tag_value", Types.BinaryType.get()),
          required(7, "is_data_item", Types.BooleanType.get())),
      "id",
      "tag_index");

  private final String tableName;
  private final Schema schema;
  private final String idColumn;
  private final String tieBreakColumn;
  private final int heightPos;
  private final int idPos;
  private final int tieBreakPos;

  ExportTable(String tableName, Schema schema, String idColumn, String tieBreakColumn) {
    this.tableName = tableName;
    this.schema = schema;
    this.idColumn = idColumn;
    this.tieBreakColumn = tieBreakColumn;
    this.heightPos = position(schema, "height");
    this.idPos = position(schema, idColumn);
    this.tieBreakPos = tieBreakColumn == null ? -1 : position(schema, tieBreakColumn);
  }

  private static int position(Schema schema, String column) {
    return schema.columns().indexOf(schema.findField(column));
  }

  /** The table's directory and Iceberg name. */
  public String tableName() {
    return tableName;
  }

  public Schema schema() {
    return schema;
  }

  /** Sort columns in order: height, the binary id, then the tie-breaker if any. */
  public java.util.List<String> sortColumns() {
    return tieBreakColumn == null
        ? java.util.List.of("height", idColumn)
        : java.util.List.of("height", idColumn, tieBreakColumn);
  }

  /** Position of the binary id (the second sort column) in a record of this table. */
  public int idPosition() {
    return idPos;
  }

  /** Position of the tie-breaking sort column ({@code tag_index}), or -1 when there is none. */
  public int tieBreakPosition() {
    return tieBreakPos;
  }

  /** Position of {@code height} in a record of this table. */
  public int heightPosition() {
    return heightPos;
  }

  /**
   * The contract's row order: height, then the binary id compared as unsigned bytes (memcmp, as
   * SQLite and DuckDB compare BLOBs), then the tag index for tags. Java's {@link ByteBuffer}
   * comparison is signed, so it must not be used here.
   */
  public Comparator<Record> rowOrder() {
    return (a, b) -> {
      int c = Long.compare((Long) a.get(heightPos), (Long) b.get(heightPos));
      if (c != 0) {
        return c;
      }
      c = compareUnsigned((ByteBuffer) a.get(idPos), (ByteBuffer) b.get(idPos));
      if (c != 0 || tieBreakPos < 0) {
        return c;
      }
      return Integer.compare((Integer) a.get(tieBreakPos), (Integer) b.get(tieBreakPos));
    };
  }

  /** Unsigned lexicographic comparison of two byte buffers, shorter first on a common prefix. */
  public static int compareUnsigned(ByteBuffer a, ByteBuffer b) {
    if (a.hasArray() && b.hasArray()) {
      return Arrays.compareUnsigned(
          a.array(), a.arrayOffset() + a.position(), a.arrayOffset() + a.limit(),
          b.array(), b.arrayOffset() + b.position(), b.arrayOffset() + b.limit());
    }
    int n = Math.min(a.remaining(), b.remaining());
    for (int i = 0; i < n; i++) {
      int c = Integer.compare(
          Byte.toUnsignedInt(a.get(a.position() + i)), Byte.toUnsignedInt(b.get(b.position() + i)));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.remaining(), b.remaining());
  }

  /** Finds a table by its name, as given on the command line. */
  public static ExportTable byName(String name) {
    for (ExportTable table : values()) {
      if (table.tableName.equals(name)) {
        return table;
      }
    }
    throw new io.arexport.InvalidInputException(
        "unknown table '" + name + "' (expected blocks, transactions or tags)");
  }
}
