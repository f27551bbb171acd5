package io.arexport.iceberg;

import io.arexport.HeightRange;
import io.arexport.export.FaultPoints;
import io.arexport.parquet.Compression;
import io.arexport.parquet.PartitionFileWriter;
import io.arexport.parquet.StagedFile;
import io.arexport.schema.ExportTable;
import io.arexport.warehouse.PartitionCommitter;
import io.arexport.warehouse.StagedPartition;
import io.arexport.warehouse.WarehouseLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.hadoop.HadoopTables;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The history-growth benchmark ({@code scripts/bench-iceberg-history}): 1,000 incremental
 * commits of the {@code blocks} table through arexport's own publish path (Parquet writer,
 * {@link PartitionCommitter}, {@link MetadataWriter#syncExistingTables}, which also runs the
 * interval maintenance), in process, with a clock that advances one hour per commit like an
 * hourly cron. It compares, over the 24 commits ending at commit 100 and at commit 1,000 (each
 * window holds exactly one daily maintenance), the mean size of the metadata directory, the
 * median commit time and the median planning time of a reader (Iceberg's {@code HadoopTables},
 * load + {@code planFiles()}).
 *
 * <p>Two shapes: {@code tip} re-exports the partial tip partition every hour (30 heights an hour,
 * P = 1000: what {@code sync} does), {@code append} adds a new complete partition every commit (P
 * = 30), the case where only retention bounds the history.
 */
public final class HistoryGrowthBench {
  private static final int WINDOW = 24;

  private final Path work;
  private final String mode;
  private final int commits;
  private final SimulatedClock clock = new SimulatedClock(Instant.now());
  private final Random random = new Random(1);

