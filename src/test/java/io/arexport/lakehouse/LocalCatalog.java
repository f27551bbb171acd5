package io.arexport.lakehouse;

import io.arexport.catalog.CatalogSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;

/**
 * Test support: a JdbcCatalog on a SQLite file over a local warehouse directory, as one writer
 * uses it (no services). {@link #options} are the {@code --catalog-*} options that reach it;
 * {@link #load} opens a table with Iceberg's own JdbcCatalog, independently of arexport.
 */
record LocalCatalog(Path database, Path warehouse) {
  static LocalCatalog in(Path dir) {
    return new LocalCatalog(dir.resolve("catalog.db"), dir.resolve("lake"));
  }

  String uri() {
    return "jdbc:sqlite:" + database;
  }

  List<String> options() {
    return List.of("--catalog-type", "jdbc", "--catalog-uri", uri(),
        "--catalog-warehouse", warehouse.toString());
  }

  /** {@code args} followed by the catalog options. */
  String[] with(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(options());
    return all.toArray(String[]::new);
  }

  /**
   * The table as Iceberg's JdbcCatalog loads it. The catalog is closed again (an idle SQLite
   * connection of a reader would make the next writer's commit fail with SQLITE_BUSY); the table
   * still reads its data files, it just cannot refresh.
   */
  Table load(String table) {
    try (JdbcCatalog catalog = open()) {
      return catalog.loadTable(TableIdentifier.of("default", table));
    }
  }

  /** The catalog as another engine opens it, with Iceberg's own JdbcCatalog; close it after. */
  JdbcCatalog open() {
    JdbcCatalog catalog = new JdbcCatalog();
    catalog.setConf(new Configuration());
    catalog.initialize(CatalogSpec.DEFAULT_NAME, Map.of(CatalogProperties.URI, uri(),
        CatalogProperties.WAREHOUSE_LOCATION, warehouse.toString()));
    return catalog;
  }

  /** Every Parquet file under the warehouse (committed or not). */
  List<Path> parquetFiles() {
    if (!Files.isDirectory(warehouse)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(warehouse)) {
      return files.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
