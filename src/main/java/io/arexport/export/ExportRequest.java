package io.arexport.export;

import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import io.arexport.lakehouse.CatalogSpec;
import io.arexport.parquet.Compression;
import io.arexport.warehouse.JobParameters;
import java.nio.file.Path;

/**
 * A validated export request: everything {@link Exporter} needs, nothing about the CLI. {@code
 * threads} is how many partitions are staged at once; it is not a job parameter (a resume may use
 * another number), since the output does not depend on it.
 */
public record ExportRequest(
    HeightRange range,
    long heightPartitionSize,
    long maxFileRows,
    boolean includeL1Transactions,
    boolean includeL1Tags,
    Path coreDb,
    Path bundlesDb,
    Path stagingDir,
    Path warehouseDir,
    boolean resume,
    Compression compression,
    boolean commitIceberg,
    int threads,
    CatalogSpec catalog) {

  /** More partitions in flight than this only costs memory. */
  public static final int MAX_THREADS = 64;

  public ExportRequest {
    if (heightPartitionSize < 1) {
      throw new InvalidInputException(
          "heightPartitionSize must be at least 1: " + heightPartitionSize);
    }
    if (threads < 1 || threads > MAX_THREADS) {
      throw new InvalidInputException(
          "threads must be between 1 and " + MAX_THREADS + ": " + threads);
    }
    if (maxFileRows < 1) {
      throw new InvalidInputException("maxFileRows must be at least 1: " + maxFileRows);
    }
    coreDb = coreDb.toAbsolutePath().normalize();
    bundlesDb = bundlesDb.toAbsolutePath().normalize();
    stagingDir = stagingDir.toAbsolutePath().normalize();
    if (catalog == null) {
      catalog = CatalogSpec.DIRECTORY;
    }
    if (catalog.isDirectory() && CatalogSpec.namesObjectStore(warehouseDir.toString())) {
      throw new InvalidInputException("--warehouseDir " + warehouseDir + " is an object store,"
          + " which has no atomic rename: use --catalog-type rest or jdbc with"
          + " --catalog-warehouse (docs/lakehouse.md)");
    }
    warehouseDir = warehouseDir.toAbsolutePath().normalize();
  }

  /** The request of directory mode (no catalog). */
  public ExportRequest(HeightRange range, long heightPartitionSize, long maxFileRows,
      boolean includeL1Transactions, boolean includeL1Tags, Path coreDb, Path bundlesDb,
      Path stagingDir, Path warehouseDir, boolean resume, Compression compression,
      boolean commitIceberg, int threads) {
    this(range, heightPartitionSize, maxFileRows, includeL1Transactions, includeL1Tags, coreDb,
        bundlesDb, stagingDir, warehouseDir, resume, compression, commitIceberg, threads,
        CatalogSpec.DIRECTORY);
  }

  /**
   * Where the run publishes, as its job parameters record it: the warehouse directory, or the
   * catalog destination (without secrets) in catalog mode.
   */
  public String destinationId() {
    return catalog.isDirectory() ? warehouseDir.toString() : "catalog: " + catalog.describe();
  }

  /** The parameters a resumed job must share with this request. */
  public JobParameters jobParameters() {
    return new JobParameters(range.start(), range.end(), heightPartitionSize, maxFileRows,
        includeL1Transactions, includeL1Tags, coreDb.toString(), bundlesDb.toString(),
        destinationId());
  }
}
