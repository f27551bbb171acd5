package io.arexport.source;

import io.arexport.InvalidInputException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;

/** Typed reads of SQLite result columns, rejecting values that do not fit the export type. */
final class Columns {
  /** decimal(20,0): at most 20 decimal digits, no sign, no fraction. */
  private static final int DECIMAL_DIGITS = 20;

  private Columns() {}

  static ByteBuffer binary(ResultSet row, int column) throws SQLException {
    byte[] bytes = row.getBytes(column);
    return bytes == null ? null : ByteBuffer.wrap(bytes);
  }

  static Long int64(ResultSet row, int column) throws SQLException {
    long value = row.getLong(column);
    return row.wasNull() ? null : value;
  }

  static Integer int32(ResultSet row, int column, String name, ByteBuffer rowId)
      throws SQLException {
    long value = row.getLong(column);
    if (row.wasNull()) {
      return null;
    }
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw new InvalidInputException(
          name + " " + value + " of row " + hex(rowId) + " does not fit a 32-bit int");
    }
    return (int) value;
  }

  static String text(ResultSet row, int column) throws SQLException {
    return row.getString(column);
  }

  /** Parses a gateway quantity/reward (decimal text) into decimal(20,0). */
  static BigDecimal decimal20(ResultSet row, int column, String name, ByteBuffer rowId)
      throws SQLException {
    String text = row.getString(column);
    if (text == null) {
      return null;
    }
    int length = text.length();
    boolean valid = length > 0 && length <= DECIMAL_DIGITS;
    for (int i = 0; valid && i < length; i++) {
      char c = text.charAt(i);
      valid = c >= '0' && c <= '9';
    }
    if (!valid) {
      throw new InvalidInputException(
          "transaction " + hex(rowId) + " has " + name + " '" + text
              + "', which is not a decimal of at most 20 digits");
    }
    return new BigDecimal(text);
  }

  static ByteBuffer requiredBinary(ResultSet row, int column, String table, String name,
      long height) throws SQLException {
    byte[] bytes = row.getBytes(column);
    if (bytes == null) {
      throw new InvalidInputException(
          table + " row at height " + height + " has NULL " + name);
    }
    return ByteBuffer.wrap(bytes);
  }

  static String hex(ByteBuffer id) {
    if (id == null) {
      return "(null id)";
    }
    byte[] bytes = new byte[id.remaining()];
    id.duplicate().get(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
