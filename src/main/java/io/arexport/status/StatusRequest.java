package io.arexport.status;

import io.arexport.InvalidInputException;
import io.arexport.catalog.CatalogSpec;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A validated status request. The databases are optional: when they cannot be read the status
 * says why instead of the source's tip.
 *
 * @param catalog where the tables live: {@link CatalogSpec#DIRECTORY} for the directory
 *     warehouse at {@code warehouseDir}, else a catalog (then {@code warehouseDir} is unused)
 */
public record StatusRequest(Path warehouseDir, Path stagingDir, Path coreDb, Path bundlesDb,
    CatalogSpec catalog) {
  /** A directory-mode request. */
  public StatusRequest(Path warehouseDir, Path stagingDir, Path coreDb, Path bundlesDb) {
    this(warehouseDir, stagingDir, coreDb, bundlesDb, CatalogSpec.DIRECTORY);
  }

  public StatusRequest {
    warehouseDir = warehouseDir.toAbsolutePath().normalize();
    stagingDir = stagingDir.toAbsolutePath().normalize();
    // Missing is fine (no job yet); a file there would silently list no jobs, where export and
    // sync refuse it.
    if (Files.exists(stagingDir) && !Files.isDirectory(stagingDir)) {
      throw new InvalidInputException("--stagingDir " + stagingDir + " is not a directory");
    }
    coreDb = coreDb.toAbsolutePath().normalize();
    bundlesDb = bundlesDb.toAbsolutePath().normalize();
  }
}
