package io.arexport.iceberg;

import io.arexport.warehouse.LocalLocation;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import java.util.stream.Stream;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.io.SeekableInputStream;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * A java.nio {@link FileIO} over one warehouse directory. Locations recorded in Iceberg metadata
 * are URIs under a datasets root ({@code file:/abs/warehouse} or an HTTP URL such as {@code
 * http://host:4000/local/datasets/default}); this FileIO maps every known root to the local
 * warehouse directory, so metadata written for a remote root is still written and read locally.
 * Files it writes are flushed to disk when closed, so a metadata version is never published
 * before the manifests it points to are durable. It lists files under a location ({@link
 * SupportsPrefixOperations}) the way Iceberg's Hadoop and S3 FileIOs do, for orphan-file removal.
 */
public final class WarehouseFileIO implements SupportsPrefixOperations {
  private static final long serialVersionUID = 1L;

  private final String warehouse;
  private final List<String> roots = new ArrayList<>();

  /** @param warehouse the local warehouse directory (absolute, normalized) */
  public WarehouseFileIO(Path warehouse, String... roots) {
    this.warehouse = warehouse.toAbsolutePath().normalize().toString();
    for (String root : roots) {
      addRoot(root);
    }
    addRoot(this.warehouse);
  }

  /**
   * Also maps locations under {@code root} (no trailing slash) to the warehouse directory. A
   * local root is kept in one spelling, {@code file:} and the normalized path, as locations are
   * compared: engines that open a table by path (Hadoop tables, PyIceberg) record it without a
   * scheme, others as {@code file:///}.
   */
  void addRoot(String root) {
    String canonical = LocalLocation.path(root).map(path -> "file:" + path).orElse(root);
    if (!roots.contains(canonical)) {
      roots.add(canonical);
    }
  }

  /** The local file behind {@code location}. */
  public Path localPath(String location) {
    // Other local writers spell the same file differently (LocalLocation): compared in the
    // roots' one spelling.
    String uri = LocalLocation.path(location).map(path -> "file:" + path).orElse(location);
    for (String root : roots) {
      if (uri.startsWith(root + "/")) {
        Path base = Path.of(warehouse);
        Path path = base.resolve(uri.substring(root.length() + 1)).normalize();
        if (path.startsWith(base)) {
          return path;
        }
      }
    }
    throw new IllegalArgumentException(
        "location " + location + " is outside warehouse " + warehouse + " (roots " + roots + ")");
  }

  @Override
  public InputFile newInputFile(String location) {
    return new WarehouseInputFile(location, localPath(location));
  }

  @Override
  public OutputFile newOutputFile(String location) {
    return new WarehouseOutputFile(location, localPath(location));
  }

  @Override
  public void deleteFile(String location) {
    try {
      Files.deleteIfExists(localPath(location));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + location, e);
    }
  }

  /**
   * Every regular file under {@code prefix} (a directory location), recursively, with its size
   * and last-modified time as the creation time; locations are under the same root as {@code
   * prefix}.
   */
  @Override
  public Iterable<FileInfo> listPrefix(String prefix) {
    String base = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    Path dir = localPath(base + "/x").getParent();
    List<FileInfo> files = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return files;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        String relative = dir.relativize(file).toString().replace('\\', '/');
        files.add(new FileInfo(base + "/" + relative, Files.size(file),
            Files.getLastModifiedTime(file).toMillis()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return files;
  }

  /** Not offered: arexport never deletes a whole prefix. */
  @Override
  public void deletePrefix(String prefix) {
    throw new UnsupportedOperationException("WarehouseFileIO does not delete prefixes");
  }

  /** A local file that reports its warehouse location. */
  private record WarehouseInputFile(String location, Path path) implements InputFile {
    @Override
    public long getLength() {
      try {
        return Files.size(path);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot stat " + path, e);
      }
    }

    @Override
    public SeekableInputStream newStream() {
      return org.apache.iceberg.Files.localInput(path.toFile()).newStream();
    }

    @Override
    public boolean exists() {
      return Files.exists(path);
    }
  }

  /** A local file written through a stream that is flushed to disk on close. */
  private record WarehouseOutputFile(String location, Path path) implements OutputFile {
    @Override
    public PositionOutputStream create() {
      if (Files.exists(path)) {
        throw new AlreadyExistsException("file already exists: %s", location);
      }
      return open(false);
    }

    @Override
    public PositionOutputStream createOrOverwrite() {
      return open(true);
    }

    private PositionOutputStream open(boolean overwrite) {
      try {
        Files.createDirectories(path.getParent());
        if (!overwrite) {
          Files.createFile(path);
        }
        return new DurableStream(new FileOutputStream(path.toFile()));
      } catch (FileAlreadyExistsException e) {
        throw new AlreadyExistsException("file already exists: %s", location);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create " + path, e);
      }
    }

    @Override
    public InputFile toInputFile() {
      return new WarehouseInputFile(location, path);
    }
  }

  private static final class DurableStream extends PositionOutputStream {
    private final FileOutputStream out;
    private long position;
    private boolean closed;

    DurableStream(FileOutputStream out) {
      this.out = out;
    }

    @Override
    public long getPos() {
      return position;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      position++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      position += len;
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      try {
        out.flush();
        out.getChannel().force(true);
      } finally {
        out.close();
      }
    }
  }
}
