package io.arexport.iceberg;

import io.arexport.catalog.CatalogSpec;
import io.arexport.schema.ExportTable;
import java.nio.file.Path;
import java.util.List;

/**
 * A validated {@code arexport maintain} request.
 *
 * @param warehouseDir the warehouse ({@code --datasets-dir}), absolute and normalized
 * @param tables the tables to maintain, without duplicates
 * @param tablesNamed true when the operator named the tables, so one without metadata is an error
 * @param catalog where the tables live: {@link CatalogSpec#DIRECTORY} for the warehouse at {@code
 *     warehouseDir}, otherwise the catalog's tables (then {@code warehouseDir} is unused)
 */
public record MaintainRequest(Path warehouseDir, List<ExportTable> tables, boolean tablesNamed,
    CatalogSpec catalog) {

  public MaintainRequest {
    warehouseDir = warehouseDir.toAbsolutePath().normalize();
    tables = TableSelection.distinct(tables);
  }

  /**
   * Parses {@code --tables blocks,tags} for the tables of {@code catalog}; null (not given) means
   * all three.
   */
  public static MaintainRequest of(Path warehouseDir, List<String> tables, CatalogSpec catalog) {
    TableSelection selection = TableSelection.parse(tables);
    return new MaintainRequest(warehouseDir, selection.tables(), selection.named(), catalog);
  }
}
