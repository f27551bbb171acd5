package io.arexport.verify;

import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import java.nio.file.Path;

/**
 * A validated verify request. The range, partition size and L1 flags must be those the export
 * used: they decide which rows the warehouse must hold and how its partitions are aligned.
 *
 * @param deep also compare a digest of every value of every row, not only row counts
 */
public record VerifyRequest(
    HeightRange range,
    long heightPartitionSize,
    boolean includeL1Transactions,
    boolean includeL1Tags,
    Path coreDb,
    Path bundlesDb,
    Path warehouseDir,
    boolean deep) {

  public VerifyRequest {
    if (heightPartitionSize < 1) {
      throw new InvalidInputException(
          "heightPartitionSize must be at least 1: " + heightPartitionSize);
    }
    coreDb = coreDb.toAbsolutePath().normalize();
    bundlesDb = bundlesDb.toAbsolutePath().normalize();
    warehouseDir = warehouseDir.toAbsolutePath().normalize();
  }
}
