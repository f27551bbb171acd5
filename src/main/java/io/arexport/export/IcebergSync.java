package io.arexport.export;

import io.arexport.HeightRange;
import io.arexport.warehouse.WarehouseLayout;
import java.nio.file.Path;

/**
 * Brings the Iceberg metadata of tables that already have it up to date with the warehouse at the
 * end of a directory-mode export (contract section 5). Runs under the export's warehouse lock.
 */
public interface IcebergSync {
  IcebergSync NONE = layout -> false;

  /** Commits a snapshot for each table that has Iceberg metadata; true if any was committed. */
  boolean syncExistingTables(WarehouseLayout layout);

  /**
   * Before an export writes anything: fails (naming the problem) when the closing commit would be
   * impossible, so no partition is replaced that the metadata could not then record. Only reads.
   *
   * @param range the heights the export writes: the partitions the warehouse holds there are
   *     replaced
   */
  default void checkBeforeExport(Path warehouseDir, long heightPartitionSize,
      HeightRange range) {}
}
