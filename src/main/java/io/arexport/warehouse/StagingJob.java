package io.arexport.warehouse;

import io.arexport.RuntimeFailureException;
import io.arexport.StateConflictException;
import io.arexport.fs.DurableFiles;
import io.arexport.schema.ExportTable;
import io.arexport.HeightRange;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A job's working directory, {@code <staging>/job-<yyyyMMdd_HHmmss>_<pid>/}, holding {@code
 * .checkpoint} and the files of the partition being written ({@code <table>/height=S-E/}).
 */
public final class StagingJob {
  private static final DateTimeFormatter JOB_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);
  /** {@link #create}'s names: {@code job-<yyyyMMdd_HHmmss>_<pid>}, {@code -<n>} on a clash. */
  private static final Pattern JOB_DIRECTORY = Pattern.compile("job-\\d{8}_\\d{6}_\\d+(-\\d+)?");
  static final String CHECKPOINT = ".checkpoint";

  /** True when {@code name} is a job directory's name as {@link #create} makes them. */
  public static boolean isJobDirectoryName(String name) {
    return JOB_DIRECTORY.matcher(name).matches();
  }

  private final Path directory;
  private Checkpoint checkpoint;

  private StagingJob(Path directory, Checkpoint checkpoint) {
    this.directory = directory;
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
        Checkpoint checkpoint = new Checkpoint(Checkpoint.FORMAT_VERSION,
            dir.getFileName().toString().substring("job-".length()), parameters,
            parameters.startHeight() - 1, now.toString());
        StagingJob job = new StagingJob(dir, checkpoint);
        Json.write(dir.resolve(CHECKPOINT), checkpoint);
        return job;
      }
    } catch (IOException e) {
      throw new RuntimeFailureException(
          "cannot create staging job in " + stagingDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Finds the newest unfinished job with exactly these parameters. A job for the same range and
   * warehouse whose other parameters differ is a conflict, reported with the differences.
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
      Checkpoint checkpoint = Json.read(dir.resolve(CHECKPOINT), Checkpoint.class);
      JobParameters theirs = checkpoint.parameters();
      List<String> differences = theirs.differences(parameters);
      if (differences.isEmpty()) {
        return Optional.of(new StagingJob(dir, checkpoint));
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
   * Deletes unfinished jobs with exactly these parameters after a run with them succeeded: the
   * warehouse now holds what they would have written, and resuming one would only redo work.
   */
  public static void deleteSuperseded(Path stagingDir, JobParameters parameters) {
    if (!Files.isDirectory(stagingDir)) {
      return;
    }
    List<Path> jobs;
    List<Path> unborn;
    try (Stream<Path> children = Files.list(stagingDir)) {
      List<Path> all = children.filter(p -> p.getFileName().toString().startsWith("job-"))
          .filter(Files::isDirectory).toList();
      jobs = all.stream().filter(p -> Files.isRegularFile(p.resolve(CHECKPOINT))).toList();
      unborn = all.stream().filter(p -> !Files.exists(p.resolve(CHECKPOINT))).toList();
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot list " + stagingDir + ": " + e.getMessage(), e);
    }
    // A process killed between creating its job directory and writing the first checkpoint left
    // a directory nothing can resume: removed once the process named in it is gone.
    for (Path dir : unborn) {
      if (creatorIsGone(dir.getFileName().toString())) {
        DurableFiles.deleteTree(dir);
      }
    }
    for (Path dir : jobs) {
      try {
        if (Json.read(dir.resolve(CHECKPOINT), Checkpoint.class).parameters()
            .differences(parameters).isEmpty()) {
          DurableFiles.deleteTree(dir);
        }
      } catch (StateConflictException e) {
        // An unreadable checkpoint is not ours to judge; leave that job alone.
      }
    }
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

  /** Deletes the job directory; called once the whole job succeeded. */
  public void delete() {
    DurableFiles.deleteTree(directory);
  }
}
