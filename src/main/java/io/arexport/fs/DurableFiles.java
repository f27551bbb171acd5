package io.arexport.fs;

import io.arexport.RuntimeFailureException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * File operations that survive a crash: data is flushed before it is published, and publishing is
 * a rename, so a reader (or the next run) sees either the old or the new file, never a torn one.
 */
public final class DurableFiles {
  private DurableFiles() {}

  /** Flushes a file's content to disk. */
  public static void fsync(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.force(true);
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot flush " + file + ": " + e.getMessage(), e);
    }
  }

  /** Flushes a directory entry list, so a rename or a new file in it survives a crash. */
  public static void fsyncDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some filesystems refuse fsync on directories; the rename itself is still atomic there.
    }
  }

  /**
   * Replaces {@code target} with {@code content}: written to a temporary file beside it, flushed,
   * then renamed over it.
   */
  public static void writeAtomically(Path target, byte[] content) {
    Path directory = target.toAbsolutePath().getParent();
    Path temp = directory.resolve("." + target.getFileName() + ".tmp");
    try {
      Files.createDirectories(directory);
      Files.write(temp, content);
      fsync(temp);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      fsyncDirectory(directory);
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * Moves a file to {@code target} so that {@code target} appears complete or not at all: a rename
   * on the same filesystem; across filesystems a copy to a temporary name beside the target, a
   * flush, then a rename. Never replaces an existing target.
   */
  public static void moveFile(Path source, Path target) {
    try {
      // rename(2) would silently replace; the warehouse lock rules out a concurrent creator.
      if (Files.exists(target)) {
        throw new FileAlreadyExistsException(target.toString());
      }
      try {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        return;
      } catch (AtomicMoveNotSupportedException e) {
        // Different filesystem: fall through to copy + rename.
      }
      Path temp = target.resolveSibling(".tmp-" + target.getFileName());
      Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
      fsync(temp);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      Files.delete(source);
    } catch (IOException e) {
      throw new RuntimeFailureException(
          "cannot move " + source + " to " + target + ": " + e.getMessage(), e);
    }
  }

  /** Deletes a file if it exists. */
  public static void deleteIfExists(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot delete " + file + ": " + e.getMessage(), e);
    }
  }

  /** Deletes a directory tree if it exists. */
  public static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (NoSuchFileException e) {
      // Removed concurrently: nothing left to delete.
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot delete " + root + ": " + e.getMessage(), e);
    }
  }
}
