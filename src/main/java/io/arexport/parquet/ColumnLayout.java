package io.arexport.parquet;

import io.arexport.schema.ExportTable;
import java.util.List;

/**
 * Per-table Parquet encoding choices that are not the writer's defaults.
 *
 * <ul>
 *   <li><b>Plain columns</b> (no dictionary): values that never repeat — ids, hashes, anchors,
 *       data roots, byte offsets. A dictionary for them is built, found useless at the end of the
 *       first page and dropped, so building it only costs time; the bytes written are the same.
 *       Columns whose values do repeat (tag names and values, content types, owners, heights,
 *       small enums) keep it; {@code tags.id}, repeated once per tag, is plain all the same (see
 *       {@link #of}).
 *   <li><b>Bloom filters</b> on the columns people look up by value, so that {@code WHERE id = X}
 *       over the whole warehouse reads each file's footer and filter instead of its data: a
 *       random 32-byte id falls inside nearly every file's min/max range, so statistics alone
 *       cannot skip a file. A filter is sized for the number of distinct values it will hold:
 *       <em>sized</em> columns have at most as many as the writer's hint (the partition's
 *       transactions and data items, counted before it is written), so their filter is sized from
 *       the hint and filled by {@link FlatParquetWriter}, a run of equal values inserted once;
 *       <em>counted</em> columns ({@code tag_value}) have no such bound, so the writer counts
 *       each row group's distinct values and sizes the filter for that count at the end
 *       ({@link CountedBloomFilter}). parquet-java drops the filter of a column chunk whose
 *       pages are all dictionary-encoded (its dictionary answers the same question), so a column
 *       of a few distinct values such as {@code tag_name} is given none.
 * </ul>
 */
record ColumnLayout(List<String> plainColumns, List<String> sizedBloomFilterColumns,
    List<String> countedBloomFilterColumns) {
  /** Target false-positive rate of a bloom filter: 1 in 100 files without the value is read. */
  static final double BLOOM_FILTER_FPP = 0.01;
  /** parquet-java's default upper bound per column and row group. */
  static final int MAX_BLOOM_FILTER_BYTES = 1024 * 1024;

  static ColumnLayout of(ExportTable table) {
    return switch (table) {
      case BLOCKS -> new ColumnLayout(
          List.of("indep_hash", "previous_block", "nonce", "hash"), List.of(), List.of());
      case TRANSACTIONS -> new ColumnLayout(
          List.of("id", "anchor", "data_root", "offset", "data_offset", "owner_offset",
              "signature_offset"),
          List.of("id", "owner_address", "target", "parent", "root_transaction_id"), List.of());
      // tags.id repeats once per tag of a row, but plain with a bloom filter is smaller than its
      // dictionary (one 32-byte entry per row of the partition) and lets lookups skip files.
      case TAGS -> new ColumnLayout(List.of("id"), List.of("id"), List.of("tag_value"));
    };
  }
}
