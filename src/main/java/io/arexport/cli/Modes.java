package io.arexport.cli;

import io.arexport.catalog.CatalogSpec;
import io.arexport.export.DirectoryPublisher;
import io.arexport.export.FaultPoints;
import io.arexport.export.PartitionPublisher;
import io.arexport.iceberg.MetadataWriter;
import io.arexport.lakehouse.CatalogCoverage;
import io.arexport.lakehouse.CatalogPublisher;
import io.arexport.lakehouse.CatalogSide;
import io.arexport.sync.CoverageStore;
import io.arexport.sync.DirectoryCoverageStore;
import io.arexport.verify.Verifier;
import io.arexport.verify.WarehouseSide;
import io.arexport.warehouse.WarehouseLayout;
import java.nio.file.Path;

/**
 * The one place that picks, for a run's destination, the directory or the catalog implementation
 * of each seam the core exposes: the exporter, the syncer and the verifier know neither mode.
 */
final class Modes {
  private Modes() {}

  /** Where an export publishes its partitions: renamed into the directory, or committed. */
  static PartitionPublisher.Opener publisher(CatalogSpec catalog, CommandEnvironment environment,
      FaultPoints faults) {
    return catalog.isDirectory()
        ? DirectoryPublisher.opener(new MetadataWriter(environment.clock(), environment.pid(),
            faults))
        : CatalogPublisher.opener(environment.clock(), environment.pid(), faults);
  }

  /** What a sync counts as exported: the directory's partitions, or the catalog tables'. */
  static CoverageStore coverage(CatalogSpec catalog, Path warehouseDir) {
    return catalog.isDirectory()
        ? new DirectoryCoverageStore(new WarehouseLayout(warehouseDir))
        : CatalogCoverage.opening(catalog);
  }

  /** What verify compares with the source: the directory's files, or the catalog's tables. */
  static WarehouseSide.Opener verifiedSide(CatalogSpec catalog) {
    return catalog.isDirectory() ? Verifier.DIRECTORY : CatalogSide::open;
  }
}
