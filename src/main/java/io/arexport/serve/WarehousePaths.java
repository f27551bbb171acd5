package io.arexport.serve;

import io.arexport.warehouse.StagingJob;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Maps a request path to a file of the warehouse, refusing everything a reader must not see.
 *
 * <ul>
 *   <li>The raw path is split on '/' first and each segment percent-decoded once (strict UTF-8),
 *       so an encoded '/' or '\' ({@code %2f}, {@code %5c}) can never create a separator, and
 *       {@code %2e%2e} is recognised as {@code ..}. Empty segments ({@code //}) are skipped.
 *   <li>400: malformed percent-encoding, a decoded segment holding '/', '\' or NUL, and any
 *       {@code .} or {@code ..} segment (no normalisation is attempted).
 *   <li>404: a path that does not start with the base path's segments, a hidden segment (a name
 *       starting with '.', such as {@code .arexport} or a temporary {@code .part-0.parquet}; a
 *       name ending in {@code .tmp}; any {@code staging} directory), a missing file, a
 *       directory unless listings are on, or anything else that is not a regular file.
 *   <li>With listings on, a visible directory (the base path itself included) is a {@link
 *       Directory}; {@link #visibleEntry} decides which of its entries a listing shows, by the
 *       same rules.
 *   <li>403: a symbolic link whose real target lies outside the warehouse's real root, or on a
 *       hidden path inside it. Links that stay inside the warehouse and on visible paths work.
 * </ul>
 */
final class WarehousePaths {
  private final Path root;
  private final List<String> baseSegments;
  private final boolean listDirectories;

  /** {@code root} must be a real path (no symbolic links, absolute, normalized). */
  WarehousePaths(Path root, List<String> baseSegments) {
    this(root, baseSegments, false);
  }

  WarehousePaths(Path root, List<String> baseSegments, boolean listDirectories) {
    this.root = root;
    this.baseSegments = List.copyOf(baseSegments);
    this.listDirectories = listDirectories;
  }

  /** The decoded segments of the base path (empty when the warehouse is served at '/'). */
  List<String> baseSegments() {
    return baseSegments;
  }

  /** The outcome of a lookup. */
  sealed interface Lookup {}

  /** A servable regular file: its real path and its attributes at lookup time. */
  record Found(Path file, BasicFileAttributes attributes) implements Lookup {}

  /**
   * A directory to list (only with listings on): its real path and the decoded request segments
   * below the base path ({@code [blocks, data]}), from which the listing's links are built.
   */
  record Directory(Path directory, List<String> relative) implements Lookup {}

  /** Not servable: the status to answer and a reason for the access log (not for the client). */
  record Refused(int status, String reason) implements Lookup {}

  Lookup lookup(String rawPath) {
    if (rawPath == null || !rawPath.startsWith("/")) {
      return new Refused(400, "not an absolute path");
    }
    List<String> segments = new ArrayList<>();
    for (String raw : rawPath.split("/")) {
      if (raw.isEmpty()) {
        continue;
      }
      String name = percentDecode(raw);
      if (name == null) {
        return new Refused(400, "malformed percent-encoding");
      }
      if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0) {
        return new Refused(400, "encoded separator or NUL in a segment");
      }
      if (name.equals(".") || name.equals("..")) {
        return new Refused(400, "dot segment");
      }
      segments.add(name);
    }
    if (segments.size() < baseSegments.size()
        || !segments.subList(0, baseSegments.size()).equals(baseSegments)) {
      return new Refused(404, "outside the base path");
    }
    if (segments.size() == baseSegments.size()) {
      return listDirectories ? new Directory(root, List.of()) : new Refused(404, "directory");
    }
    List<String> relative = segments.subList(baseSegments.size(), segments.size());
    if (relative.stream().anyMatch(WarehousePaths::hidden)) {
      return new Refused(404, "hidden path");
    }
    Path real;
    try {
      Path candidate = root;
      for (String name : relative) {
        candidate = candidate.resolve(name);
      }
      real = candidate.toRealPath();
    } catch (NoSuchFileException | NotDirectoryException e) {
      return new Refused(404, "no such file");
    } catch (InvalidPathException e) {
      return new Refused(400, "invalid file name");
    } catch (IOException e) {
      return new Refused(404, "cannot resolve: " + e.getClass().getSimpleName());
    }
    if (!real.startsWith(root)) {
      return new Refused(403, "symbolic link leads outside the warehouse");
    }
    for (Path name : root.relativize(real)) {
      if (hidden(name.toString())) {
        return new Refused(403, "symbolic link leads to a hidden path");
      }
    }
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      return new Refused(404, "cannot read attributes: " + e.getClass().getSimpleName());
    }
    if (attributes.isDirectory() && listDirectories) {
      return new Directory(real, List.copyOf(relative));
    }
    if (!attributes.isRegularFile()) {
      return new Refused(404, attributes.isDirectory() ? "directory" : "not a regular file");
    }
    return new Found(real, attributes);
  }

  /**
   * The attributes of {@code entry} (a child of a listed directory) when a listing may show it:
   * a visible name, a real path inside the warehouse on visible names only (links resolved),
   * and a regular file or a directory. Empty for everything a request for it would refuse.
   */
  Optional<BasicFileAttributes> visibleEntry(Path entry) {
    if (hidden(entry.getFileName().toString())) {
      return Optional.empty();
    }
    try {
      Path real = entry.toRealPath();
      if (!real.startsWith(root)) {
        return Optional.empty();
      }
      for (Path name : root.relativize(real)) {
        if (hidden(name.toString())) {
          return Optional.empty();
        }
      }
      BasicFileAttributes attributes =
          Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return attributes.isRegularFile() || attributes.isDirectory()
          ? Optional.of(attributes)
          : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // gone, a broken link, unreadable: not listed
    }
  }

  /**
   * Names never served: dotfiles and dot-directories, temporary files, staging directories, and
   * an export job's directory ({@code job-<yyyyMMdd_HHmmss>_<pid>[-n]}), which holds unpublished
   * files when the staging directory is the warehouse itself.
   */
  static boolean hidden(String name) {
    return name.startsWith(".") || name.endsWith(".tmp") || name.equalsIgnoreCase("staging")
        || StagingJob.isJobDirectoryName(name);
  }

  /** Decodes %XX escapes once, as UTF-8; null when an escape or the UTF-8 is malformed. */
  static String percentDecode(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    byte[] in = raw.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    for (int i = 0; i < in.length; i++) {
      if (in[i] != '%') {
        out.write(in[i]);
        continue;
      }
      if (i + 2 >= in.length) {
        return null;
      }
      int high = Character.digit(in[i + 1], 16);
      int low = Character.digit(in[i + 2], 16);
      if (high < 0 || low < 0) {
        return null;
      }
      out.write(high << 4 | low);
      i += 2;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
