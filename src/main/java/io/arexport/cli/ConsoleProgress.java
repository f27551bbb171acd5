package io.arexport.cli;

import io.arexport.HeightRange;
import io.arexport.export.ExportListener;
import io.arexport.export.PartitionResult;
import io.arexport.export.TableCounts;
import io.arexport.schema.ExportTable;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Export progress on stderr: a line per partition (rows per table, rows/s, ETA); on a terminal
 * also a live line rewritten while a partition is written.
 */
final class ConsoleProgress implements ExportListener {
  private final PrintStream err;
  private final boolean live;
  private final Clock clock;
  private final String resumeCommand;
  private Instant jobStart;
  private Instant partitionStart;
  private long rowsSoFar;
  private boolean liveLineShown;

  ConsoleProgress(PrintStream err, boolean live, Clock clock, String resumeCommand) {
    this.err = err;
    this.live = live;
    this.clock = clock;
    this.resumeCommand = resumeCommand;
  }

  @Override
  public void noJobToResume(Path stagingDir) {
    err.println("arexport: no unfinished job with these parameters in " + stagingDir
        + "; starting a new job");
  }

  @Override
  public void jobStarted(String jobId, Path jobDir, boolean resumed, long partitions) {
    jobStart = clock.instant();
    partitionStart = jobStart;
    err.printf("arexport: %s job %s, %,d partition%s in the range (staging %s)%n",
        resumed ? "resuming" : "starting", jobId, partitions, partitions == 1 ? "" : "s", jobDir);
  }

  @Override
  public void rowsWritten(HeightRange partition, ExportTable table, long rows) {
    if (!live) {
      return;
    }
    err.printf("\r  height=%s %s: %,d rows...\033[K", partition, table.tableName(), rows);
    liveLineShown = true;
  }

  @Override
  public void partitionDone(PartitionResult result, long done, long total) {
    Instant now = clock.instant();
    Duration partitionTime = Duration.between(partitionStart, now);
    Duration elapsed = Duration.between(jobStart, now);
    partitionStart = now;
    rowsSoFar += result.rows();
    double seconds = Math.max(partitionTime.toMillis(), 1) / 1000.0;
    // Empty partitions are skipped in a blink, so this overestimates on sparse ranges; in double
    // because a range may span up to 2^63 partitions.
    double etaMillis = done == 0 ? 0 : (double) elapsed.toMillis() / done * (total - done);
    if (liveLineShown) {
      err.print("\r\033[K");
      liveLineShown = false;
    }
    StringBuilder line = new StringBuilder();
    line.append(String.format("[%d/%d] height=%s", done, total, result.partition()));
    for (Map.Entry<String, TableCounts> table : result.tables().entrySet()) {
      line.append(String.format(" %s=%,d", table.getKey(), table.getValue().rows()));
    }
    line.append(String.format(" | %,.0f rows/s | %s", result.rows() / seconds,
        done == total ? "done in " + SummaryText.duration(elapsed) : "ETA "
            + (etaMillis > 1e12 ? "unknown" : SummaryText.duration(
                Duration.ofMillis((long) etaMillis)))));
    if (result.skippedDanglingTags() > 0) {
      line.append(String.format(" | %,d dangling tags skipped", result.skippedDanglingTags()));
    }
    err.println(line);
  }

  @Override
  public void jobKept(Path jobDir) {
    if (liveLineShown) {
      err.println();
      liveLineShown = false;
    }
    err.println("arexport: staging kept in " + jobDir + "; resume with: " + resumeCommand);
  }
}
