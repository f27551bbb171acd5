package io.arexport.parquet;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/**
 * Writes the flat rows of an export table straight into parquet-java's {@link RecordConsumer}: one
 * switch per value, no per-row writer objects. The Parquet schema is the one Iceberg's own writer
 * derives from the table's Iceberg schema ({@link ParquetSchemaUtil#convert}: the same field ids,
 * physical types and annotations — {@code decimal(20,0)} as 9-byte fixed, strings as UTF8), and
 * the footer carries the same {@code iceberg.schema} entry, so readers cannot tell the writers
 * apart.
 */
final class RecordWriteSupport extends WriteSupport<Record> {
  /** How a column's values are turned into Parquet values. */
  private enum Kind { LONG, INT, BOOLEAN, BINARY, STRING, DECIMAL }

  private final MessageType parquetSchema;
  private final Map<String, String> footer;
  private final String[] names;
  private final Kind[] kinds;
  private final boolean[] required;
  private final int[] fixedLength;
  private RecordConsumer consumer;

  RecordWriteSupport(Schema schema, String tableName, Map<String, String> extraFooter) {
    this.parquetSchema = ParquetSchemaUtil.convert(schema, "table");
    this.footer = new java.util.LinkedHashMap<>(extraFooter);
    this.footer.put("iceberg.schema", SchemaParser.toJson(schema));
    List<Types.NestedField> columns = schema.columns();
    int n = columns.size();
    this.names = new String[n];
    this.kinds = new Kind[n];
    this.required = new boolean[n];
    this.fixedLength = new int[n];
    for (int i = 0; i < n; i++) {
      Types.NestedField field = columns.get(i);
      names[i] = field.name();
      required[i] = field.isRequired();
      kinds[i] = kindOf(field.type(), tableName + "." + field.name());
      if (kinds[i] == Kind.DECIMAL) {
        fixedLength[i] = TypeUtil.decimalRequiredBytes(((Types.DecimalType) field.type()).precision());
      }
    }
  }

  private static Kind kindOf(Type type, String column) {
    return switch (type.typeId()) {
      case LONG -> Kind.LONG;
      case INTEGER -> Kind.INT;
      case BOOLEAN -> Kind.BOOLEAN;
      case BINARY -> Kind.BINARY;
      case STRING -> Kind.STRING;
      case DECIMAL -> {
        if (((Types.DecimalType) type).scale() != 0) {
          throw new IllegalArgumentException(column + ": only decimals of scale 0 are exported");
        }
        yield Kind.DECIMAL;
      }
      default -> throw new IllegalArgumentException(column + ": unsupported type " + type);
    };
  }

  MessageType parquetSchema() {
    return parquetSchema;
  }

  @Override
  public WriteContext init(Configuration configuration) {
    return new WriteContext(parquetSchema, footer);
  }

  @Override
  public WriteContext init(ParquetConfiguration configuration) {
    return new WriteContext(parquetSchema, footer);
  }

  @Override
  public void prepareForWrite(RecordConsumer recordConsumer) {
    this.consumer = recordConsumer;
  }

  @Override
  public void write(Record row) {
    consumer.startMessage();
    for (int i = 0; i < names.length; i++) {
      Object value = row.get(i);
      if (value == null) {
        if (required[i]) {
          throw new IllegalStateException("required column " + names[i] + " is null");
        }
        continue;
      }
      consumer.startField(names[i], i);
      switch (kinds[i]) {
        case LONG -> consumer.addLong((Long) value);
        case INT -> consumer.addInteger((Integer) value);
        case BOOLEAN -> consumer.addBoolean((Boolean) value);
        case BINARY -> consumer.addBinary(binary((ByteBuffer) value));
        case STRING -> consumer.addBinary(
            Binary.fromConstantByteArray(((String) value).getBytes(StandardCharsets.UTF_8)));
        case DECIMAL -> consumer.addBinary(fixedDecimal((BigDecimal) value, fixedLength[i],
            names[i]));
      }
      consumer.endField(names[i], i);
    }
    consumer.endMessage();
  }

  /** The buffer's remaining bytes; sources hand over fresh buffers that nobody changes later. */
  private static Binary binary(ByteBuffer buffer) {
    if (buffer.hasArray()) {
      return Binary.fromConstantByteArray(buffer.array(), buffer.arrayOffset() + buffer.position(),
          buffer.remaining());
    }
    return Binary.fromConstantByteBuffer(buffer.duplicate());
  }

  /**
   * The unscaled value as a big-endian two's-complement number sign-extended to {@code length}
   * bytes, as the Parquet spec (and Iceberg's writer) store a fixed-length decimal.
   */
  static Binary fixedDecimal(BigDecimal value, int length, String column) {
    if (value.scale() != 0) {
      throw new IllegalStateException(column + " value " + value + " does not have scale 0");
    }
    byte[] unscaled = value.unscaledValue().toByteArray();
    if (unscaled.length > length) {
      throw new IllegalStateException(column + " value " + value + " does not fit " + length
          + " bytes");
    }
    byte[] fixed = new byte[length];
    int pad = length - unscaled.length;
    byte sign = unscaled[0] < 0 ? (byte) 0xFF : 0;
    for (int i = 0; i < pad; i++) {
      fixed[i] = sign;
    }
    System.arraycopy(unscaled, 0, fixed, pad, unscaled.length);
    return Binary.fromConstantByteArray(fixed);
  }
}
