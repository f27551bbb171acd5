package io.arexport.parquet;

import io.arexport.HeightRange;
import io.arexport.RuntimeFailureException;
import io.arexport.fs.DurableFiles;
import io.arexport.schema.ExportTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.data.Record;
import org.apache.parquet.ParquetRuntimeException;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.values.factory.DefaultV1ValuesWriterFactory;
import org.apache.parquet.io.LocalOutputFile;

/**
 * Writes the rows of one table-partition into Parquet files in a staging directory, starting a new
 * file every {@code maxFileRows} rows. Files are opened lazily, so a table-partition without rows
 * has no file. Rows stream through {@link FlatParquetWriter}, which writes the Iceberg field ids and
 * types the contract requires and holds at most one row group in memory.
 *
 * <p>Names follow the contract: {@code <table>_<S>_<E>_<job>.parquet} for a single file, {@code
 * <table>_<S>_<E>_<n>_<job>.parquet} when split. Whether a partition splits is known only at its
 * end, so files are written under temporary names and renamed by {@link #finish()}.
 */
public final class PartitionFileWriter implements AutoCloseable {
  /**
   * Row groups of this many bytes keep scans efficient while bounding memory: the writer buffers
   * one row group before flushing it.
   */
  public static final long ROW_GROUP_BYTES = 64L * 1024 * 1024;

  /** Iceberg's defaults, kept so that files are encoded as before this writer replaced it. */
  private static final int PAGE_BYTES = 1024 * 1024;
  private static final int DICTIONARY_PAGE_BYTES = 2 * 1024 * 1024;

  private final ExportTable table;
  private final HeightRange partition;
  private final Path directory;
  private final String runId;
  private final long heightPartitionSize;
  private final long maxFileRows;
  private final Compression compression;
  private final long rowGroupBytes;
  private final long distinctValues;
  private final ParquetTableSchema schema;
  private final ParquetProperties properties;
  private final FlatParquetWriter.SizedBloomFilters sizedBloomFilters;
  private final FlatParquetWriter.CountedBloomFilters countedBloomFilters;
  private final int idPosition;
  private final int tieBreakPosition;
  private final List<Path> writtenTemp = new ArrayList<>();
  private final List<Long> writtenRows = new ArrayList<>();
  private FlatParquetWriter appender;
  private long rowsInFile;
  private long totalRows;
  // The previous row's sort key. Its values are immutable objects the cursor never reuses, so
  // keeping references is enough: no copy of the row.
  private long previousHeight;
  private ByteBuffer previousId;
  private Integer previousTieBreak;

  /**
   * Key-value metadata entry recording the partition size a file was written with, so the Iceberg
   * metadata knows which {@code truncate(height, P)} spec the file belongs to.
   */
  public static final String PARTITION_SIZE_KEY = "arexport.height-partition-size";

  public PartitionFileWriter(ExportTable table, HeightRange partition, Path directory,
      String runId, long heightPartitionSize, long maxFileRows, Compression compression) {
    this(table, partition, directory, runId, heightPartitionSize, maxFileRows, compression,
        ROW_GROUP_BYTES, maxFileRows);
  }

  /**
   * @param rowGroupBytes the buffered bytes at which a row group is flushed; several writers
   *     running at once share the heap, so the export gives each a share of it (at most {@link
   *     #ROW_GROUP_BYTES})
   * @param distinctValues at most how many distinct values a bloom-filtered column of {@link
   *     ColumnLayout#sizedBloomFilterColumns()} has in this table-partition (for transactions its
   *     rows, for tags the transactions and data items it belongs to); sizes the filters
   */
  public PartitionFileWriter(ExportTable table, HeightRange partition, Path directory,
      String runId, long heightPartitionSize, long maxFileRows, Compression compression,
      long rowGroupBytes, long distinctValues) {
    this.table = table;
    this.partition = partition;
    this.directory = directory;
    this.runId = runId;
    this.heightPartitionSize = heightPartitionSize;
    this.maxFileRows = maxFileRows;
    this.compression = compression;
    this.rowGroupBytes = rowGroupBytes;
    this.distinctValues = Math.max(1, Math.min(distinctValues, maxFileRows));
    this.schema = ParquetTableSchema.of(table.schema(), table.tableName(),
        Map.of(PARTITION_SIZE_KEY, Long.toString(heightPartitionSize)));
    this.properties = properties();
    this.sizedBloomFilters = new FlatParquetWriter.SizedBloomFilters(
        ColumnLayout.of(table).sizedBloomFilterColumns(), this.distinctValues,
        ColumnLayout.BLOOM_FILTER_FPP, ColumnLayout.MAX_BLOOM_FILTER_BYTES);
    this.countedBloomFilters = new FlatParquetWriter.CountedBloomFilters(
        ColumnLayout.of(table).countedBloomFilterColumns(), ColumnLayout.BLOOM_FILTER_FPP,
        ColumnLayout.MAX_BLOOM_FILTER_BYTES);
    this.idPosition = table.idPosition();
    this.tieBreakPosition = table.tieBreakPosition();
  }

  /** Appends one row; rows must arrive in the table's sort order (checked). */
  public void add(Record row) {
    checkOrder(row);
    if (appender != null && rowsInFile >= maxFileRows) {
      closeCurrent();
    }
    if (appender == null) {
      openNext();
    }
    try {
      appender.write(row);
    } catch (IOException | UncheckedIOException | ParquetRuntimeException e) {
      // A full row group is flushed inside add(): the disk may fill up here too.
      throw new RuntimeFailureException(
          "cannot write Parquet file in " + directory + ": " + rootCause(e), e);
    }
    rowsInFile++;
    totalRows++;
  }

