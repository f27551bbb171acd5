package io.arexport.catalog;

import io.arexport.InvalidInputException;
import java.util.Locale;

/** Where tables are published: the directory warehouse, or an Iceberg catalog. */
public enum CatalogType {
  /** Directory mode (contract section 4): the warehouse directory is the truth. */
  HADOOP,
  /** An Iceberg REST catalog (Polaris, Lakekeeper, Glue, Unity, Nessie, R2 Data Catalog...). */
  REST,
  /** Iceberg's JdbcCatalog (PostgreSQL for several writers; SQLite for one). */
  JDBC;

  /** The value of {@code --catalog-type} / {@code type=}; names the bad value otherwise. */
  public static CatalogType parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("--catalog-type must be hadoop, rest or jdbc: " + value);
    }
  }

  /** The spelling of the option value, e.g. {@code rest}. */
  public String optionValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
