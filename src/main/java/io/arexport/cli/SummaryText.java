package io.arexport.cli;

import io.arexport.export.ExportSummary;
import io.arexport.export.TableCounts;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;

/** The human-readable run summary printed on stdout. */
final class SummaryText {
  private SummaryText() {}

  static void print(ExportSummary summary, PrintStream out) {
    out.printf("exported heights %d-%d (%d partition%s%s) into %s in %s%n",
        summary.startHeight(), summary.endHeight(), summary.partitions(),
        summary.partitions() == 1 ? "" : "s", summary.resumed() ? ", resumed" : "",
        summary.warehouse(), duration(Duration.ofMillis(summary.durationMillis())));
    for (Map.Entry<String, TableCounts> table : summary.tables().entrySet()) {
      TableCounts counts = table.getValue();
      out.printf("  %-13s %,14d %-4s %,6d %-5s %12s%n", table.getKey(), counts.rows(),
          plural(counts.rows(), "row"), counts.files(), plural(counts.files(), "file"),
          bytes(counts.bytes()));
    }
    out.printf("  skipped dangling tags: %,d%n", summary.skippedDanglingTags());
    if (summary.icebergCommitted()) {
      out.println("  iceberg metadata committed");
    }
  }

  /** {@code noun}, or its plural for any count but one ("1 file", "0 files"). */
  static String plural(long count, String noun) {
    return count == 1 ? noun : noun + "s";
  }

  static String duration(Duration duration) {
    long seconds = duration.toSeconds();
    if (seconds < 60) {
      return String.format("%.1f s", duration.toMillis() / 1000.0);
    }
    return String.format("%d:%02d:%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60);
  }

  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format("%.1f %s", value, units[unit]);
  }
}
