package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.export.PartitionResult;
import io.arexport.export.TableCounts;
import io.arexport.schema.ExportTable;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SampleDatabases.Spec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The three progress displays, driven with a hand-moved clock: the terminal bar (fitted to the
 * width, percent of the heights, rows/s, ETA, the partitions in flight), the plain lines scripts
 * read, and {@code --quiet}.
 */
class ConsoleProgressTest {
  private static final HeightRange RANGE = new HeightRange(100, 349);
  private static final Path JOB = Path.of("/w/staging/job-1");

  /** A clock the test moves by hand. */
  private static final class HandClock extends Clock {
    private Instant now = Instant.parse("2026-12-01T00:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
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

  private final HandClock clock = new HandClock();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private ConsoleProgress progress(ConsoleProgress.Mode mode, int columns) {
    return new ConsoleProgress(err, mode, columns, clock, "arexport export --resume", RANGE);
  }

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** The frames drawn: what each carriage return starts, without the erase-to-end escape. */
  private List<String> frames() {
    String out = output();
    return Arrays.stream(out.substring(out.indexOf('\r') + 1).split("\r"))
        .map(f -> f.replace("\033[K", ""))
        .map(f -> f.contains("\n") ? f.substring(0, f.indexOf('\n')) : f)
        .filter(f -> f.matches("[ \\d]{3}% \\[.*"))
        .toList();
  }

  private static PartitionResult result(HeightRange partition, long blocks, long tags) {
    Map<String, TableCounts> tables = new LinkedHashMap<>();
    tables.put("blocks", new TableCounts(blocks, 1, 1000));
    tables.put("transactions", new TableCounts(0, 0, 0));
    tables.put("tags", new TableCounts(tags, 1, 1000));
    return new PartitionResult(partition, tables, 0);
  }

  private static HeightRange partition(int i) {
    return RANGE.alignedPartitions(50).get(i);
  }

  @ParameterizedTest(name = "{0} columns")
  @ValueSource(ints = {40, 80, 120, 200})
  void barFramesNeverReachTheLastColumn(int columns) {
    ConsoleProgress bar = progress(ConsoleProgress.Mode.BAR, columns);
    bar.jobStarted("job-1", JOB, false, 5);
    for (int i = 0; i < 5; i++) {
      for (int tick = 1; tick <= 3; tick++) {
        clock.advance(Duration.ofSeconds(1));
        bar.rowsWritten(partition(i), ExportTable.TAGS, tick * 10_000L);
      }
      bar.partitionDone(result(partition(i), 50, 30_000), i + 1, 5);
    }
    bar.finished();

    assertThat(frames()).hasSizeGreaterThan(15)
        .allSatisfy(f -> assertThat(f.length()).as(f).isLessThan(columns));
    if (columns >= 80) {
      assertThat(frames()).allSatisfy(f -> assertThat(f).contains("rows/s").contains("ETA"));
    }
  }

  @Test
  void barShowsPercentOfHeightsRowsPerSecondEtaAndTheCurrentPartition() {
    ConsoleProgress bar = progress(ConsoleProgress.Mode.BAR, 100);
    bar.jobStarted("job-1", JOB, false, 5);
    assertThat(output()).startsWith("arexport: starting job job-1, 5 partitions in the range");
    assertThat(frames().get(frames().size() - 1)).startsWith("  0% [>");

    clock.advance(Duration.ofSeconds(10));
    bar.rowsWritten(partition(0), ExportTable.TAGS, 20_000);
    assertThat(last()).contains(" 0/5 height=100-149 | 2,000 rows/s | ETA unknown");

    clock.advance(Duration.ofSeconds(10));
    bar.partitionDone(result(partition(0), 50, 39_950), 1, 5);
    // 50 of 250 heights in 20 s: 20 %, 40,000 rows / 20 s, 4 partitions left at 20 s each.
    assertThat(last()).startsWith(" 20% [").contains(" 1/5 | 2,000 rows/s | ETA 0:01:20")
        .doesNotContain("height=");
    String full = last();
    int inside = full.indexOf(']') - full.indexOf('[') - 1;
    long filled = full.chars().filter(c -> c == '=').count();
    assertThat(filled).isEqualTo(inside / 5);

    clock.advance(Duration.ofSeconds(20));
    bar.partitionDone(result(partition(1), 50, 0), 2, 5);
    bar.partitionDone(result(partition(2), 50, 0), 3, 5);
    assertThat(last()).startsWith(" 60% [");
    assertThat(output()).doesNotContain("\n[");

    clock.advance(Duration.ofSeconds(20));
    bar.partitionDone(result(partition(4), 50, 9_850), 5, 5);
    assertThat(last()).startsWith("100% [").contains("ETA 0.0 s");
    // The last partition closes the bar at once (the Iceberg commit logs come after it) ...
    assertThat(output()).endsWith("\r\033[Karexport: 4 partitions written, 50,000 rows in"
        + " 0:01:00 (833 rows/s)\n");
    // ... and finished() does not repeat it.
    int length = output().length();
    bar.finished();
    assertThat(output()).hasSize(length);
  }

  @Test
  void aRangeEndingInEmptyPartitionsIsClosedByFinished() {
    ConsoleProgress bar = progress(ConsoleProgress.Mode.BAR, 100);
    bar.jobStarted("job-1", JOB, false, 5);
    clock.advance(Duration.ofSeconds(4));
    bar.partitionDone(result(partition(0), 50, 1_950), 1, 5);
    assertThat(output()).doesNotContain("written");

    bar.finished();
    assertThat(output()).endsWith("\r\033[Karexport: 1 partition written, 2,000 rows in"
        + " 4.0 s (500 rows/s)\n");
  }

  @Test
  void partitionsInFlightTogetherShowTheLowestAndHowManyMore() {
    ConsoleProgress bar = progress(ConsoleProgress.Mode.BAR, 120);
    bar.jobStarted("job-1", JOB, false, 5);
    clock.advance(Duration.ofSeconds(1));
    bar.rowsWritten(partition(1), ExportTable.BLOCKS, 10_000);
    clock.advance(Duration.ofSeconds(1));
    bar.rowsWritten(partition(0), ExportTable.TAGS, 10_000);
    clock.advance(Duration.ofSeconds(1));
    bar.rowsWritten(partition(2), ExportTable.TAGS, 10_000);
    assertThat(last()).contains("height=100-149 +2 | 10,000 rows/s");

    bar.partitionDone(result(partition(0), 50, 9_950), 1, 5);
    assertThat(last()).contains("height=150-199 +1");
  }

  @Test
  void barIsRedrawnAtMostFiveTimesASecondBetweenPartitions() {
    ConsoleProgress bar = progress(ConsoleProgress.Mode.BAR, 80);
    bar.jobStarted("job-1", JOB, false, 5);
    int before = frames().size();
    // A partition that starts is drawn at once (a small one ends before the next redraw) ...
    bar.rowsWritten(partition(0), ExportTable.BLOCKS, 0);
    assertThat(frames()).hasSize(before + 1);
    assertThat(last()).contains("height=100-149");
    // ... its rows at most five times a second.
    for (int tick = 1; tick <= 1000; tick++) {
      bar.rowsWritten(partition(0), ExportTable.TAGS, tick * 10_000L);
    }
    assertThat(frames()).hasSize(before + 1);
    clock.advance(ConsoleProgress.REDRAW_INTERVAL);
    bar.rowsWritten(partition(0), ExportTable.TAGS, 20_000_000L);
    assertThat(frames()).hasSize(before + 2);
    assertThat(last()).contains("height=100-149");
  }

  @Test
  void failureClearsTheBarAndPrintsTheResumeCommand() {
    ConsoleProgress bar = progress(ConsoleProgress.Mode.BAR, 80);
    bar.jobStarted("job-1", JOB, false, 5);
    bar.rowsWritten(partition(0), ExportTable.TAGS, 10_000);
    bar.jobKept(JOB);

    assertThat(output()).endsWith("\r\033[Karexport: staging kept in " + JOB
        + "; resume with: arexport export --resume\n");
  }

  @Test
  void plainLinesAreOnePerPartitionWithoutEscapes() {
    ConsoleProgress lines = progress(ConsoleProgress.Mode.LINES, 80);
    lines.jobStarted("job-1", JOB, false, 5);
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(2));
      lines.rowsWritten(partition(i), ExportTable.TAGS, 10_000);
      lines.partitionDone(result(partition(i), 50, 9_950), i + 1, 5);
    }
    lines.finished();