  private void checkOrder(Record row) {
    long height = (Long) row.get(table.heightPosition());
    if (!partition.contains(height)) {
      throw new IllegalStateException(
          table.tableName() + " row at height " + height + " is outside partition " + partition);
    }
    ByteBuffer id = (ByteBuffer) row.get(idPosition);
    Integer tieBreak = tieBreakPosition < 0 ? null : (Integer) row.get(tieBreakPosition);
    if (previousId != null && compareToPrevious(height, id, tieBreak) > 0) {
      throw new IllegalStateException(
          table.tableName() + " rows arrived out of order in partition " + partition);
    }
    previousHeight = height;
    previousId = id;
    previousTieBreak = tieBreak;
  }

  /** The contract's row order ({@link ExportTable#rowOrder()}) of the previous row to this one. */
  private int compareToPrevious(long height, ByteBuffer id, Integer tieBreak) {
    int c = Long.compare(previousHeight, height);
    if (c != 0) {
      return c;
    }
    c = ExportTable.compareUnsigned(previousId, id);
    if (c != 0 || tieBreak == null) {
      return c;
    }
    return Integer.compare(previousTieBreak, tieBreak);
  }

  private void openNext() {
    try {
      Files.createDirectories(directory);
      Path temp = directory.resolve(".part-" + writtenTemp.size() + ".parquet");
      appender = new FlatParquetWriter(new LocalOutputFile(temp), schema.parquetSchema(),
          schema.kinds(), schema.decimalBytes(), properties, sizedBloomFilters, countedBloomFilters,
          compression.codec(), rowGroupBytes, schema.footer());
      writtenTemp.add(temp);
      rowsInFile = 0;
    } catch (IOException | UncheckedIOException | ParquetRuntimeException e) {
      throw new RuntimeFailureException(
          "cannot create Parquet file in " + directory + ": " + rootCause(e), e);
    }
  }

  /**
   * The encoding settings of this table-partition's files: Iceberg's page and dictionary sizes,
   * format version 1, no dictionary for the columns whose values never repeat, bloom filters on
   * the lookup columns ({@link ColumnLayout}). The values-writer factory is this writer's own:
   * parquet-java 1.16's default delegates to a static singleton that every writer re-initializes
   * with its own properties (apache/parquet-java GH-3497, fixed upstream after 1.17), so with
   * several partitions in flight a writer could pick up another table's per-column dictionary
   * settings: the values stayed right, but the encodings depended on thread timing.
   */
  private ParquetProperties properties() {
    ParquetProperties.Builder builder = ParquetProperties.builder()
        .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
        .withPageSize(PAGE_BYTES)
        .withDictionaryPageSize(DICTIONARY_PAGE_BYTES)
        .withDictionaryEncoding(true)
        .withValuesWriterFactory(new DefaultV1ValuesWriterFactory());
    ColumnLayout layout = ColumnLayout.of(table);
    for (String column : layout.plainColumns()) {
      builder.withDictionaryEncoding(column, false);
    }
    // Every bloom filter is filled by FlatParquetWriter (sized and counted), none by parquet-java.
    return builder.build();
  }

  private void closeCurrent() {
    try {
      appender.close();
    } catch (IOException | UncheckedIOException | ParquetRuntimeException e) {
      // parquet-java wraps a failed close (e.g. "No space left on device") in a
      // ParquetRuntimeException; it is a failure of the disk, not of arexport.
      throw new RuntimeFailureException(
          "cannot write Parquet file in " + directory + ": " + rootCause(e), e);
    } finally {
      writtenRows.add(rowsInFile);
      appender = null;
    }
  }

  /**
   * The innermost cause's message, e.g. "No space left on device": parquet-hadoop wraps I/O errors
   * in messages that dump the whole file footer.
   */
  private static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
  }

  /** Total rows added so far. */
  public long rows() {
    return totalRows;
  }

  /**
   * Closes the last file, gives every file its final name and flushes it to disk.
   *
   * @return the finished files, in sort order; empty when no row was added
   */
  public List<StagedFile> finish() {
    if (appender != null) {
      closeCurrent();
    }
    List<StagedFile> files = new ArrayList<>();
    String prefix = table.tableName() + "_" + partition.start() + "_" + partition.end() + "_";
    for (int i = 0; i < writtenTemp.size(); i++) {
      String name = writtenTemp.size() == 1
          ? prefix + runId + ".parquet"
          : prefix + i + "_" + runId + ".parquet";
      Path target = directory.resolve(name);
      try {
        Files.move(writtenTemp.get(i), target, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.fsync(target);
        files.add(new StagedFile(target, writtenRows.get(i), Files.size(target)));
      } catch (IOException e) {
        throw new RuntimeFailureException("cannot finish Parquet file " + target + ": " + e, e);
      }
    }
    if (!files.isEmpty()) {
      DurableFiles.fsyncDirectory(directory);
    }
    return files;
  }

  /** Abandons an unfinished file (on failure); the staging directory keeps what was finished. */
  @Override
  public void close() {
    if (appender != null) {
      // Already failing; the temporary file is left in staging and ignored.
      appender.abort();
      appender = null;
    }
  }
}
