package io.arexport.export;

import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import io.arexport.parquet.Compression;
import io.arexport.warehouse.JobParameters;
import java.nio.file.Path;

/** A validated export request: everything {@link Exporter} needs, nothing about the CLI. */
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
    boolean commitIceberg) {

  public ExportRequest {
    if (heightPartitionSize < 1) {
      throw new InvalidInputException(
          "heightPartitionSize must be at least 1: " + heightPartitionSize);
    }
    if (maxFileRows < 1) {
      throw new InvalidInputException("maxFileRows must be at least 1: " + maxFileRows);
    }
    coreDb = coreDb.toAbsolutePath().normalize();
    bundlesDb = bundlesDb.toAbsolutePath().normalize();
    stagingDir = stagingDir.toAbsolutePath().normalize();
    warehouseDir = warehouseDir.toAbsolutePath().normalize();
  }

  /** The parameters a resumed job must share with this request. */
  public JobParameters jobParameters() {
    return new JobParameters(range.start(), range.end(), heightPartitionSize, maxFileRows,
        includeL1Transactions, includeL1Tags, coreDb.toString(), bundlesDb.toString(),
        warehouseDir.toString());
  }
}
