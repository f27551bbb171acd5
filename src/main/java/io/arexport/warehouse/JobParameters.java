package io.arexport.warehouse;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The parameters that decide what a job writes. A job can be resumed only by a run with the same
 * parameters; paths are absolute so a run from another directory still matches.
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
    compare(differences, "coreDb", coreDb, other.coreDb);
    compare(differences, "bundlesDb", bundlesDb, other.bundlesDb);
    compare(differences, "warehouseDir", warehouseDir, other.warehouseDir);
    return differences;
  }

  private static void compare(List<String> out, String name, Object job, Object run) {
    if (!Objects.equals(job, run)) {
      out.add(name + ": job has " + job + ", this run has " + run);
    }
  }
}
