package io.arexport.serve;

import java.util.List;

/**
 * What a GET sends of a file of a given size, decided by its {@code Range} header (RFC 9110
 * section 14): the whole file (200), one byte range (206), or nothing (416).
 *
 * <p>Only a single range in the {@code bytes} unit is honoured: {@code bytes=a-b}, {@code
 * bytes=a-} and {@code bytes=-n}. A Range header the server does not honour is ignored and the
 * whole file is sent with 200, as RFC 9110 allows: several ranges ({@code bytes=0-1,5-6}, or
 * several Range fields), another unit, and syntactically invalid values ({@code bytes=5-3},
 * {@code bytes=x-}). A valid single range that starts at or beyond the end of the file, or a
 * zero-length suffix ({@code bytes=-0}), is unsatisfiable: 416 with {@code Content-Range: bytes
 * *}{@code /size}. An empty file is always sent whole (it has no byte a range could select).
 */
sealed interface RangeSelection {
  /** The whole file, status 200. */
  record Whole() implements RangeSelection {}

  /** Bytes {@code first..last} (inclusive, within the file), status 206. */
  record Part(long first, long last) implements RangeSelection {
    long length() {
      return last - first + 1;
    }
  }

  /** No byte of the file matches the range, status 416. */
  record Unsatisfiable() implements RangeSelection {}

  RangeSelection WHOLE = new Whole();
  RangeSelection UNSATISFIABLE = new Unsatisfiable();

  /** The selection for the request's Range field values (null or empty: no Range header). */
  static RangeSelection of(List<String> rangeHeaders, long size) {
    if (rangeHeaders == null || rangeHeaders.size() != 1 || size == 0) {
      return WHOLE;
    }
    String value = rangeHeaders.get(0).trim();
    int equals = value.indexOf('=');
    if (equals < 0 || !value.substring(0, equals).trim().equalsIgnoreCase("bytes")) {
      return WHOLE;
    }
    String spec = value.substring(equals + 1).trim();
    int dash = spec.indexOf('-');
    if (spec.indexOf(',') >= 0 || dash < 0) {
      return WHOLE;
    }
    String firstText = spec.substring(0, dash).trim();
    String lastText = spec.substring(dash + 1).trim();
    if (firstText.isEmpty()) {
      long suffix = digits(lastText);
      if (suffix < 0) {
        return WHOLE;
      }
      return suffix == 0 ? UNSATISFIABLE : new Part(Math.max(0, size - suffix), size - 1);
    }
    long first = digits(firstText);
    long last = lastText.isEmpty() ? Long.MAX_VALUE : digits(lastText);
    if (first < 0 || last < first) {
      return WHOLE;
    }
    if (first >= size) {
      return UNSATISFIABLE;
    }
    return new Part(first, Math.min(last, size - 1));
  }

  /** A run of ASCII digits as a number, saturating at Long.MAX_VALUE; -1 if not digits. */
  private static long digits(String text) {
    if (text.isEmpty()) {
      return -1;
    }
    long value = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      int digit = c - '0';
      value = value > (Long.MAX_VALUE - digit) / 10 ? Long.MAX_VALUE : value * 10 + digit;
    }
    return value;
  }
}
