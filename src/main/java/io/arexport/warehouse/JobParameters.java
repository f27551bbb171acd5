package io.arexport.warehouse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The parameters that decide what a job writes. A job can be resumed only by a run with the same
 * parameters; paths are absolute so a run from another directory still matches, and paths that
 * lead to the same file match.
 *
 * @param warehouseDir the destination: the warehouse directory, or in catalog mode {@code
 *     "catalog: <type> catalog <name> at <uri>, namespace <ns>[, warehouse <w>]"} (no secrets)
 */
public record JobParameters(
    long startHeight,
    long endHeight,
    long heightPartitionSize,
    long maxFileRows,
    boolean includeL1Transactions,
    boolean includeL1Tags,
    String coreDb,
    String bundlesDb,
    String warehouseDir) {

  /** The parameters that differ, as "name: job has X, this run has Y"; empty when equal. */
  public List<String> differences(JobParameters other) {
    List<String> differences = new ArrayList<>();
    compare(differences, "startHeight", startHeight, other.startHeight);
    compare(differences, "endHeight", endHeight, other.endHeight);
    compare(differences, "heightPartitionSize", heightPartitionSize, other.heightPartitionSize);
    compare(differences, "maxFileRows", maxFileRows, other.maxFileRows);
    compare(differences, "includeL1Transactions", includeL1Transactions,
        other.includeL1Transactions);
    compare(differences, "includeL1Tags", includeL1Tags, other.includeL1Tags);
    comparePaths(differences, "coreDb", coreDb, other.coreDb);
    comparePaths(differences, "bundlesDb", bundlesDb, other.bundlesDb);
    comparePaths(differences, "warehouseDir", warehouseDir, other.warehouseDir);
    return differences;
  }

  /**
   * Paths name the same database or warehouse when they are equal or lead to the same file: a
   * run that reaches the job's warehouse through a symlink (or the job's through one) continues
   * it. A catalog destination, or a path that does not exist, matches only itself.
   */
  private static void comparePaths(List<String> out, String name, String job, String run) {
    if (!Objects.equals(job, run) && !sameFile(job, run)) {
      out.add(name + ": job has " + job + ", this run has " + run);
    }
  }

  private static boolean sameFile(String job, String run) {
    try {
      return job != null && run != null && Files.isSameFile(Path.of(job), Path.of(run));
    } catch (IOException | InvalidPathException e) {
      return false;
    }
  }

  private static void compare(List<String> out, String name, Object job, Object run) {
    if (!Objects.equals(job, run)) {
      out.add(name + ": job has " + job + ", this run has " + run);
    }
  }
}
