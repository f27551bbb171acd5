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
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Export progress on stderr, in one of three {@link Mode}s: a live progress bar on a terminal,
 * one plain line per partition otherwise (scripts and tests read these), nothing with
 * {@code --quiet}. Whatever the mode, the "staging kept, resume with" line of a failed run is
 * printed: it belongs to the error.
 *
 * <p>Thread-safe: with partitions exported in parallel, {@link #rowsWritten} arrives from
 * several threads, {@link #partitionDone} in height order.
 */
final class ConsoleProgress implements ExportListener {
  /** How progress is shown. */
  enum Mode {
    /** One line rewritten in place: percent of the heights, rows/s, ETA, current partition. */
    BAR,
    /** One line per partition, as {@code [done/total] height=S-E table=rows ... | rows/s | ETA}. */
    LINES,
    /** No progress at all. */
    QUIET
  }

  /** The bar is redrawn at most this often between partitions (rows arrive much faster). */
  static final Duration REDRAW_INTERVAL = Duration.ofMillis(200);
  private static final int MIN_BAR = 10;

  private final PrintStream err;
  private final Mode mode;
  private final int columns;
  private final Clock clock;
  private final String resumeCommand;
  /** The heights of the run, for the bar's percentage; null when unknown (partitions count). */
  private final HeightRange range;

  private Instant jobStart;
  private Instant lastDraw;
  private long position;
  private long total;
  private HeightRange lastDone;
  private long rowsDone;
  private long written;
  private long danglingTags;
  private final Map<Long, Map<ExportTable, Long>> inFlight = new TreeMap<>();
  private final Map<Long, HeightRange> inFlightRanges = new TreeMap<>();
  private boolean barShown;
  private boolean closed;

  /**
   * @param columns the terminal's width; the bar never reaches the last column (a terminal may
   *     wrap there, which breaks rewriting the line in place)
   * @param range the heights of the run, or null
   */
  ConsoleProgress(PrintStream err, Mode mode, int columns, Clock clock, String resumeCommand,
      HeightRange range) {
    this.err = err;
    this.mode = mode;
    this.columns = Math.max(columns, 20);
    this.clock = clock;
    this.resumeCommand = resumeCommand;
    this.range = range;
  }

  /** The mode for this process: quiet when asked, a bar when stderr is a terminal, else lines. */
  static Mode mode(boolean quiet, boolean stderrIsTerminal) {
    return quiet ? Mode.QUIET : stderrIsTerminal ? Mode.BAR : Mode.LINES;
  }

  /**
   * Said even with {@code --quiet}: a cron job's {@code --resume} that finds nothing (another
   * {@code --stagingDir}, other settings) exports its whole range again, which its log should show.
   */
  @Override
  public synchronized void noJobToResume(Path stagingDir) {
    err.println("arexport: no unfinished job with these parameters in " + stagingDir
        + "; starting a new job");
  }

  @Override
  public synchronized void jobStarted(String jobId, Path jobDir, boolean resumed,
      long partitions) {
    jobStart = clock.instant();
    total = partitions;
    if (mode != Mode.QUIET) {
      err.printf("arexport: %s job %s, %,d partition%s in the range (staging %s)%n",
          resumed ? "resuming" : "starting", jobId, partitions, partitions == 1 ? "" : "s", jobDir);
    }
    if (mode == Mode.BAR) {
      draw();
    }
  }

  @Override
  public synchronized void rowsWritten(HeightRange partition, ExportTable table, long rows) {
    if (mode != Mode.BAR) {
      return;
    }
    inFlight.computeIfAbsent(partition.start(), k -> new EnumMap<>(ExportTable.class))
        .put(table, rows);
    // A partition that starts is shown at once: a small one is done before the next redraw.
    boolean started = inFlightRanges.put(partition.start(), partition) == null;
    Instant now = clock.instant();
    if (started || lastDraw == null || !now.isBefore(lastDraw.plus(REDRAW_INTERVAL))) {
      draw();
    }
  }

  @Override
  public synchronized void partitionDone(PartitionResult result, long done, long total) {
    Instant now = clock.instant();
    position = done;
    this.total = total;
    lastDone = result.partition();
    rowsDone += result.rows();
    written++;
    danglingTags += result.skippedDanglingTags();
    inFlight.remove(result.partition().start());
    inFlightRanges.remove(result.partition().start());
    switch (mode) {
      case BAR -> {
        draw();
        if (done == total) {
          // The closing line now, not after the Iceberg commit: its log lines must not land on
          // the bar's line.
          finished();
        }
      }
      case LINES -> err.println(partitionLine(result, Duration.between(jobStart, now)));
      case QUIET -> { }
    }
  }

  /**
   * The run is over: the bar gives way to one closing line (once; the last partition of the run
   * already closes it). Call it before the summary goes to stdout (the two may share a
   * terminal): when the range ends in empty partitions, no callback says the last one is done.
   */
  synchronized void finished() {
    if (mode != Mode.BAR || jobStart == null || closed) {
      return;
    }
    closed = true;
    clearBar();
    Duration elapsed = Duration.between(jobStart, clock.instant());
    // Partitions with rows, not positions: a range may end in empty partitions, skipped unseen.
    StringBuilder line = new StringBuilder(String.format(
        "arexport: %,d partition%s written, %,d rows in %s (%,.0f rows/s)", written,
        written == 1 ? "" : "s", rowsDone, SummaryText.duration(elapsed),
        rowsDone / seconds(elapsed)));
    if (danglingTags > 0) {
      line.append(String.format(", %,d dangling tags skipped", danglingTags));
    }
    err.println(line);
  }

  @Override
  public synchronized void jobKept(Path jobDir) {
    clearBar();
    err.println("arexport: staging kept in " + jobDir + "; resume with: " + resumeCommand);
  }

  private String partitionLine(PartitionResult result, Duration elapsed) {
    StringBuilder line = new StringBuilder();
    line.append(String.format("[%d/%d] height=%s", position, total, result.partition()));
    for (Map.Entry<String, TableCounts> table : result.tables().entrySet()) {
      line.append(String.format(" %s=%,d", table.getKey(), table.getValue().rows()));
    }
    // The run's pace so far, as the bar shows it: with several partitions in flight they finish
    // in bursts, and one partition's rows over the time since the previous one finished would
    // read as millions of rows per second.
    line.append(String.format(" | %,.0f rows/s | %s", rowsDone / seconds(elapsed),
        position == total ? "done in " + SummaryText.duration(elapsed) : "ETA " + eta(elapsed)));
    if (result.skippedDanglingTags() > 0) {
      line.append(String.format(" | %,d dangling tags skipped", result.skippedDanglingTags()));
    }
    return line.toString();
  }

  private void draw() {
    lastDraw = clock.instant();
    err.print("\r" + barLine() + "\033[K");
    err.flush();
    barShown = true;
  }

  private void clearBar() {
    if (barShown) {
      err.print("\r\033[K");
      err.flush();
      barShown = false;
    }
  }

  /** The bar as drawn now, never wider than {@code columns - 1}. */
  synchronized String barLine() {
    Duration elapsed = Duration.between(jobStart, clock.instant());
    double fraction = fraction();
    long rows = rowsDone;
    for (Map<ExportTable, Long> tables : inFlight.values()) {
      for (long tableRows : tables.values()) {
        rows += tableRows;
      }
    }
    StringBuilder status = new StringBuilder(String.format(" %,d/%,d", position, total));
    if (!inFlightRanges.isEmpty()) {
      status.append(" height=").append(inFlightRanges.values().iterator().next());
      if (inFlightRanges.size() > 1) {
        status.append(" +").append(inFlightRanges.size() - 1);
      }
    }
    status.append(String.format(" | %,.0f rows/s | ETA %s", rows / seconds(elapsed),
        eta(elapsed)));
    String percent = String.format("%3d%% ", (int) Math.floor(fraction * 100));
    int width = columns - 1;
    int barWidth = width - percent.length() - 2 - status.length();
    if (barWidth < MIN_BAR) {
      barWidth = MIN_BAR;
    }
    int filled = (int) Math.floor(fraction * barWidth);
    StringBuilder bar = new StringBuilder(percent).append('[');
    for (int i = 0; i < barWidth; i++) {
      bar.append(i < filled ? '=' : i == filled ? '>' : ' ');
    }
    bar.append(']').append(status);
    return bar.length() > width ? bar.substring(0, width) : bar.toString();
  }

  /** Of the run's heights, how much is in the warehouse; partitions when heights are unknown. */
  private double fraction() {
    if (lastDone == null) {
      return 0;
    }
    if (range != null && range.contains(lastDone)) {
      // In double: a range may span nearly 2^63 heights.
      return Math.min(1, ((double) lastDone.end() - range.start() + 1)
          / ((double) range.end() - range.start() + 1));
    }
    return total == 0 ? 1 : Math.min(1, (double) position / total);
  }

  /**
   * Time left at the pace so far. Empty partitions are skipped in a blink, so this overestimates
   * on sparse ranges; in double because a range may span up to 2^63 partitions.
   */
  private String eta(Duration elapsed) {
    if (position == 0) {
      return "unknown";
    }
    double millis = (double) elapsed.toMillis() / position * (total - position);
    return millis > 1e12 ? "unknown" : SummaryText.duration(Duration.ofMillis((long) millis));
  }

  private static double seconds(Duration duration) {
    return Math.max(duration.toMillis(), 1) / 1000.0;
  }
}
