package io.arexport.sync;

import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import io.arexport.export.ExportRequest;
import io.arexport.catalog.CatalogSpec;
import io.arexport.parquet.Compression;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * A validated sync request: the export settings of {@link ExportRequest} without a fixed range.
 *
 * @param startHeight the lowest height the warehouse should hold; empty: where it starts now, or
 *     the source's lowest stable height when it is empty
 * @param endHeight the highest height to export; empty: the source's stable tip
 * @param threads partitions staged at once (see {@link ExportRequest})
 * @param fillGaps also export the missing partitions below the frontier
 * @param catalog where the exports publish: {@link CatalogSpec#DIRECTORY} for the warehouse
 *     directory, or a catalog (see {@link ExportRequest#catalog})
 */
public record SyncRequest(
    OptionalLong startHeight,
    OptionalLong endHeight,
    long heightPartitionSize,
    long maxFileRows,
    boolean includeL1Transactions,
    boolean includeL1Tags,
    Path coreDb,
    Path bundlesDb,
    Path stagingDir,
    Path warehouseDir,
    Compression compression,
    boolean commitIceberg,
    int threads,
    boolean fillGaps,
    CatalogSpec catalog) {

  public SyncRequest {
    if (startHeight.isPresent() && startHeight.getAsLong() < 0) {
      throw new InvalidInputException("startHeight must not be negative: "
          + startHeight.getAsLong());
    }
    if (startHeight.isPresent() && endHeight.isPresent()
        && startHeight.getAsLong() > endHeight.getAsLong()) {
      throw new InvalidInputException("startHeight " + startHeight.getAsLong()
          + " is greater than endHeight " + endHeight.getAsLong());
    }
    if (endHeight.isPresent() && endHeight.getAsLong() < 0) {
      throw new InvalidInputException("endHeight must not be negative: " + endHeight.getAsLong());
    }
    if (catalog == null) {
      catalog = CatalogSpec.DIRECTORY;
    }
    // The export request checks the rest (partition size, file rows) and normalizes the paths.
    ExportRequest checked = ExportRequest.builder(new HeightRange(0, 0), coreDb, bundlesDb)
        .stagingDir(stagingDir)
        .warehouseDir(warehouseDir)
        .heightPartitionSize(heightPartitionSize)
        .maxFileRows(maxFileRows)
        .compression(compression)
        .commitIceberg(commitIceberg)
        .threads(threads)
        .catalog(catalog)
        .build();
    coreDb = checked.coreDb();
    bundlesDb = checked.bundlesDb();
    stagingDir = checked.stagingDir();
    warehouseDir = checked.warehouseDir();
  }

  /** The export of {@code range} with this request's settings. */
  public ExportRequest exportOf(HeightRange range, boolean resume) {
    return ExportRequest.builder(range, coreDb, bundlesDb)
        .stagingDir(stagingDir)
        .warehouseDir(warehouseDir)
        .heightPartitionSize(heightPartitionSize)
        .maxFileRows(maxFileRows)
        .includeL1Transactions(includeL1Transactions)
        .includeL1Tags(includeL1Tags)
        .resume(resume)
        .compression(compression)
        .commitIceberg(commitIceberg)
        .threads(threads)
        .catalog(catalog)
        .build();
  }

  public ExportSettings settings() {
    return new ExportSettings(includeL1Transactions, includeL1Tags, heightPartitionSize);
  }
}
