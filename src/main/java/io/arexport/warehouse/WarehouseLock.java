package io.arexport.warehouse;

import io.arexport.InvalidInputException;
import io.arexport.RuntimeFailureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One writer at a time per warehouse. The lock is an OS file lock on {@code .arexport/lock}, so the
 * kernel releases it when the holder dies, however it dies: a lock left by a killed process is
 * simply taken over. The file also records who holds the lock, for the error message.
 */
public final class WarehouseLock implements AutoCloseable {
  private static final String ANOTHER_PROCESS = "another process";

  private final FileChannel channel;
  private final FileLock lock;

  private WarehouseLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock or fails at once with a {@link WarehouseLockedException} (exit 3) naming the holder.
   *
   * @param holder who is taking it, e.g. "export pid 1234 since 2026-11-30T01:00:00Z"
   */
  public static WarehouseLock acquire(WarehouseLayout layout, String holder) {
    Path file = layout.stateDir().resolve("lock");
    FileChannel channel = null;
    try {
      Files.createDirectories(layout.stateDir());
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock = tryLock(channel);
      for (int attempt = 1; lock == null; attempt++) {
        String current = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (!current.isEmpty() || attempt == 10) {
          channel.close();
          throw new WarehouseLockedException(
              new State(true, current.isEmpty() ? null : current).describe(layout));
        }
        // Held but no holder line: its holder is taking it (line not yet written) or releasing
        // it (line already emptied). Look again in a moment rather than name nobody.
        sleep(20);
        lock = tryLock(channel);
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(true);
      return new WarehouseLock(channel, lock);
    } catch (AccessDeniedException e) {
      // The operator's to fix (permissions of the warehouse), not a failure to retry.
      closeQuietly(channel);
      throw new InvalidInputException("cannot lock warehouse " + layout.root() + ": permission"
          + " denied on " + e.getFile() + " (the warehouse must be writable by this user)");
    } catch (IOException e) {
      closeQuietly(channel);
      String reason = e.getMessage() == null || e.getMessage().equals(file.toString())
          ? e.getClass().getSimpleName() : e.getMessage();
      throw new RuntimeFailureException("cannot lock warehouse " + file + ": " + reason, e);
    }
  }

  /** Who holds the lock, or left a holder line behind, as {@link #probe} finds it. */
  public record State(boolean held, String holder) {
    /** A holder line without a live holder: its process died; the next run takes the lock over. */
    public boolean stale() {
      return !held && holder != null;
    }

    /** The holder line, or "another process" when there is none to name. */
    private String describeHolder() {
      return holder == null ? ANOTHER_PROCESS : holder;
    }

    /** "warehouse R is locked by HOLDER (R/_state/lock)": the one sentence every refusal uses. */
    public String describe(WarehouseLayout layout) {
      return "warehouse " + layout.root() + " is locked by " + describeHolder() + " ("
          + layout.stateDir().resolve("lock") + ")";
    }
  }

  /**
   * Looks at the lock without taking it: a shared lock on a read-only channel, released at once,
   * so a concurrent {@link #acquire} at worst retries for a moment (as for {@code verify}).
   */
  public static State probe(WarehouseLayout layout) {
    Path file = layout.stateDir().resolve("lock");
    if (!Files.isRegularFile(file)) {
      return new State(false, null);
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      FileLock shared;
      try {
        shared = channel.tryLock(0, Long.MAX_VALUE, true);
      } catch (OverlappingFileLockException e) {
        shared = null;
      }
      if (shared != null) {
        shared.release();
      }
      String line = Files.readString(file, StandardCharsets.UTF_8).trim();
      return new State(shared == null, line.isEmpty() ? null : line);
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot read lock " + file + ": " + e.getMessage(), e);
    }
  }

  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // Closing releases the lock; nothing else to undo.
      }
    }
  }

  @Override
  public void close() {
    try {
      channel.truncate(0);
      lock.release();
    } catch (IOException e) {
      // The kernel drops the lock with the channel anyway.
    } finally {
      closeQuietly(channel);
    }
  }
}
