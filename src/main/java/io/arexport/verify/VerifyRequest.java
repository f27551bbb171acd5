package io.arexport.verify;

import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import io.arexport.catalog.CatalogSpec;
import java.nio.file.Path;

/**
 * A validated verify request. The range, partition size and L1 flags must be those the export
 * used: they decide which rows the warehouse must hold and how its partitions are aligned.
 *
 * @param deep also compare a digest of every value of every row, not only row counts
 * @param catalog where the tables are: {@link CatalogSpec#DIRECTORY} for {@code warehouseDir}
 */
public record VerifyRequest(
    HeightRange range,
    long heightPartitionSize,
    boolean includeL1Transactions,
    boolean includeL1Tags,
    Path coreDb,
    Path bundlesDb,
    Path warehouseDir,
    boolean deep,
    CatalogSpec catalog) {

  public VerifyRequest {
    if (heightPartitionSize < 1) {
      throw new InvalidInputException(
          "heightPartitionSize must be at least 1: " + heightPartitionSize);
    }
    coreDb = coreDb.toAbsolutePath().normalize();
    bundlesDb = bundlesDb.toAbsolutePath().normalize();
    warehouseDir = warehouseDir.toAbsolutePath().normalize();
    if (catalog == null) {
      catalog = CatalogSpec.DIRECTORY;
    }
  }

  /**
   * What is verified, as reports name it: the warehouse directory, or in catalog mode the
   * catalog's description (no secret), as {@code status} names it.
   */
  public String destination() {
    return catalog.isDirectory() ? warehouseDir.toString() : catalog.describe();
  }
}
