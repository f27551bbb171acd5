package io.arexport.warehouse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The local file an Iceberg location names, read one way everywhere. arexport and Iceberg's
 * HadoopTables record {@code file:} followed by the plain path, not URI-encoded (a directory
 * named {@code a%20b} is recorded as such, and so is one named {@code a b}); other local
 * writers spell the same file {@code file:///path}, {@code file://localhost/path} or as a plain
 * absolute path. All name one file. Any other location (an {@code s3://} or {@code http://} URL,
 * {@code file://host/..} of another host, a relative {@code file:relative}, which no Iceberg
 * writer records) is not a local file.
 */
public final class LocalLocation {
  /** RFC 8089's spelling of a local file with an authority, which Hadoop's local FS accepts. */
  private static final String LOCALHOST = "file://localhost/";

  private LocalLocation() {}

  /** The normalized absolute path behind {@code location}; empty when it is not a local file. */
  public static Optional<Path> path(String location) {
    String path = location.startsWith(LOCALHOST) ? location.substring(LOCALHOST.length() - 1)
        : location.startsWith("file://") ? location.substring("file://".length())
        : location.startsWith("file:") ? location.substring("file:".length())
        : location;
    if (!path.startsWith("/")) {
      return Optional.empty();
    }
    try {
      return Optional.of(Path.of(path).normalize());
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
  }

  /** Whether both paths exist and are one file (through links, or another spelling). */
  public static boolean isSameExistingFile(Path a, Path b) {
    try {
      return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  /** Whether {@code location} names the existing local file {@code file}. */
  public static boolean names(String location, Path file) {
    return path(location).map(local -> isSameExistingFile(local, file)).orElse(false);
  }
}
