package io.arexport.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.testing.ChildJvm;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SampleDatabases.Spec;
import io.arexport.testing.SourceOracle;
import io.arexport.testing.WarehouseReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows stream from SQLite to Parquet without being collected: over a million tag rows in one
 * partition export in a child JVM limited to the heap scripts/arexport gives an export with
 * {@code --threads 1} (168 MiB, parallel collector), and every row arrives (counted with DuckDB
 * against the SQLite source), split into files of at most the default 1,000,000 rows.
 */
class MemoryBoundTest {
  private static final long DEFAULT_MAX_FILE_ROWS = 1_000_000;

  @Test
  void millionTagRowsInOnePartitionWithSmallHeap(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(work.resolve("sources"), work);
    // 100 heights x 10 bundles x 100 items x ~11 tags: ~1.05 million tag rows.
    SampleDatabases.Stats stats = SampleDatabases.generate(new Spec(7, 0, 99, 10, 100, 11),
        paths.coreDb(), paths.bundlesDb());
    assertThat(stats.dataItemTags()).isGreaterThan(1_000_000);
    HeightRange range = new HeightRange(0, 99);

    int status;
    String err;
    long peakRssKib;
    try (ChildJvm child = ChildJvm.start(List.of("-Xmx168m", "-XX:+UseParallelGC"), Map.of(), work,
        paths.export(range.start(), range.end(), 1000))) {
      peakRssKib = watchPeakRss(child);
      status = child.waitFor(120);
      err = child.err();
    }
    if (peakRssKib > 0) {
      System.out.printf("export child (-Xmx168m): peak RSS %,d KiB%n", peakRssKib);
    }

    assertThat(status).as(err).isZero();
    try (SourceOracle source = new SourceOracle(paths.coreDb(), paths.bundlesDb());
        WarehouseReader duckdb = new WarehouseReader()) {
      long expected = source.count("tags", range, false, false);
      assertThat(expected).isGreaterThan(DEFAULT_MAX_FILE_ROWS);
      Map<HeightRange, List<Path>> files = WarehouseReader.files(paths.warehouseDir(), "tags");
      assertThat(files.keySet()).as("one partition").containsExactly(range);
      long actual = 0;
      for (Path file : files.get(range)) {
        long rows = Long.parseLong(duckdb.query("SELECT count(*) FROM read_parquet('"
            + file + "')").get(0));
        assertThat(rows).as(file.getFileName().toString())
            .isPositive().isLessThanOrEqualTo(DEFAULT_MAX_FILE_ROWS);
        actual += rows;
      }
      assertThat(files.get(range)).as("split at maxFileRows").hasSizeGreaterThan(1);
      assertThat(actual).as("tag rows").isEqualTo(expected);
      assertThat(Long.parseLong(duckdb.query("SELECT count(*) FROM read_parquet('"
          + paths.warehouseDir().resolve("transactions/data/*/*.parquet") + "')").get(0)))
          .as("transaction rows").isEqualTo(source.count("transactions", range, false, false));
    }
  }

  /** Polls the child's VmHWM (peak resident set) until it exits; 0 where /proc is unavailable. */
  private static long watchPeakRss(ChildJvm child) throws InterruptedException {
    Path status = Path.of("/proc", Long.toString(child.pid()), "status");
    long peak = 0;
    while (Files.isReadable(status)) {
      try {
        for (String line : Files.readAllLines(status)) {
          if (line.startsWith("VmHWM:")) {
            peak = Math.max(peak, Long.parseLong(line.replaceAll("\\D", "")));
          }
        }
      } catch (Exception e) {
        break; // the process is gone
      }
      Thread.sleep(100);
    }
    return peak;
  }
}
