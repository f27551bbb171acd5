package io.arexport.parquet;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.data.Record;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.values.bloomfilter.BlockSplitBloomFilter;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;

/**
 * Writes flat export rows into one Parquet file through parquet-java's column writers directly.
 *
 * <p>Why not {@link ParquetWriter}: its record path hands every value through a {@code
 * RecordConsumer} that tracks nesting (start and end of each field, a pass over the fields not
 * written, every row), which cost more than encoding the values themselves, and whose deep call
 * chains were the JIT's largest compilations. Export rows are flat — every column is a top-level
 * primitive, so a value's repetition level is 0 and its definition level is 1 for an optional
 * column (0 for a required one), 0 for a null — and can be written to the column writers as they
 * are. Everything else is parquet-java's own: the {@link ParquetProperties} (encodings,
 * dictionaries, page sizes, statistics, column indexes, bloom filters), the page store, the
 * compressor and the file writer, driven the way {@link ParquetWriter} drives them (row groups
 * flushed at the same size checks, the same footer), so the files are the same bytes.
 */
final class FlatParquetWriter implements AutoCloseable {
  private final ParquetFileWriter file;
  private final MessageType schema;
  private final ParquetProperties properties;
  private final CodecFactory codecs;
  private final BytesInputCompressor compressor;
  private final Map<String, String> footer;
  private final long rowGroupBytes;
  private final ColumnKind[] kinds;
  private final int[] presentLevel;
  private final boolean[] required;
  private final String[] names;
  private final int[] decimalBytes;
  private final SizedBloomFilters bloomFilters;
  private final CountedBloomFilters countedBloomFilters;
  /** Per column: the bloom filter this writer fills itself in the current row group, or null. */
  private final ChunkBloomFilter[] filters;
  private ColumnChunkPageWriteStore pageStore;
  private ColumnWriteStore columnStore;
  private ColumnWriter[] writers;
  private int rowGroupOrdinal;
  private long rowsInGroup;
  private long rowsForNextSizeCheck;
  private long nextRowGroupBytes;
  private boolean closed;

  /** How a column's values are turned into Parquet values. */
  enum ColumnKind { LONG, INT, BOOLEAN, BINARY, STRING, DECIMAL }

  /**
   * Bloom filters of a known size that this writer fills itself rather than parquet-java (whose
   * properties must not enable them for these columns): parquet-java hashes and inserts every
   * value, while a run of equal values — {@code tags.id} repeats once per tag of a row — needs one
   * insert. The filter is the one parquet-java would make (a {@link BlockSplitBloomFilter} of
   * {@link BlockSplitBloomFilter#optimalNumOfBits} for {@code distinctValues} and {@code fpp},
   * capped at {@code maxBytes}, the same hash) and is handed to the same page store, so the
   * bytes written are the same.
   */
  record SizedBloomFilters(List<String> columns, long distinctValues, double fpp, int maxBytes) {

    BlockSplitBloomFilter newFilter() {
      return new BlockSplitBloomFilter(
          BlockSplitBloomFilter.optimalNumOfBits(distinctValues, fpp) / 8, maxBytes);
    }
  }

  /**
   * Bloom filters of columns whose distinct values are not known beforehand, sized for the count
   * of each row group's distinct values ({@link CountedBloomFilter}).
   */
  record CountedBloomFilters(List<String> columns, double fpp, int maxBytes) {

    CountedBloomFilter newFilter() {
      return new CountedBloomFilter(fpp, maxBytes);
    }
  }

