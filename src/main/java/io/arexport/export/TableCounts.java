package io.arexport.export;

/** Rows, files and bytes written for one table. */
public record TableCounts(long rows, long files, long bytes) {
  public static final TableCounts ZERO = new TableCounts(0, 0, 0);

  public TableCounts plus(TableCounts other) {
    return new TableCounts(rows + other.rows, files + other.files, bytes + other.bytes);
  }
}
