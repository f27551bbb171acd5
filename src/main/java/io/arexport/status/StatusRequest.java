package io.arexport.status;

import java.nio.file.Path;

/**
 * A validated status request. The databases are optional: when they cannot be read the status
 * says why instead of the source's tip.
 */
public record StatusRequest(Path warehouseDir, Path stagingDir, Path coreDb, Path bundlesDb) {
  public StatusRequest {
    warehouseDir = warehouseDir.toAbsolutePath().normalize();
    stagingDir = stagingDir.toAbsolutePath().normalize();
    coreDb = coreDb.toAbsolutePath().normalize();
    bundlesDb = bundlesDb.toAbsolutePath().normalize();
  }
}
