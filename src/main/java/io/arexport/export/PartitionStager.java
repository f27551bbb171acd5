package io.arexport.export;

import io.arexport.Cancellation;
import io.arexport.HeightRange;
import io.arexport.RuntimeFailureException;
import io.arexport.StoppedException;
import io.arexport.parquet.PartitionFileWriter;
import io.arexport.parquet.StagedFile;
import io.arexport.schema.ExportTable;
import io.arexport.source.PartitionReader;
import io.arexport.source.RowCursor;
import io.arexport.source.SourcePaths;
import io.arexport.warehouse.StagedPartition;
import io.arexport.warehouse.StagingJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes partitions into the job's staging directory on {@code threads} worker threads, several
 * partitions at once. Each worker has its own {@link PartitionReader} (its own SQLite connections,
 * so each partition is read from its own snapshot of each database) and its own Parquet writers;
 * the caller publishes the staged partitions one by one, in height order, from its own thread.
 *
 * <p>Fault points (a test hook) are reported in height order too: a worker reports one only while
 * its partition is the lowest one not yet published ({@link #published}), so a crash test's "n-th
 * time a point is reached" names the same place whatever the number of threads. Without fault
 * points ({@link FaultPoints#NONE}) workers never wait for each other.
 */
final class PartitionStager implements AutoCloseable {
  /** Progress and fault points are reported every this many rows. */
  static final long ROWS_PER_TICK = Exporter.ROWS_PER_TICK;

  /** A staged partition, ready to publish. */
  record Staged(HeightRange partition, Map<ExportTable, StagedPartition> tables,
      Map<String, TableCounts> counts, long skippedDanglingTags) {}

  private final ExportRequest request;
  private final StagingJob job;
  private final String runId;
  private final ExportListener listener;
  private final FaultPoints faults;
  private final Cancellation cancellation;
  private final long rowGroupBytes;
  private final BlockingQueue<PartitionReader> readers;
  private final List<PartitionReader> allReaders = new ArrayList<>();
  private final ExecutorService workers;
  private final Object order = new Object();
  private volatile boolean aborted;
  /** Start heights of the partitions submitted and not yet published; guarded by {@link #order}. */
  private final TreeSet<Long> unpublished = new TreeSet<>();

  PartitionStager(ExportRequest request, int threads, StagingJob job, String runId,
      ExportListener listener, FaultPoints faults, Cancellation cancellation, long heapBytes) {
    this.request = request;
    this.job = job;
    this.runId = runId;
    this.listener = listener;
    this.faults = faults;
    this.cancellation = cancellation;
    this.rowGroupBytes = rowGroupBytes(heapBytes, threads);
    this.readers = new ArrayBlockingQueue<>(threads);
    try {
      for (int i = 0; i < threads; i++) {
        PartitionReader reader = PartitionReader.open(
            new SourcePaths(request.coreDb(), request.bundlesDb()),
            request.includeL1Transactions(), request.includeL1Tags());
        allReaders.add(reader);
        readers.add(reader);
      }
    } catch (RuntimeException | Error e) {
      allReaders.forEach(PartitionReader::close);
      throw e;
    }
    AtomicInteger number = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(threads, task -> {
      Thread thread = new Thread(task, "arexport-stage-" + number.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * The row-group size of each writer: Parquet buffers a row group in memory before writing it,
   * and {@code threads} writers run at once, so together they may use at most a quarter of the
   * heap (the read-ahead queues, the SQLite result rows and the garbage of the encoding need the
   * rest); never more than {@link PartitionFileWriter#ROW_GROUP_BYTES}, never less than 8 MiB.
   */
  static long rowGroupBytes(long heapBytes, int threads) {
    long share = heapBytes / 4 / threads;
    return Math.max(8L << 20, Math.min(PartitionFileWriter.ROW_GROUP_BYTES, share));
  }

  /** Starts staging {@code partition} on a worker; {@link Future#get} gives it when done. */
  Future<Staged> submit(HeightRange partition) {
    synchronized (order) {
      unpublished.add(partition.start());
    }
    return workers.submit(() -> stage(partition));
  }

  /**
   * Waits for a submitted partition; its failure is rethrown as it was thrown (a {@link
   * StoppedException}, an {@link io.arexport.InvalidInputException}, ...).
   */
  static Staged await(Future<Staged> staged) {
    try {
      return staged.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new RuntimeFailureException("staging failed: " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoppedException("interrupted while waiting for a partition to be staged");
    }
  }

  /**
   * {@code partition} is published and checkpointed: the fault points of the next one may now be
   * reported.
   */
  void published(HeightRange partition) {
    synchronized (order) {
      unpublished.remove(partition.start());
      order.notifyAll();
    }
  }

  /** Makes every running worker stop at its next row (the run failed or stopped). */
  void abort() {
    aborted = true;
    synchronized (order) {
      order.notifyAll();
    }
  }

  private Staged stage(HeightRange partition) {
    PartitionReader reader = readers.remove();
    try {
      long skippedBefore = reader.skippedDanglingTags();
      Map<ExportTable, StagedPartition> staged = new EnumMap<>(ExportTable.class);
      Map<String, TableCounts> counts = new LinkedHashMap<>();
      // Bounds the distinct ids (and owners, targets, ...) of transactions and of tags: inside
      // the partition's snapshot, so the rows written next are exactly the ones counted.
      long transactionRows = reader.transactionCount(partition);
      for (ExportTable table : ExportTable.values()) {
        Path dir = job.partitionDir(table, partition);
        List<StagedFile> files = writeTable(reader, table, partition, dir, transactionRows);
        staged.put(table, new StagedPartition(dir, files.stream().map(StagedFile::path).toList()));
        counts.put(table.tableName(), new TableCounts(
            files.stream().mapToLong(StagedFile::rows).sum(), files.size(),
            files.stream().mapToLong(StagedFile::bytes).sum()));
      }
      // All three tables were read from one snapshot per database; release it before publishing.
      reader.endSnapshot();
      return new Staged(partition, staged, counts,
          reader.skippedDanglingTags() - skippedBefore);
    } finally {
      readers.add(reader);
    }
  }

  private List<StagedFile> writeTable(PartitionReader reader, ExportTable table,
      HeightRange partition, Path dir, long distinctValues) {
    try (RowCursor rows = reader.open(table, partition);
        PartitionFileWriter writer = new PartitionFileWriter(table, partition, dir, runId,
            request.heightPartitionSize(), request.maxFileRows(), request.compression(),
            rowGroupBytes, distinctValues)) {
      long written = 0;
      // A tick at the start too, so progress names the partition before its first
      // ROWS_PER_TICK rows (most partitions of a small range never reach them).
      synchronized (listener) {
        listener.rowsWritten(partition, table, 0);
      }
      while (rows.next()) {
        if (cancellation.requested()) {
          throw new StoppedException("stopped on request while writing " + table.tableName()
              + " of partition " + partition + " (its unfinished files stay in staging; every"
              + " earlier partition is in the warehouse)");
        }
        if (aborted) {
          throw new AbortedException();
        }
        writer.add(rows.current());
        if (++written % ROWS_PER_TICK == 0) {
          synchronized (listener) {
            listener.rowsWritten(partition, table, written);
          }
          reachedInOrder(partition, FaultPoints.MID_PARTITION);
        }
      }
      return writer.finish();
    }
  }

  private void reachedInOrder(HeightRange partition, String point) {
    if (faults == FaultPoints.NONE) {
      return;
    }
    synchronized (order) {
      while (unpublished.first() != partition.start() && !aborted) {
        try {
          order.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AbortedException();
        }
      }
    }
    if (aborted) {
      throw new AbortedException();
    }
    faults.reached(point);
  }

  /** Stops the workers (after {@link #abort} or once every partition is published). */
  @Override
  public void close() {
    workers.shutdown();
    try {
      while (!workers.awaitTermination(1, TimeUnit.SECONDS)) {
        abort();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      workers.shutdownNow();
    } finally {
      allReaders.forEach(PartitionReader::close);
    }
  }

  /** A worker's partition was abandoned because the run failed elsewhere; never reported. */
  static final class AbortedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AbortedException() {
      super("staging abandoned: the run failed or stopped elsewhere", null, false, false);
    }
  }
}