    assertThat(output()).doesNotContain("\r").doesNotContain("\033");
    List<String> out = output().lines().toList();
    assertThat(out).hasSize(6);
    assertThat(out.get(1)).isEqualTo("[1/5] height=100-149 blocks=50 transactions=0"
        + " tags=9,950 | 5,000 rows/s | ETA 8.0 s");
    assertThat(out.get(5)).isEqualTo("[5/5] height=300-349 blocks=50 transactions=0"
        + " tags=9,950 | 5,000 rows/s | done in 10.0 s");
  }

  @Test
  void plainLinesShowTheRunsPaceWhenPartitionsFinishInABurst() {
    // --threads 2: two partitions staged side by side are published one right after the other.
    ConsoleProgress lines = progress(ConsoleProgress.Mode.LINES, 80);
    lines.jobStarted("job-1", JOB, false, 5);
    clock.advance(Duration.ofSeconds(4));
    lines.partitionDone(result(partition(0), 50, 9_950), 1, 5);
    clock.advance(Duration.ofMillis(1));
    lines.partitionDone(result(partition(1), 50, 9_950), 2, 5);

    List<String> out = output().lines().toList();
    assertThat(out.get(1)).contains(" | 2,500 rows/s | ");
    // 20,000 rows in 4.001 s, not 10,000 rows in the millisecond since the previous line.
    assertThat(out.get(2)).contains(" | 4,999 rows/s | ");
  }

