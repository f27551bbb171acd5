package io.arexport.verify;

import io.arexport.schema.ExportTable;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.codec.digest.MurmurHash3;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Hashes one exported row, given as a record of the table's schema, into a {@link Digest}. Both
 * sides use it: the SQLite rows mapped to export values and the rows read back from Parquet. The
 * row is first written in a canonical encoding, column by column in schema order, then hashed
 * with MurmurHash3 x64 128 (commons-codec's {@link MurmurHash3#hash128x64}):
 *
 * <ul>
 *   <li>null: one byte 0;
 *   <li>otherwise one byte 1, then by type: int and long as 8 bytes big-endian (an int column is
 *       widened, so the two sides need not agree on Integer vs Long), boolean as one byte,
 *       binary and string (UTF-8) as a 4-byte length and the bytes, decimal as its 4-byte scale
 *       and the length-prefixed two's-complement bytes of its unscaled value.
 * </ul>
 *
 * Lengths make the encoding unambiguous, so no two different rows encode alike: a changed byte
 * anywhere changes the encoding and, but for a 128-bit collision, the hash.
 */
public final class RowDigester {
  private static final int SEED = 0x61726578; // "arex"

  private final Type.TypeID[] types;
  private byte[] buffer = new byte[512];
  private int length;

  public RowDigester(ExportTable table) {
    List<Types.NestedField> columns = table.schema().columns();
    types = new Type.TypeID[columns.size()];
    for (int i = 0; i < types.length; i++) {
      types[i] = columns.get(i).type().typeId();
    }
  }

  /** Adds {@code row} to {@code digest}. */
  public void add(Record row, Digest digest) {
    length = 0;
    for (int i = 0; i < types.length; i++) {
      Object value = row.get(i);
      if (value == null) {
        ensure(1);
        buffer[length++] = 0;
        continue;
      }
      ensure(1);
      buffer[length++] = 1;
      switch (types[i]) {
        case INTEGER, LONG -> putLong(((Number) value).longValue());
        case BOOLEAN -> {
          ensure(1);
          buffer[length++] = (byte) (((Boolean) value) ? 1 : 0);
        }
        case BINARY -> {
          ByteBuffer bytes = ((ByteBuffer) value).duplicate();
          putInt(bytes.remaining());
          ensure(bytes.remaining());
          int n = bytes.remaining();
          bytes.get(buffer, length, n);
          length += n;
        }
        case STRING -> putBytes(value.toString().getBytes(StandardCharsets.UTF_8));
        case DECIMAL -> {
          BigDecimal decimal = (BigDecimal) value;
          putInt(decimal.scale());
          putBytes(decimal.unscaledValue().toByteArray());
        }
        default -> throw new IllegalStateException("no canonical encoding for " + types[i]);
      }
    }
    long[] hash = MurmurHash3.hash128x64(buffer, 0, length, SEED);
    digest.add(hash[0], hash[1]);
  }

  /** The canonical encoding of the last row added (for tests). */
  byte[] lastEncoding() {
    return Arrays.copyOf(buffer, length);
  }

  private void putBytes(byte[] bytes) {
    putInt(bytes.length);
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buffer, length, bytes.length);
    length += bytes.length;
  }

  private void putInt(int value) {
    ensure(4);
    for (int shift = 24; shift >= 0; shift -= 8) {
      buffer[length++] = (byte) (value >>> shift);
    }
  }

  private void putLong(long value) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buffer[length++] = (byte) (value >>> shift);
    }
  }

  private void ensure(int more) {
    if (length + more > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
    }
  }
}
