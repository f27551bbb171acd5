package io.arexport.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A directory listing, as the gateway's {@code /local/datasets} endpoint (Express serve-index)
 * offers it: HTML by default, a JSON array of entry names for {@code Accept: application/json},
 * names one per line for {@code Accept: text/plain}; directories first, then by name ignoring
 * case. Entries a request would refuse (dotfiles, temporary files, staging, links leading out of
 * the warehouse or onto hidden paths, anything neither file nor directory) are never listed.
 */
final class DirectoryListing {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter MODIFIED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);
  private static final String[] FORMATS = {"text/html", "application/json", "text/plain"};

  /** One listed entry. */
  record Entry(String name, boolean directory, long size, Instant modified) {}

  /** A rendered listing: its content type and body. */
  record Rendered(String contentType, byte[] body) {}

  private DirectoryListing() {}

  /** The entries of {@code directory} that may be shown, sorted. */
  static List<Entry> entries(WarehousePaths paths, Path directory) throws IOException {
    List<Entry> entries = new ArrayList<>();
    try (DirectoryStream<Path> children = Files.newDirectoryStream(directory)) {
      for (Path child : children) {
        Optional<BasicFileAttributes> visible = paths.visibleEntry(child);
        if (visible.isPresent()) {
          BasicFileAttributes attributes = visible.get();
          entries.add(new Entry(child.getFileName().toString(), attributes.isDirectory(),
              attributes.isDirectory() ? 0 : attributes.size(),
              attributes.lastModifiedTime().toInstant()));
        }
      }
    }
    entries.sort(Comparator.comparing((Entry e) -> !e.directory())
        .thenComparing(Entry::name, String.CASE_INSENSITIVE_ORDER)
        .thenComparing(Entry::name));
    return entries;
  }

  /** Renders for the client's {@code Accept} header (null: HTML). */
  static Rendered render(String accept, List<String> baseSegments, List<String> relative,
      List<Entry> entries) {
    return switch (negotiate(accept)) {
      case "application/json" -> new Rendered("application/json", json(entries));
      case "text/plain" -> new Rendered("text/plain; charset=utf-8", plain(entries));
      default -> new Rendered("text/html; charset=utf-8", html(baseSegments, relative, entries));
    };
  }

  /**
   * The format the client prefers by {@code q} among HTML, JSON and plain text; ties go in that
   * order, as do a missing header and one that accepts none of them (browsers get HTML).
   */
  static String negotiate(String accept) {
    if (accept == null || accept.isBlank()) {
      return FORMATS[0];
    }
    String best = FORMATS[0];
    double bestQ = -1;
    for (String format : FORMATS) {
      double q = quality(accept, format);
      if (q > bestQ) {
        best = format;
        bestQ = q;
      }
    }
    return bestQ > 0 ? best : FORMATS[0];
  }

  /** The {@code q} the header gives {@code format}: exact match, then type/*, then *&#47;*. */
  private static double quality(String accept, String format) {
    String type = format.substring(0, format.indexOf('/'));
    double exact = -1;
    double wildcardSubtype = -1;
    double wildcard = -1;
    for (String range : accept.split(",")) {
      String[] parts = range.trim().split(";");
      String media = parts[0].trim().toLowerCase(Locale.ROOT);
      double q = 1;
      for (int i = 1; i < parts.length; i++) {
        String parameter = parts[i].trim();
        if (parameter.startsWith("q=")) {
          try {
            q = Double.parseDouble(parameter.substring(2));
          } catch (NumberFormatException e) {
            q = 0;
          }
        }
      }
      if (media.equals(format)) {
        exact = Math.max(exact, q);
      } else if (media.equals(type + "/*")) {
        wildcardSubtype = Math.max(wildcardSubtype, q);
      } else if (media.equals("*/*")) {
        wildcard = Math.max(wildcard, q);
      }
    }
    return exact >= 0 ? exact : wildcardSubtype >= 0 ? wildcardSubtype : wildcard;
  }

  private static byte[] json(List<Entry> entries) {
    try {
      return JSON.writeValueAsBytes(entries.stream().map(Entry::name).toList());
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] plain(List<Entry> entries) {
    StringBuilder text = new StringBuilder();
    for (Entry entry : entries) {
      text.append(entry.name()).append('\n');
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] html(List<String> baseSegments, List<String> relative,
      List<Entry> entries) {
    List<String> segments = new ArrayList<>(baseSegments);
    segments.addAll(relative);
    String here = href(segments);
    StringBuilder page = new StringBuilder(512 + entries.size() * 160)
        .append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>Index of ").append(escape(display(segments))).append("</title>\n")
        .append("<style>body{font-family:sans-serif}td{padding:0 1em 0 0}")
        .append("td.size{text-align:right}</style>\n</head>\n<body>\n")
        .append("<h1>Index of ").append(escape(display(segments))).append("</h1>\n")
        .append("<table>\n<tr><th>Name</th><th>Size</th><th>Modified</th></tr>\n");
    if (!relative.isEmpty()) {
      page.append("<tr><td><a href=\"")
          .append(escape(href(segments.subList(0, segments.size() - 1))))
          .append("\">../</a></td><td></td><td></td></tr>\n");
    }
    for (Entry entry : entries) {
      page.append("<tr><td><a href=\"").append(escape(here + encode(entry.name())
              + (entry.directory() ? "/" : ""))).append("\">")
          .append(escape(entry.name())).append(entry.directory() ? "/" : "")
          .append("</a></td><td class=\"size\">")
          .append(entry.directory() ? "-" : Long.toString(entry.size()))
          .append("</td><td>").append(MODIFIED.format(entry.modified()))
          .append("</td></tr>\n");
    }
    page.append("</table>\n</body>\n</html>\n");
    return page.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** {@code /a/b/}: each segment percent-encoded. */
  private static String href(List<String> segments) {
    StringBuilder href = new StringBuilder("/");
    for (String segment : segments) {
      href.append(encode(segment)).append('/');
    }
    return href.toString();
  }

  private static String display(List<String> segments) {
    return "/" + String.join("/", segments) + (segments.isEmpty() ? "" : "/");
  }

  /** Percent-encodes a path segment: RFC 3986 unreserved characters and sub-delims stay. */
  static String encode(String segment) {
    StringBuilder out = new StringBuilder(segment.length());
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || "-._~!$&'()*+,;=:@".indexOf(c) >= 0) {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