  @Test
  void quietPrintsNoProgressButStillTheResumeLineOfAFailure() {
    ConsoleProgress quiet = progress(ConsoleProgress.Mode.QUIET, 80);
    // A --resume that found nothing re-exports the whole range: said even when quiet.
    quiet.noJobToResume(JOB.getParent());
    assertThat(output()).isEqualTo("arexport: no unfinished job with these parameters in "
        + JOB.getParent() + "; starting a new job\n");
    bytes.reset();
    quiet.jobStarted("job-1", JOB, false, 5);
    quiet.rowsWritten(partition(0), ExportTable.TAGS, 10_000);
    quiet.partitionDone(result(partition(0), 50, 9_950), 1, 5);
    quiet.finished();
    assertThat(output()).isEmpty();

    quiet.jobKept(JOB);
    assertThat(output()).isEqualTo("arexport: staging kept in " + JOB
        + "; resume with: arexport export --resume\n");
  }

  @Test
  void modeFollowsQuietThenTheTerminal() {
    assertThat(ConsoleProgress.mode(true, true)).isEqualTo(ConsoleProgress.Mode.QUIET);
    assertThat(ConsoleProgress.mode(true, false)).isEqualTo(ConsoleProgress.Mode.QUIET);
    assertThat(ConsoleProgress.mode(false, true)).isEqualTo(ConsoleProgress.Mode.BAR);
    assertThat(ConsoleProgress.mode(false, false)).isEqualTo(ConsoleProgress.Mode.LINES);
  }

  @Test
  void quietExportPrintsNothingOnStderrButTheSummaryOnStdout(@TempDir Path work)
      throws Exception {
    SampleDatabases.generate(Spec.small(), work.resolve("core.db"), work.resolve("bundles.db"));
    ExportArgs paths = ExportArgs.of(work, work.resolve("run"));

    Cli.Result run = Cli.run(paths.export(100, 349, 50, "--quiet"));

    assertThat(run.status()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out()).startsWith("exported heights 100-349 (5 partitions)");

    Cli.Result failed = Cli.run(ExportArgs.of(work.resolve("missing"), work.resolve("run2"))
        .export(100, 349, 50, "-q"));
    assertThat(failed.status()).isEqualTo(2);
    assertThat(failed.errLines()).singleElement().asString().startsWith("arexport: ")
        .contains("missing");
  }

  private String last() {
    List<String> frames = frames();
    return frames.get(frames.size() - 1);
  }
}
