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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.parquet.Parquet;

/**
 * Writes the rows of one table-partition into Parquet files in a staging directory, starting a new
 * file every {@code maxFileRows} rows. Files are opened lazily, so a table-partition without rows
 * has no file. Iceberg's Parquet writer is used because it writes the Iceberg field ids and types
 * the contract requires; rows stream through it, holding at most one row group in memory.
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
  static final long ROW_GROUP_BYTES = 64L * 1024 * 1024;

  private final ExportTable table;
  private final HeightRange partition;
  private final Path directory;
  private final String runId;
  private final long heightPartitionSize;
  private final long maxFileRows;
  private final Compression compression;
  private final Comparator<Record> order;
  private final List<Path> writtenTemp = new ArrayList<>();
  private final List<Long> writtenRows = new ArrayList<>();
  private FileAppender<Record> appender;
  private long rowsInFile;
  private long totalRows;
  private Record previous;

  /**
   * Key-value metadata entry recording the partition size a file was written with, so the Iceberg
   * metadata knows which {@code truncate(height, P)} spec the file belongs to.
   */
  public static final String PARTITION_SIZE_KEY = "arexport.height-partition-size";

  public PartitionFileWriter(ExportTable table, HeightRange partition, Path directory,
      String runId, long heightPartitionSize, long maxFileRows, Compression compression) {
    this.table = table;
    this.partition = partition;
    this.directory = directory;
    this.runId = runId;
    this.heightPartitionSize = heightPartitionSize;
    this.maxFileRows = maxFileRows;
    this.compression = compression;
    this.order = table.rowOrder();
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
      appender.add(row);
    } catch (UncheckedIOException e) {
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
    if (previous != null && order.compare(previous, row) > 0) {
      throw new IllegalStateException(
          table.tableName() + " rows arrived out of order in partition " + partition);
    }
    if (previous == null) {
      previous = GenericRecord.create(table.schema());
    }
    // Keep a copy: the source record is reused by its cursor.
    for (int i = 0; i < table.schema().columns().size(); i++) {
      previous.set(i, row.get(i));
    }
  }

  private void openNext() {
    try {
      Files.createDirectories(directory);
      Path temp = directory.resolve(".part-" + writtenTemp.size() + ".parquet");
      appender = Parquet.write(org.apache.iceberg.Files.localOutput(temp.toFile()))
          .schema(table.schema())
          .createWriterFunc(GenericParquetWriter::create)
          .set(TableProperties.PARQUET_COMPRESSION, compression.icebergName())
          .set(TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES, Long.toString(ROW_GROUP_BYTES))
          .meta(PARTITION_SIZE_KEY, Long.toString(heightPartitionSize))
          .overwrite()
          .build();
      writtenTemp.add(temp);
      rowsInFile = 0;
    } catch (IOException | UncheckedIOException e) {
      throw new RuntimeFailureException(
          "cannot create Parquet file in " + directory + ": " + rootCause(e), e);
    }
  }

  private void closeCurrent() {
    try {
      appender.close();
    } catch (IOException | UncheckedIOException e) {
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
      try {
        appender.close();
      } catch (IOException | RuntimeException e) {
        // Already failing; the temporary file is left in staging and ignored.
      }
      appender = null;
    }
  }
}
