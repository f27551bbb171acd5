package io.arexport.serve;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Answers GET and HEAD for warehouse files (and, when on, directory listings: see {@link
 * DirectoryListing}): 200 or 206 for one byte range (see {@link
 * RangeSelection}), 304 for a matching {@code If-None-Match} or {@code If-Modified-Since}, 416
 * for an unsatisfiable range, 405 for other methods, and the refusals of {@link WarehousePaths}.
 * Every file response carries {@code Accept-Ranges}, {@code Content-Length}, a strong {@code
 * ETag} (size and modification time), {@code Last-Modified} and {@code Content-Type}. Bodies are
 * streamed through a 64 KiB buffer; the file is always closed, also when the client goes away.
 */
final class FileHandler implements HttpHandler {
  private static final int BUFFER_SIZE = 64 * 1024;
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  private final WarehousePaths paths;
  private final AccessLog log;

  FileHandler(WarehousePaths paths, AccessLog log) {
    this.paths = paths;
    this.log = log;
  }

  /** What was sent, for the access log. */
  private static final class Outcome {
    int status;
    long bytes;
    String note;
  }

  @Override
  public void handle(HttpExchange exchange) {
    long started = System.nanoTime();
    Outcome outcome = new Outcome();
    try {
      respond(exchange, outcome);
    } catch (IOException | RuntimeException e) {
      outcome.note = "aborted: " + e;
      if (outcome.status == 0) {
        try {
          sendStatus(exchange, 500, outcome);
        } catch (IOException | RuntimeException ignored) {
          // The connection is gone; nothing more to tell the client.
        }
      }
    } finally {
      exchange.close();
      String path = exchange.getRequestURI().getRawPath();
      log.record(exchange.getRemoteAddress().getAddress().getHostAddress(),
          exchange.getRequestMethod(),
          path != null ? path : exchange.getRequestURI().toString(),
          outcome.status, outcome.bytes,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), outcome.note);
    }
  }

  private void respond(HttpExchange exchange, Outcome outcome) throws IOException {
    String method = exchange.getRequestMethod();
    Headers response = exchange.getResponseHeaders();
    response.set("Accept-Ranges", "bytes");
    if (!method.equals("GET") && !method.equals("HEAD")) {
      response.set("Allow", "GET, HEAD");
      sendStatus(exchange, 405, outcome);
      return;
    }
    WarehousePaths.Lookup lookup = paths.lookup(exchange.getRequestURI().getRawPath());
    if (lookup instanceof WarehousePaths.Refused refused) {
      outcome.note = refused.reason();
      sendStatus(exchange, refused.status(), outcome);
      return;
    }
    if (lookup instanceof WarehousePaths.Directory directory) {
      sendListing(exchange, directory, outcome);
      return;
    }
    WarehousePaths.Found found = (WarehousePaths.Found) lookup;
    FileChannel channel;
    try {
      // The real path has no links left; NOFOLLOW_LINKS refuses one swapped in since the lookup.
      channel = FileChannel.open(found.file(), StandardOpenOption.READ,
          LinkOption.NOFOLLOW_LINKS);
    } catch (AccessDeniedException e) {
      outcome.note = "cannot open: permission denied";
      sendStatus(exchange, 403, outcome);
      return;
    } catch (IOException e) {
      outcome.note = "cannot open: " + e;
      sendStatus(exchange, 404, outcome);
      return;
    }
    try (channel) {
      sendFile(exchange, found.file(), found.attributes(), channel, outcome);
    }
  }

  /** A directory listing (only when listings are on), never cached: it changes with exports. */
  private void sendListing(HttpExchange exchange, WarehousePaths.Directory directory,
      Outcome outcome) throws IOException {
    DirectoryListing.Rendered listing = DirectoryListing.render(
        exchange.getRequestHeaders().getFirst("Accept"), paths.baseSegments(),
        directory.relative(), DirectoryListing.entries(paths, directory.directory()));
    Headers response = exchange.getResponseHeaders();
    response.set("Content-Type", listing.contentType());
    response.set("Cache-Control", "no-cache");
    response.set("Vary", "Accept");
    response.set("X-Content-Type-Options", "nosniff");
    outcome.note = "listing";
    send(exchange, 200, listing.body().length, outcome);
    if (!isHead(exchange)) {
      exchange.getResponseBody().write(listing.body());
      outcome.bytes = listing.body().length;
    }
  }

  private static void sendFile(HttpExchange exchange, Path file, BasicFileAttributes attributes,
      FileChannel channel, Outcome outcome) throws IOException {
    long size = attributes.size();
    Instant modified = attributes.lastModifiedTime().toInstant();
    String etag = "\"" + Long.toHexString(size) + "-"
        + Long.toHexString(attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS)) + "\"";
    Headers request = exchange.getRequestHeaders();
    Headers response = exchange.getResponseHeaders();
    response.set("ETag", etag);
    response.set("Last-Modified", HTTP_DATE.format(modified));
    if (notModified(request, etag, modified.getEpochSecond())) {
      send(exchange, 304, 0, outcome);
      return;
    }
    response.set("Content-Type", contentType(file.getFileName().toString()));
    RangeSelection selection = ifRangeHolds(request, etag, modified.getEpochSecond())
        ? RangeSelection.of(request.get("Range"), size)
        : RangeSelection.WHOLE;
    if (selection instanceof RangeSelection.Unsatisfiable) {
      response.set("Content-Range", "bytes */" + size);
      sendStatus(exchange, 416, outcome);
      return;
    }
    long first = 0;
    long length = size;
    int status = 200;
    if (selection instanceof RangeSelection.Part part) {
      status = 206;
      first = part.first();
      length = part.length();
      response.set("Content-Range", "bytes " + part.first() + "-" + part.last() + "/" + size);
    }
    send(exchange, status, length, outcome);
    if (!isHead(exchange)) {
      copy(channel, first, length, exchange.getResponseBody(), outcome);
    }
  }

  /** Sends {@code length} bytes of the file from {@code first}, through a bounded buffer. */
  private static void copy(FileChannel channel, long first, long length, OutputStream body,
      Outcome outcome) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(BUFFER_SIZE, length));
    long position = first;
    long remaining = length;
    while (remaining > 0) {
      buffer.clear().limit((int) Math.min(buffer.capacity(), remaining));
      int read = channel.read(buffer, position);
      if (read < 0) {
        throw new IOException("file shrank while being sent");
      }
      body.write(buffer.array(), 0, read);
      outcome.bytes += read;
      position += read;
      remaining -= read;
    }
  }

  /** True when the client's cached copy is current (RFC 9110 section 13.1.2 and 13.1.3). */
  private static boolean notModified(Headers request, String etag, long modifiedSecond) {
    List<String> ifNoneMatch = request.get("If-None-Match");
    if (ifNoneMatch != null) {
      for (String field : ifNoneMatch) {
        for (String candidate : field.split(",")) {
          String tag = candidate.trim();
          if (tag.equals("*") || stripWeak(tag).equals(etag)) {
            return true;
          }
        }
      }
      return false;
    }
    Long since = parseDate(request.getFirst("If-Modified-Since"));
    return since != null && modifiedSecond <= since;
  }

  /** False when {@code If-Range} names another version: then a Range is ignored (200). */
  private static boolean ifRangeHolds(Headers request, String etag, long modifiedSecond) {
    String ifRange = request.getFirst("If-Range");
    if (ifRange == null) {
      return true;
    }
    ifRange = ifRange.trim();
    if (ifRange.startsWith("\"") || ifRange.startsWith("W/")) {
      return ifRange.equals(etag);
    }
    Long date = parseDate(ifRange);
    return date != null && date == modifiedSecond;
  }

  private static String stripWeak(String tag) {
    return tag.startsWith("W/") ? tag.substring(2) : tag;
  }

  /** An HTTP date as epoch seconds; null when absent or not a date. */
  private static Long parseDate(String text) {
    if (text == null) {
      return null;
    }
    try {
      return ZonedDateTime.parse(text.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
          .toEpochSecond();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  static String contentType(String fileName) {
    if (fileName.endsWith(".json")) {
      return "application/json";
    }
    if (fileName.endsWith(".text") || fileName.endsWith(".txt")) {
      return "text/plain; charset=utf-8";
    }
    return "application/octet-stream"; // .parquet, .avro and anything else
  }

  /** An error or 416 response: a one-line text body for GET, headers only for HEAD. */
  private static void sendStatus(HttpExchange exchange, int status, Outcome outcome)
      throws IOException {
    byte[] body = (status + " " + reason(status) + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    send(exchange, status, body.length, outcome);
    if (!isHead(exchange)) {
      exchange.getResponseBody().write(body);
      outcome.bytes = body.length;
    }
  }

  /**
   * Sends the status line and headers for a body of {@code length} bytes. The JDK server sets
   * Content-Length itself for GET; for HEAD it must be set by hand and the length passed as -1
   * (no body). A 304 has neither body nor Content-Length.
   */
  private static void send(HttpExchange exchange, int status, long length, Outcome outcome)
      throws IOException {
    if (isHead(exchange) || status == 304) {
      if (status != 304) {
        exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
      }
      exchange.sendResponseHeaders(status, -1);
    } else {
      exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
    }
    outcome.status = status;
  }

  private static boolean isHead(HttpExchange exchange) {
    return exchange.getRequestMethod().equals("HEAD");
  }

  private static String reason(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 416 -> "Range Not Satisfiable";
      default -> "Internal Server Error";
    };
  }
}
