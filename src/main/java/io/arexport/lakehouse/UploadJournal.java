package io.arexport.lakehouse;

import io.arexport.HeightRange;
import io.arexport.RuntimeFailureException;
import io.arexport.fs.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The local record of catalog-mode uploads that may not be committed yet (contract section 7).
 * Each run owns one journal file under {@code <stagingDir>/catalog-uploads/<destination>/}, holds
 * an OS lock on it while it runs, and writes (and fsyncs) a line <em>before</em> it uploads a
 * file; after the partition's checkpoint advanced the journal is emptied. A journal left by a
 * dead run (its lock is free) lists every upload that run may have left: the next run deletes
 * those no snapshot references (see {@link CatalogPublisher}).
 *
 * <p>Line format: {@code created <epoch millis>} once, then {@code <table>\t<S>-<E>\t<location>}
 * per upload, and {@code unknown\t<table>\t<S>-<E>} after a commit of that partition whose
 * outcome is unknown. A torn last line (a crash while writing it) is ignored: its upload never
 * started.
 */
final class UploadJournal implements AutoCloseable {
  private static final String SUFFIX = ".journal";

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  /** An upload a journal recorded. */
  record Upload(String table, HeightRange partition, String location) {}

  /**
   * A dead run's journal: when it was created, what it recorded, and the partitions of tables
   * ({@code <table>\t<S>-<E>}) whose commit had an unknown outcome.
   */
  record Left(Path file, long createdMillis, List<Upload> uploads, Set<String> unknownOutcomes) {
    /** Whether the commit that was to add {@code upload} may still land (see CatalogPublisher). */
    boolean outcomeUnknown(Upload upload) {
      return unknownOutcomes.contains(key(upload.table(), upload.partition()));
    }
  }

  private static final String UNKNOWN = "unknown\t";

  private static String key(String table, HeightRange partition) {
    return table + "\t" + partition.start() + "-" + partition.end();
  }

  private UploadJournal(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  static Path directory(Path stagingDir, String destinationKey) {
    return stagingDir.resolve("catalog-uploads").resolve(destinationKey);
  }

  /**
   * Creates and locks this run's journal in {@code directory}. It is written and locked under a
   * name {@link #leftBehind} does not look at, then renamed into place (the lock stays with the
   * file): a journal that appeared unlocked for an instant would be taken for a dead run's and
   * deleted by a run starting at that moment, leaving this run's uploads unrecorded.
   */
  static UploadJournal create(Path directory, String runId, long nowMillis) {
    Path file = directory.resolve(runId + SUFFIX);
    Path unlocked = directory.resolve(runId + SUFFIX + ".new");
    FileChannel channel = null;
    try {
      Files.createDirectories(directory);
      channel = FileChannel.open(unlocked, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
      UploadJournal journal = new UploadJournal(file, channel, channel.lock());
      journal.append("created " + nowMillis);
      Files.move(unlocked, file, StandardCopyOption.ATOMIC_MOVE);
      DurableFiles.fsyncDirectory(directory);
      return journal;
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        DurableFiles.deleteIfExists(unlocked);
      }
      throw e instanceof RuntimeException runtime ? runtime : new RuntimeFailureException(
          "cannot create the upload journal in " + directory + ": " + e, e);
    }
  }

  /** Records an upload about to start; durable when this returns. */
  void recordUpload(String table, HeightRange partition, String location) {
    append(table + "\t" + partition.start() + "-" + partition.end() + "\t" + location);
  }

  /**
   * Records that the commit of {@code partition} of {@code table} has an unknown outcome: it may
   * have landed, or land later (a REST server still working on a request this run gave up on),
   * so no later run may delete that partition's uploads as uncommitted.
   */
  void recordUnknownOutcome(String table, HeightRange partition) {
    append(UNKNOWN + key(table, partition));
  }

  /** Every upload recorded so far is committed (or gone): starts an empty journal. */
  void clear(long nowMillis) {
    try {
      channel.truncate(0);
      channel.position(0);
      append("created " + nowMillis);
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot clear the upload journal " + file + ": " + e, e);
    }
  }

  /** Releases and removes this run's journal (only when nothing it lists can be left over). */
  void delete() {
    close();
    DurableFiles.deleteIfExists(file);
  }

  @Override
  public void close() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
      channel.close();
    } catch (IOException e) {
      // The lock dies with the channel or the process; nothing is lost.
    }
  }

  private void append(String line) {
    try {
      ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot write the upload journal " + file + ": " + e, e);
    }
  }

  /**
   * The journals in {@code directory} whose run is gone (their lock can be taken), except {@code
   * own}. The caller deletes each with {@link #forget} once handled.
   */
  static List<Left> leftBehind(Path directory, UploadJournal own) {
    List<Left> left = new ArrayList<>();
    if (!Files.isDirectory(directory)) {
      return left;
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(directory)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot list the upload journals in " + directory
          + ": " + e, e);
    }
    for (Path file : files) {
      if (own != null && file.equals(own.file)) {
        continue;
      }
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
        FileLock lock;
        try {
          lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
          continue; // held by a run in this JVM
        }
        if (lock == null) {
          continue; // a live run's journal
        }
        try {
          left.add(parse(file));
        } finally {
          lock.release();
        }
      } catch (IOException e) {
        // Vanished meanwhile (another run handled it) or unreadable: skip it this time.
      }
    }
    return left;
  }

  /** Removes a dead run's journal once its uploads are handled. */
  static void forget(Left journal) {
    DurableFiles.deleteIfExists(journal.file());
  }

  private static Left parse(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    long created = 0;
    List<Upload> uploads = new ArrayList<>();
    Set<String> unknown = new HashSet<>();
    for (String line : lines) {
      if (line.startsWith(UNKNOWN)) {
        unknown.add(line.substring(UNKNOWN.length()));
        continue;
      }
      if (line.startsWith("created ")) {
        try {
          created = Long.parseLong(line.substring("created ".length()).trim());
        } catch (NumberFormatException e) {
          created = 0;
        }
        continue;
      }
      String[] parts = line.split("\t", 3);
      if (parts.length < 3) {
        continue;
      }
      HeightRange partition = HeightRange.parseDirectoryName("height=" + parts[1]);
      if (partition != null) { // else a torn line: that upload never started
        uploads.add(new Upload(parts[0], partition, parts[2]));
      }
    }
    return new Left(file, created, uploads, unknown);
  }
}
