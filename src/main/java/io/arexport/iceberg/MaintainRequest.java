package io.arexport.iceberg;

import io.arexport.InvalidInputException;
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
    tables = List.copyOf(tables.stream().distinct().toList());
    if (tables.isEmpty()) {
      throw new InvalidInputException("--tables names no table (expected blocks, transactions"
          + " and/or tags)");
    }
  }

  /**
   * Parses {@code --tables blocks,tags} for the tables of {@code catalog}; null (not given) means
   * all three.
   */
  public static MaintainRequest of(Path warehouseDir, List<String> tables, CatalogSpec catalog) {
    // picocli gives an empty list for "--tables ,": named, but no table (refused below).
    boolean named = tables != null;
    List<ExportTable> selected = named
        ? tables.stream().map(String::trim).map(ExportTable::byName).toList()
        : List.of(ExportTable.values());
    return new MaintainRequest(warehouseDir, selected, named, catalog);
  }
}
