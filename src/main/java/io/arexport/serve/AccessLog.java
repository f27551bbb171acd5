package io.arexport.serve;

import java.io.PrintStream;
import java.time.Clock;
import java.time.temporal.ChronoUnit;

/**
 * One line per request: {@code <time> <client> <method> <path> <status> <bytes> <ms>ms}, then
 * the reason in parentheses when a request was refused or cut short, e.g.
 * {@code 2026-01-05T10:00:00.123Z 127.0.0.1 GET /local/datasets/default/.arexport/lock 404 14 0ms
 * (hidden path)}. Bytes count the body actually sent. Characters outside printable ASCII in the
 * method or path are escaped, so a request cannot forge log lines.
 */
final class AccessLog {
  private final PrintStream out;
  private final Clock clock;

  AccessLog(PrintStream out, Clock clock) {
    this.out = out;
    this.clock = clock;
  }

  void record(String client, String method, String path, int status, long bytes, long millis,
      String note) {
    StringBuilder line = new StringBuilder(160)
        .append(clock.instant().truncatedTo(ChronoUnit.MILLIS)).append(' ')
        .append(client).append(' ')
        .append(printable(method, false)).append(' ')
        .append(printable(path, false)).append(' ')
        .append(status).append(' ')
        .append(bytes).append(' ')
        .append(millis).append("ms");
    if (note != null) {
      line.append(" (").append(printable(note, true)).append(')');
    }
    out.println(line);
  }

  static String printable(String text, boolean spaces) {
    StringBuilder escaped = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c > 0x20 && c < 0x7f || spaces && c == ' ') {
        escaped.append(c);
      } else {
        escaped.append(String.format("\\u%04x", (int) c));
      }
    }
    return escaped.toString();
  }
}