  /**
   * @param columns the export schema's columns, in order: their kinds and, for decimals, the
   *     fixed length of their values
   */
  FlatParquetWriter(OutputFile output, MessageType schema, List<ColumnKind> columns,
      int[] decimalBytes, ParquetProperties properties, SizedBloomFilters bloomFilters,
      CountedBloomFilters countedBloomFilters, CompressionCodecName codec, long rowGroupBytes,
      Map<String, String> footer)
      throws IOException {
    this.schema = schema;
    this.properties = properties;
    this.rowGroupBytes = rowGroupBytes;
    this.nextRowGroupBytes = rowGroupBytes;
    this.footer = footer;
    List<ColumnDescriptor> descriptors = schema.getColumns();
    int n = descriptors.size();
    if (columns.size() != n) {
      throw new IllegalArgumentException(columns.size() + " kinds for " + n + " columns");
    }
    this.kinds = columns.toArray(new ColumnKind[0]);
    this.decimalBytes = decimalBytes.clone();
    this.bloomFilters = bloomFilters;
    this.countedBloomFilters = countedBloomFilters;
    this.filters = new ChunkBloomFilter[n];
    this.presentLevel = new int[n];
    this.required = new boolean[n];
    this.names = new String[n];
    for (int i = 0; i < n; i++) {
      ColumnDescriptor column = descriptors.get(i);
      if (column.getPath().length != 1 || column.getMaxRepetitionLevel() != 0) {
        throw new IllegalArgumentException("not a flat column: " + column);
      }
      presentLevel[i] = column.getMaxDefinitionLevel();
      required[i] = presentLevel[i] == 0;
      names[i] = column.getPath()[0];
      boolean sized = bloomFilters.columns().contains(names[i]);
      boolean countedColumn = countedBloomFilters.columns().contains(names[i]);
      if ((sized || countedColumn)
          && (kinds[i] != ColumnKind.BINARY || properties.isBloomFilterEnabled(column)
              || sized == countedColumn)) {
        throw new IllegalArgumentException(names[i] + ": a filled bloom filter needs a binary"
            + " column without parquet-java's own filter, and one kind of filter");
      }
    }
    this.file = new ParquetFileWriter(output, schema, ParquetFileWriter.Mode.OVERWRITE,
        rowGroupBytes, ParquetWriter.MAX_PADDING_SIZE_DEFAULT, null, properties);
    // An empty Hadoop configuration: the default one parses Hadoop's XML resources for every
    // file, and the codecs read nothing from it beyond their defaults.
    this.codecs = new CodecFactory(new Configuration(false), properties.getPageSizeThreshold());
    try {
      file.start();
      this.compressor = codecs.getCompressor(codec);
      startRowGroup();
    } catch (IOException | RuntimeException e) {
      codecs.release();
      try {
        file.close();
      } catch (IOException | RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  private void startRowGroup() {
    pageStore = new ColumnChunkPageWriteStore(compressor, schema, properties.getAllocator(),
        properties.getColumnIndexTruncateLength(), properties.getPageWriteChecksumEnabled(), null,
        rowGroupOrdinal);
    columnStore = properties.newColumnWriteStore(schema, pageStore, pageStore);
    List<ColumnDescriptor> descriptors = schema.getColumns();
    writers = new ColumnWriter[descriptors.size()];
    for (int i = 0; i < writers.length; i++) {
      writers[i] = columnStore.getColumnWriter(descriptors.get(i));
      if (bloomFilters.columns().contains(names[i])) {
        filters[i] = ChunkBloomFilter.sized(bloomFilters.newFilter());
      } else if (countedBloomFilters.columns().contains(names[i])) {
        filters[i] = countedBloomFilters.newFilter();
      }
    }
    rowsForNextSizeCheck = properties.getMinRowCountForPageSizeCheck();
  }

  /** Writes one row: value {@code i} of the record is column {@code i}. */
  void write(Record row) throws IOException {
    ColumnWriter[] columns = writers;
    for (int i = 0; i < columns.length; i++) {
      Object value = row.get(i);
      if (value == null) {
        if (required[i]) {
          throw new IllegalStateException("required column " + names[i] + " is null");
        }
        columns[i].writeNull(0, 0);
      } else {
        writeValue(columns[i], kinds[i], value, presentLevel[i], i);
      }
    }
    columnStore.endRecord();
    rowsInGroup++;
    if (rowsInGroup >= properties.getRowGroupRowCountLimit()) {
      flushRowGroup();
      startRowGroup();
    } else if (rowsInGroup >= rowsForNextSizeCheck) {
      checkRowGroupSize();
    }
  }

  // One small method per kind rather than one switch with every path: the JIT compiles each on
  // its own, instead of recompiling one large method whenever a table brings new value writers.
  private void writeValue(ColumnWriter column, ColumnKind kind, Object value, int level, int i) {
    switch (kind) {
      case LONG -> writeLong(column, (Long) value, level);
      case INT -> writeInt(column, (Integer) value, level);
      case BOOLEAN -> writeBoolean(column, (Boolean) value, level);
      case BINARY -> writeBinary(column, (ByteBuffer) value, level, i);
      case STRING -> writeBytes(column,
          Binary.fromConstantByteArray(((String) value).getBytes(StandardCharsets.UTF_8)), level);
      case DECIMAL -> writeBytes(column,
          fixedDecimal((BigDecimal) value, decimalBytes[i], names[i]), level);
    }
  }

  private static void writeLong(ColumnWriter column, long value, int level) {
    column.write(value, 0, level);
  }

  private static void writeInt(ColumnWriter column, int value, int level) {
    column.write(value, 0, level);
  }

  private static void writeBoolean(ColumnWriter column, boolean value, int level) {
    column.write(value, 0, level);
  }

  private static void writeBytes(ColumnWriter column, Binary value, int level) {
    column.write(value, 0, level);
  }

  private void writeBinary(ColumnWriter column, ByteBuffer value, int level, int i) {
    Binary bytes = binary(value);
    column.write(bytes, 0, level);
    // Kept small (the launcher limits C2's inlining to methods of 100 bytecodes): the filter
    // work is behind one call.
    ChunkBloomFilter filter = filters[i];
    if (filter != null) {
      filter.add(bytes);
    }
  }

  /**
   * The size check of parquet-java's record writer: the buffered bytes are measured only now and
   * then (measuring walks every column), and the row group is flushed when it is within about two
   * rows of its target.
   */
  private void checkRowGroupSize() throws IOException {
    long buffered = columnStore.getBufferedSize();
    long rowBytes = buffered / rowsInGroup;
    if (buffered > nextRowGroupBytes - 2 * rowBytes) {
      flushRowGroup();
      startRowGroup();
      return;
    }
    long halfway = (rowsInGroup + (long) (nextRowGroupBytes / (float) rowBytes)) / 2;
    rowsForNextSizeCheck = Math.min(
        Math.max(properties.getMinRowCountForPageSizeCheck(), halfway),
        rowsInGroup + properties.getMaxRowCountForPageSizeCheck());
  }

  private void flushRowGroup() throws IOException {
    try {
      if (rowsInGroup > 0) {
        rowGroupOrdinal++;
        file.startBlock(rowsInGroup);
        columnStore.flush();
        List<ColumnDescriptor> descriptors = schema.getColumns();
        for (int i = 0; i < filters.length; i++) {
          if (filters[i] != null) {
            pageStore.getBloomFilterWriter(descriptors.get(i))
                .writeBloomFilter(filters[i].finish());
          }
        }
        pageStore.flushToFileWriter(file);
        rowsInGroup = 0;
        file.endBlock();
        nextRowGroupBytes = Math.min(file.getNextRowGroupSize(), rowGroupBytes);
      }
    } finally {
      columnStore.close();
      pageStore.close();
      columnStore = null;
      pageStore = null;
    }
  }

  /** Writes the last row group and the footer. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      flushRowGroup();
      // A HashMap, as parquet-java's writer hands it over: the footer's entries in the same order.
      file.end(new java.util.HashMap<>(footer));
    } finally {
      codecs.release();
    }
  }

  /** Gives up the file (after a failure): its buffers are released, nothing more is written. */
  void abort() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (columnStore != null) {
        columnStore.close();
        pageStore.close();
      }
      // Closes the file's stream without a footer: the partial file is unreadable and ignored.
      file.close();
    } catch (IOException | RuntimeException e) {
      // Already failing; the caller reports the first failure.
    } finally {
      codecs.release();
    }
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
