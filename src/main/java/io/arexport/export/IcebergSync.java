package io.arexport.export;

import io.arexport.warehouse.WarehouseLayout;

/**
 * Brings the Iceberg metadata of tables that already have it up to date with the warehouse at the
 * end of an export (contract section 5). Runs under the export's warehouse lock.
 */
@FunctionalInterface
public interface IcebergSync {
  IcebergSync NONE = layout -> false;

  /** Commits a snapshot for each table that has Iceberg metadata; true if any was committed. */
  boolean syncExistingTables(WarehouseLayout layout);
}