  HistoryGrowthBench(Path work, String mode, int commits) {
    this.work = work;
    this.mode = mode;
    this.commits = commits;
  }

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args.length > 0 ? args[0] : "build/bench/history");
    int commits = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    List<String> modes = args.length > 2 ? List.of(args[2].split(",")) : List.of("tip", "append");
    System.out.printf("%-7s %-6s %14s %8s %12s %10s %9s %10s %10s%n", "shape", "commit",
        "metadata bytes", "files", "vN.json bytes", "commit ms", "plan ms", "snapshots",
        "live files");
    for (String mode : modes) {
      new HistoryGrowthBench(work.resolve(mode), mode, commits).run();
    }
  }

  /** One window's figures. */
  private record Window(int endCommit, double metadataBytes, double metadataFiles,
      double currentVersionBytes, double commitMillis, double planMillis, int snapshots,
      int liveFiles) {}

  void run() throws Exception {
    deleteRecursively(work);
    WarehouseLayout layout = new WarehouseLayout(work.resolve("warehouse"));
    Files.createDirectories(layout.root());
    MetadataWriter writer = new MetadataWriter(clock, ProcessHandle.current().pid(),
        FaultPoints.NONE);
    List<Window> windows = new ArrayList<>();
    List<double[]> samples = new ArrayList<>();
    long tip = -1;
    for (int commit = 1; commit <= commits; commit++) {
      clock.advance(Duration.ofHours(1));
      long hi = 30L * commit - 1;
      long partitionSize = mode.equals("tip") ? 1000 : 30;
      long start = ((tip + 1) / partitionSize) * partitionSize;
      PartitionCommitter committer = new PartitionCommitter(layout);
      for (long s = start; s <= hi; s += partitionSize) {
        HeightRange partition = new HeightRange(s, Math.min(s + partitionSize - 1, hi));
        Path staged = work.resolve("staging").resolve("c" + commit).resolve(
            partition.directoryName());
        committer.commit(partition, Map.of(ExportTable.BLOCKS,
            stage(partition, staged, partitionSize, commit)));
        committer.finish();
      }
      tip = hi;
      long t0 = System.nanoTime();
      if (commit == 1) {
        writer.run(MetadataRequest.of(layout.root(), null, List.of("blocks")));
      } else {
        writer.syncExistingTables(layout);
      }
      double commitMillis = (System.nanoTime() - t0) / 1e6;
      if (inWindow(commit)) {
        samples.add(new double[] {metadataBytes(layout), metadataFiles(layout), commitMillis,
            planMillis(layout), currentVersionBytes(layout)});
      }
      if ((commit == 100 || commit == commits) && !samples.isEmpty()) {
        Window window = summarize(commit, samples, layout);
        windows.add(window);
        print(window);
        samples.clear();
      }
      if (commit % 250 == 0) {
        System.err.printf("%s: %d commits%n", mode, commit);
      }
    }
    if (windows.size() == 2) {
      Window a = windows.get(0);
      Window b = windows.get(1);
      System.out.printf("%-7s %-6s %14.2f %8.2f %12.2f %10.2f %9.2f %10.2f %10.2f%n", mode,
          "ratio", b.metadataBytes() / a.metadataBytes(), b.metadataFiles() / a.metadataFiles(),
          b.currentVersionBytes() / a.currentVersionBytes(),
          b.commitMillis() / a.commitMillis(), b.planMillis() / a.planMillis(),
          (double) b.snapshots() / a.snapshots(), (double) b.liveFiles() / a.liveFiles());
    }
  }

  private boolean inWindow(int commit) {
    return (commit > 100 - WINDOW && commit <= 100) || (commit > commits - WINDOW);
  }

  private Window summarize(int commit, List<double[]> samples, WarehouseLayout layout) {
    return new Window(commit, mean(samples, 0), mean(samples, 1), mean(samples, 4),
        median(samples, 2), median(samples, 3), snapshotCount(layout), liveFiles(layout));
  }

  private void print(Window w) {
    System.out.printf("%-7s %-6d %14.0f %8.1f %12.0f %10.2f %9.2f %10d %10d%n", mode,
        w.endCommit(), w.metadataBytes(), w.metadataFiles(), w.currentVersionBytes(),
        w.commitMillis(), w.planMillis(), w.snapshots(), w.liveFiles());
  }

  /** Writes the partition's rows (one block per height) as export would, into staging. */
  private StagedPartition stage(HeightRange partition, Path dir, long partitionSize, int commit) {
    String runId = String.format("20260101T%09d_%d", commit, 1);
    try (PartitionFileWriter writer = new PartitionFileWriter(ExportTable.BLOCKS, partition, dir,
        runId, partitionSize, 1_000_000, Compression.parse("zstd"))) {
      for (long height = partition.start(); height <= partition.end(); height++) {
        writer.add(block(height));
      }
      List<StagedFile> files = writer.finish();
      return new StagedPartition(dir, files.stream().map(StagedFile::path).toList());
    }
  }

  private Record block(long height) {
    Record row = GenericRecord.create(ExportTable.BLOCKS.schema());
    row.setField("indep_hash", bytes(48));
    row.setField("height", height);
    row.setField("previous_block", bytes(48));
    row.setField("nonce", bytes(32));
    row.setField("hash", bytes(48));
    row.setField("block_timestamp", 1_700_000_000L + height * 120);
    row.setField("tx_count", random.nextInt(500));
    row.setField("block_size", (long) random.nextInt(10_000_000));
    return row;
  }

  private ByteBuffer bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return ByteBuffer.wrap(b);
  }

  /** A reader's planning: load through HadoopTables, plan every file of the current snapshot. */
  private static double planMillis(WarehouseLayout layout) {
    long t0 = System.nanoTime();
    Table table = new HadoopTables(new Configuration())
        .load(layout.tableDir(ExportTable.BLOCKS).toString());
    int files = 0;
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask ignored : tasks) {
        files++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (files == 0) {
      throw new IllegalStateException("planned no file");
    }
    return (System.nanoTime() - t0) / 1e6;
  }

  private static int snapshotCount(WarehouseLayout layout) {
    Table table = new HadoopTables(new Configuration())
        .load(layout.tableDir(ExportTable.BLOCKS).toString());
    int n = 0;
    for (var ignored : table.snapshots()) {
      n++;
    }
    return n;
  }

  private static long currentVersionBytes(WarehouseLayout layout) {
    return layout.metadataDir(ExportTable.BLOCKS).resolve("metadata.json").toFile().length();
  }

  private static int liveFiles(WarehouseLayout layout) {
    Table table = new HadoopTables(new Configuration())
        .load(layout.tableDir(ExportTable.BLOCKS).toString());
    int n = 0;
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask ignored : tasks) {
        n++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }

  private static long metadataBytes(WarehouseLayout layout) {
    try (Stream<Path> files = Files.list(layout.metadataDir(ExportTable.BLOCKS))) {
      return files.mapToLong(f -> f.toFile().length()).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long metadataFiles(WarehouseLayout layout) {
    try (Stream<Path> files = Files.list(layout.metadataDir(ExportTable.BLOCKS))) {
      return files.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double mean(List<double[]> samples, int i) {
    return samples.stream().mapToDouble(s -> s[i]).average().orElse(Double.NaN);
  }

  private static double median(List<double[]> samples, int i) {
    double[] values = samples.stream().mapToDouble(s -> s[i]).sorted().toArray();
    return values.length % 2 == 1 ? values[values.length / 2]
        : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** A clock that the benchmark moves forward, one hour per commit. */
  private static final class SimulatedClock extends Clock {
    private Instant now;

    SimulatedClock(Instant start) {
      this.now = start;
    }

    void advance(Duration step) {
      now = now.plus(step);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
