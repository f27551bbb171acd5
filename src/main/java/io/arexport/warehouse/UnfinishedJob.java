package io.arexport.warehouse;

import io.arexport.RuntimeFailureException;
import io.arexport.StateConflictException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A job directory left in staging by a run that did not finish (failed, stopped or killed), as
 * {@code status} lists them and {@code sync} resumes them.
 *
 * @param checkpoint its checkpoint; null when it has none or it cannot be read
 * @param problem why the checkpoint is missing or unreadable; null when it was read
 * @param running whether a live run holds the job's lock (it is being worked on, not left
 *     behind: {@code sync} does not resume it, {@code status} does not offer its resume command)
 */
public record UnfinishedJob(Path directory, Checkpoint checkpoint, String problem,
    boolean running) {

  /** True when the job has a checkpoint file (readable or not), false when it was never written. */
  public boolean hasCheckpointFile() {
    return Files.isRegularFile(directory.resolve(StagingJob.CHECKPOINT));
  }

  /** The job directories of {@code stagingDir}, oldest first (job names start with their time). */
  public static List<UnfinishedJob> list(Path stagingDir) {
    List<UnfinishedJob> jobs = new ArrayList<>();
    if (!Files.isDirectory(stagingDir)) {
      return jobs;
    }
    List<Path> dirs;
    try (Stream<Path> children = Files.list(stagingDir)) {
      dirs = children.filter(p -> p.getFileName().toString().startsWith("job-"))
          .filter(Files::isDirectory)
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot list " + stagingDir + ": " + e.getMessage(), e);
    }
    for (Path dir : dirs) {
      Path file = dir.resolve(StagingJob.CHECKPOINT);
      boolean running = JobLock.isHeld(dir);
      if (!Files.isRegularFile(file)) {
        if (!running) {
          jobs.add(new UnfinishedJob(dir, null, "no checkpoint (killed before its first"
              + " checkpoint; removed by the next successful export once its process is gone)",
              false));
        }
        continue; // else just created: its checkpoint is being written
      }
      try {
        jobs.add(new UnfinishedJob(dir, Json.read(file, Checkpoint.class), null, running));
      } catch (StateConflictException e) {
        if (Files.isDirectory(dir)) { // else finished and deleted by its run meanwhile
          jobs.add(new UnfinishedJob(dir, null, e.getMessage(), running));
        }
      }
    }
    return jobs;
  }
}
