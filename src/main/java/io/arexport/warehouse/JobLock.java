package io.arexport.warehouse;

import io.arexport.RuntimeFailureException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The OS lock on a staging job's {@code .lock} file, which the run working on the job holds (see
 * {@link StagingJob}); the kernel drops it when the process dies, however it dies.
 */
final class JobLock implements AutoCloseable {
  static final String FILE = ".lock";

  private final FileChannel channel;
  private final FileLock lock;

  private JobLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** The lock of the new job directory {@code dir}, waiting for it if need be. */
  static JobLock take(Path dir) {
    try {
      FileChannel channel = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      try {
        return new JobLock(channel, channel.lock());
      } catch (IOException | RuntimeException e) {
        closeQuietly(channel);
        throw e;
      }
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot lock " + dir.resolve(FILE) + ": "
          + e.getMessage(), e);
    }
  }

  /** The lock of {@code dir}, or empty when a live run holds it or the directory is gone. */
  static Optional<JobLock> tryTake(Path dir) {
    FileChannel channel;
    try {
      channel = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
    } catch (NoSuchFileException e) {
      return Optional.empty(); // deleted by the run that finished it
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot open " + dir.resolve(FILE) + ": "
          + e.getMessage(), e);
    }
    try {
      FileLock lock = channel.tryLock();
      if (lock != null) {
        return Optional.of(new JobLock(channel, lock));
      }
    } catch (OverlappingFileLockException e) {
      // Held by this process (another export in the same JVM).
    } catch (IOException e) {
      closeQuietly(channel);
      throw new RuntimeFailureException("cannot lock " + dir.resolve(FILE) + ": "
          + e.getMessage(), e);
    }
    closeQuietly(channel);
    return Optional.empty();
  }

  /**
   * True when a live run holds the lock of job directory {@code dir}. Read-only (a shared lock
   * tried and released at once, nothing created), so {@code status} can ask without write access.
   * As with every POSIX record lock, closing the probe's channel would drop a lock this very
   * process held on the file: a process works on one job at a time and never probes it.
   */
  static boolean isHeld(Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return false; // never locked (or by a version before job locks)
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      FileLock shared = channel.tryLock(0, Long.MAX_VALUE, true);
      if (shared == null) {
        return true;
      }
      shared.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      // Closing the channel drops the lock anyway.
    } finally {
      closeQuietly(channel);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // Nothing is written through this channel; the kernel drops the lock with it.
    }
  }
}
