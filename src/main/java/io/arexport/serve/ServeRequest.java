package io.arexport.serve;

import io.arexport.InvalidInputException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A validated {@code serve} request: the warehouse to serve, where to listen, the URL path the
 * warehouse appears under ({@code basePath}, e.g. {@code /local/datasets/default}; {@code /}
 * serves it at the root), and whether directories are listed ({@code listDirectories}).
 */
public record ServeRequest(Path warehouseDir, String bind, int port, String basePath,
    boolean listDirectories) {
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._~-]+");

  public ServeRequest {
    warehouseDir = warehouseDir.toAbsolutePath().normalize();
    if (bind == null || bind.isBlank()) {
      throw new InvalidInputException("--bind must name an address, e.g. 127.0.0.1");
    }
    if (port < 0 || port > 65535) {
      throw new InvalidInputException("--port must be between 0 and 65535: " + port);
    }
    basePath = normalizeBasePath(basePath);
  }

  /** A request that lists no directories (the default). */
  public ServeRequest(Path warehouseDir, String bind, int port, String basePath) {
    this(warehouseDir, bind, port, basePath, false);
  }

  /** The base path's segments; empty when the warehouse is served at the root. */
  List<String> basePathSegments() {
    return basePath.equals("/") ? List.of() : List.of(basePath.substring(1).split("/"));
  }

  /** {@code /a/b} form: one leading '/', no trailing or repeated '/', only URL-safe names. */
  private static String normalizeBasePath(String basePath) {
    if (basePath == null || !basePath.startsWith("/")) {
      throw new InvalidInputException("--base-path must start with '/': " + basePath);
    }
    List<String> segments = Arrays.stream(basePath.split("/")).filter(s -> !s.isEmpty()).toList();
    for (String segment : segments) {
      if (segment.equals(".") || segment.equals("..") || !SEGMENT.matcher(segment).matches()) {
        throw new InvalidInputException("--base-path segments must be names made of letters,"
            + " digits, '.', '_', '~' and '-' (not '.' or '..'): " + basePath);
      }
    }
    return "/" + String.join("/", segments);
  }
}
