package io.arexport.source;

import io.arexport.InvalidInputException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;

/**
 * Typed reads of SQLite result columns, rejecting values that do not fit the export type. The
 * export reads through them, and so does {@code verify}'s source side, so both refuse the same
 * values with the same words.
 */
public final class Columns {
  /** decimal(20,0): at most 20 decimal digits, no sign, no fraction. */
  private static final int DECIMAL_DIGITS = 20;

  private Columns() {}

  static ByteBuffer binary(ResultSet row, int column) throws SQLException {
    byte[] bytes = row.getBytes(column);
    return bytes == null ? null : ByteBuffer.wrap(bytes);
  }

  /**
   * An INTEGER column. SQLite stores whatever it is given, and {@code getLong} would turn TEXT
   * 'abc' into 0, '12abc' into 12 and REAL 1.5 into 1 without a word; any value that is not an
   * integer is refused instead, naming the column, the value and the row.
   */
  public static Long int64(ResultSet row, int column) throws SQLException {
    Object value = row.getObject(column);
    if (value == null || value instanceof Long) {
      return (Long) value;
    }
    if (value instanceof Integer small) {
      return small.longValue();
    }
    throw notAnInteger(row, column, value);
  }

  /** A row's height: an integer, never null (the range query only returns such rows). */
  static long height(ResultSet row, int column) throws SQLException {
    Long height = int64(row, column);
    if (height == null) {
      throw notAnInteger(row, column, null);
    }
    return height;
  }

  static Integer int32(ResultSet row, int column, String name, ByteBuffer rowId)
      throws SQLException {
    Long boxed = int64(row, column);
    if (boxed == null) {
      return null;
    }
    long value = boxed;
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
    ByteBuffer key = key(row, column);
    if (key == null) {
      throw new InvalidInputException(
          table + " row at height " + height + " has NULL " + name);
    }
    return key;
  }

  /**
   * A BLOB sort key (id, indep_hash). SQLite orders TEXT before every BLOB, so a key stored as
   * TEXT would break the contract's unsigned-byte order; it is refused, naming the row.
   */
  public static ByteBuffer key(ResultSet row, int column) throws SQLException {
    Object value = row.getObject(column);
    if (value == null) {
      return null;
    }
    if (value instanceof byte[] bytes) {
      return ByteBuffer.wrap(bytes);
    }
    throw new InvalidInputException(location(row, column) + " is " + describe(value)
        + ", not a BLOB");
  }

  private static InvalidInputException notAnInteger(ResultSet row, int column, Object value)
      throws SQLException {
    return new InvalidInputException(location(row, column) + " is " + describe(value)
        + ", not an integer");
  }

  /** {@code table.column of the row with id <hex> at height <h>}, as far as the query tells. */
  private static String location(ResultSet row, int column) throws SQLException {
    java.sql.ResultSetMetaData meta = row.getMetaData();
    StringBuilder where = new StringBuilder();
    String table = meta.getTableName(column);
    if (table != null && !table.isEmpty()) {
      where.append(table).append('.');
    }
    where.append(meta.getColumnName(column)).append(" of the row");
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      String name = meta.getColumnName(i);
      if (i != column && (name.equals("id") || name.equals("indep_hash"))) {
        Object id = row.getObject(i);
        where.append(" with ").append(name).append(' ').append(describe(id));
        break;
      }
    }
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      if (i != column && meta.getColumnName(i).equals("height")) {
        where.append(" at height ").append(describe(row.getObject(i)));
        break;
      }
    }
    return where.toString();
  }

  private static String describe(Object value) {
    if (value == null) {
      return "NULL";
    }
    if (value instanceof byte[] bytes) {
      return bytes.length > 48 ? "BLOB " + HexFormat.of().formatHex(bytes, 0, 48) + "..."
          : "BLOB " + HexFormat.of().formatHex(bytes);
    }
    if (value instanceof String text) {
      String shown = text.length() > 48 ? text.substring(0, 48) + "..." : text;
      return "TEXT '" + shown.replace("\n", "\\n") + "'";
    }
    if (value instanceof Double real) {
      return "REAL " + real;
    }
    return value.toString();
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
