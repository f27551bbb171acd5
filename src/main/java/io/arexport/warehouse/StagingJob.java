package io.arexport.warehouse;

import io.arexport.RuntimeFailureException;
import io.arexport.StateConflictException;
import io.arexport.fs.DurableFiles;
import io.arexport.schema.ExportTable;
import io.arexport.HeightRange;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's working directory, {@code <staging>/job-<yyyyMMdd_HHmmss>_<pid>/}, holding {@code
 * .checkpoint} and the files of the partition being written ({@code <table>/height=S-E/}).
 *
 * <p>The run that works on a job holds an OS lock on its {@code .lock} file until {@link #close}
 * (the kernel drops it when the process dies, however it dies). A staging directory is shared by
 * every run that uses it (the default {@code data/staging} by every run started in one
 * directory), and catalog-mode runs take no warehouse lock: without the job lock, two overlapping
 * runs with the same parameters (a cron {@code sync} of a catalog still running when the next one
 * starts) would resume the same job and delete each other's staged files. So a job locked by a
 * live run is never resumed, superseded or listed as left behind.
 */
public final class StagingJob implements AutoCloseable {
  private static final DateTimeFormatter JOB_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);
  /** {@link #create}'s names: {@code job-<yyyyMMdd_HHmmss>_<pid>}, {@code -<n>} on a clash. */
  private static final Pattern JOB_DIRECTORY = Pattern.compile("job-\\d{8}_\\d{6}_\\d+(-\\d+)?");
  static final String CHECKPOINT = ".checkpoint";
  /** A job directory being deleted is renamed to this prefix and its name first. */
  private static final String DELETED_PREFIX = ".deleted-";
  private static final Logger LOG = LoggerFactory.getLogger(StagingJob.class);

  /** True when {@code name} is a job directory's name as {@link #create} makes them. */
  public static boolean isJobDirectoryName(String name) {
    return JOB_DIRECTORY.matcher(name).matches();
  }

  private final Path directory;
  private final JobLock lock;
  private Checkpoint checkpoint;

  private StagingJob(Path directory, JobLock lock, Checkpoint checkpoint) {
    this.directory = directory;
    this.lock = lock;
    this.checkpoint = checkpoint;
  }

  /** Creates a new job directory with a checkpoint at {@code startHeight - 1}. */
  public static StagingJob create(Path stagingDir, JobParameters parameters, Instant now,
      long pid) {
    String base = "job-" + JOB_TIME.format(now) + "_" + pid;
    try {
      Files.createDirectories(stagingDir);
      for (int attempt = 0; ; attempt++) {
        Path dir = stagingDir.resolve(attempt == 0 ? base : base + "-" + attempt);
        try {
          Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
          continue;
        }
        // Waits, if at all, for a status probe's shared lock, which is released at once.
        JobLock lock = JobLock.take(dir);
        try {
          Checkpoint checkpoint = new Checkpoint(Checkpoint.FORMAT_VERSION,
              dir.getFileName().toString().substring("job-".length()), parameters,
              parameters.startHeight() - 1, now.toString());
          Json.write(dir.resolve(CHECKPOINT), checkpoint);
          return new StagingJob(dir, lock, checkpoint);
        } catch (RuntimeException e) {
          lock.close();
          throw e;
        }
      }
    } catch (IOException e) {
      throw new RuntimeFailureException(
          "cannot create staging job in " + stagingDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Finds the newest unfinished job with exactly these parameters that no live run holds, and
   * takes its lock (the caller {@link #close}s the job). A job for the same range and warehouse
   * whose other parameters differ is a conflict, reported with the differences.
   */
  public static Optional<StagingJob> findResumable(Path stagingDir, JobParameters parameters) {
    if (!Files.isDirectory(stagingDir)) {
      return Optional.empty();
    }
    List<Path> jobs;
    try (Stream<Path> children = Files.list(stagingDir)) {
      jobs = children
          .filter(p -> p.getFileName().toString().startsWith("job-"))
          .filter(p -> Files.isRegularFile(p.resolve(CHECKPOINT)))
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
          .toList();
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot list " + stagingDir + ": " + e.getMessage(), e);
    }
    StateConflictException conflict = null;
    for (Path dir : jobs) {
      Optional<Checkpoint> checkpoint = readUnlessGone(dir);
      if (checkpoint.isEmpty()) {
        continue;
      }
      JobParameters theirs = checkpoint.get().parameters();
      List<String> differences = theirs.differences(parameters);
      if (differences.isEmpty()) {
        Optional<StagingJob> taken = take(dir);
        if (taken.isPresent()) {
          return taken;
        }
        LOG.info("not resuming staging job {}: another run is working on it", dir);
        continue;
      }
      boolean sameRange = theirs.startHeight() == parameters.startHeight()
          && theirs.endHeight() == parameters.endHeight()
          && theirs.warehouseDir().equals(parameters.warehouseDir());
      if (sameRange && conflict == null) {
        conflict = new StateConflictException("job " + dir + " for the same range has different"
            + " parameters: " + String.join("; ", differences));
      }
    }
    if (conflict != null) {
      throw conflict;
    }
    return Optional.empty();
  }

  /**
   * The checkpoint of job {@code dir}, read without its lock; empty when the job is gone (its run
   * finished and deleted it since the listing).
   */
  private static Optional<Checkpoint> readUnlessGone(Path dir) {
    try {
      return Optional.of(Json.read(dir.resolve(CHECKPOINT), Checkpoint.class));
    } catch (RuntimeException e) {
      if (!Files.exists(dir.resolve(CHECKPOINT))) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Locks {@code dir} and reads its checkpoint afresh (a run that held it may have advanced it,
   * or finished and deleted it); empty when another run holds it or it is gone.
   */
  private static Optional<StagingJob> take(Path dir) {
    Optional<JobLock> lock = JobLock.tryTake(dir);
    if (lock.isEmpty()) {
      return Optional.empty();
    }
    try {
      if (!Files.isRegularFile(dir.resolve(CHECKPOINT))) {
        lock.get().close();
        return Optional.empty();
      }
      return Optional.of(new StagingJob(dir, lock.get(),
          Json.read(dir.resolve(CHECKPOINT), Checkpoint.class)));
    } catch (RuntimeException e) {
      lock.get().close();
      throw e;
    }
  }

  /**
   * Deletes unfinished jobs with exactly these parameters after a run with them succeeded: the
   * warehouse now holds what they would have written, and resuming one would only redo work. A
   * job another run is working on is left to it.
   */
  public static void deleteSuperseded(Path stagingDir, JobParameters parameters) {
    if (!Files.isDirectory(stagingDir)) {
      return;
    }
    List<Path> jobs;
    List<Path> unborn;
    List<Path> halfDeleted;
    try (Stream<Path> children = Files.list(stagingDir)) {
      List<Path> dirs = children.filter(Files::isDirectory).toList();
      List<Path> all = dirs.stream().filter(p -> p.getFileName().toString().startsWith("job-"))
          .toList();
      jobs = all.stream().filter(p -> Files.isRegularFile(p.resolve(CHECKPOINT))).toList();
      unborn = all.stream().filter(p -> !Files.exists(p.resolve(CHECKPOINT))).toList();
      halfDeleted = dirs.stream()
          .filter(p -> p.getFileName().toString().startsWith(DELETED_PREFIX)).toList();
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot list " + stagingDir + ": " + e.getMessage(), e);
    }
    // A deletion killed halfway: nobody looks at these names any more.
    halfDeleted.forEach(DurableFiles::deleteTree);
    // A process killed between creating its job directory and writing the first checkpoint left
    // a directory nothing can resume: removed once the process named in it is gone.
    for (Path dir : unborn) {
      if (creatorIsGone(dir.getFileName().toString())) {
        deleteUnlessHeld(dir);
      }
    }
    for (Path dir : jobs) {
      try {
        if (readUnlessGone(dir).map(c -> c.parameters().differences(parameters).isEmpty())
            .orElse(false)) {
          deleteUnlessHeld(dir);
        }
      } catch (StateConflictException e) {
        // An unreadable checkpoint is not ours to judge; leave that job alone.
      }
    }
  }

  /** Deletes a job directory under its lock; leaves it when a live run holds that. */
  private static void deleteUnlessHeld(Path dir) {
    Optional<JobLock> lock = JobLock.tryTake(dir);
    if (lock.isPresent()) {
      try (JobLock held = lock.get()) {
        deleteLocked(dir);
      }
    }
  }

  /**
   * Deletes job directory {@code dir}, whose lock the caller holds: first renamed out of the
   * {@code job-} names, so no other run opens (and re-creates) its {@code .lock} while its files
   * go, takes the half-deleted job for one it could resume, or keeps the directory from going.
   */
  private static void deleteLocked(Path dir) {
    Path doomed = dir.resolveSibling(DELETED_PREFIX + dir.getFileName());
    try {
      Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot delete staging job " + dir + ": "
          + e.getMessage(), e);
    }
    DurableFiles.deleteTree(doomed);
  }

  /** True when the pid in {@code job-<yyyyMMdd_HHmmss>_<pid>[-n]} is no running process. */
  private static boolean creatorIsGone(String name) {
    String tail = name.substring(name.lastIndexOf('_') + 1);
    int dash = tail.indexOf('-');
    try {
      long pid = Long.parseLong(dash < 0 ? tail : tail.substring(0, dash));
      return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  public Path directory() {
    return directory;
  }

  public String jobId() {
    return checkpoint.jobId();
  }

  public Checkpoint checkpoint() {
    return checkpoint;
  }

  /** Where a table's files for {@code partition} are written before they move. */
  public Path partitionDir(ExportTable table, HeightRange partition) {
    return directory.resolve(table.tableName()).resolve(partition.directoryName());
  }

  /** Records that every partition up to {@code height} is in the warehouse. */
  public void advanceCheckpoint(long height, Instant now) {
    Checkpoint next = checkpoint.advancedTo(height, now.toString());
    Json.write(directory.resolve(CHECKPOINT), next);
    checkpoint = next;
  }

  /** Removes leftovers of a partition attempt that did not finish (e.g. before a resume). */
  public void clearPartitionFiles() {
    for (ExportTable table : ExportTable.values()) {
      DurableFiles.deleteTree(directory.resolve(table.tableName()));
    }
  }

  /** Removes the staged files of one partition once it is published and checkpointed. */
  public void clearPartitionFiles(HeightRange partition) {
    for (ExportTable table : ExportTable.values()) {
      DurableFiles.deleteTree(partitionDir(table, partition));
    }
  }

  /** Deletes the job directory; called once the whole job succeeded (the lock is kept). */
  public void delete() {
    deleteLocked(directory);
  }

  /** Releases the job's lock: from now on another run may resume (or supersede) it. */
  @Override
  public void close() {
    lock.close();
  }
}
