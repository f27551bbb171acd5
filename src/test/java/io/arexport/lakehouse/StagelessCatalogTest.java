package io.arexport.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.catalog.CatalogSpec;
import io.arexport.iceberg.TableDefinition;
import io.arexport.schema.ExportTable;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A catalog without staged table creation (some REST servers answer {@code stage-create} with
 * 406, which Iceberg's client raises as {@link UnsupportedOperationException}): arexport creates
 * its tables with a plain create instead, with the same schema, spec, sort order and properties.
 */
class StagelessCatalogTest {
  @Test
  void tablesAreCreatedWithoutStagedCreation(@TempDir Path work) throws Exception {
    LocalCatalog local = LocalCatalog.in(work);
    CatalogSpec spec = CatalogSpec.resolve(Map.of("type", "jdbc", "uri", local.uri(),
        "warehouse", local.warehouse().toString()), List.of(), Optional.empty());
    try (CatalogTables tables = new CatalogTables(spec, new Stageless(local.open()))) {
      for (ExportTable table : ExportTable.values()) {
        tables.loadOrCreate(table, 50);
      }
    }
    for (ExportTable table : ExportTable.values()) {
      Table created = local.load(table.tableName());
      assertThat(TableDefinition.sameSchema(table, created.schema())).isTrue();
      assertThat(created.spec().fields()).singleElement().asString().contains("truncate[50]");
      assertThat(created.sortOrder().isSorted()).isTrue();
      assertThat(created.properties()).containsKey(TableDefinition.PARTITION_SIZE_PROPERTY);
    }
  }

  /** A JdbcCatalog whose table builders refuse every staged creation. */
  private record Stageless(JdbcCatalog delegate) implements Catalog, SupportsNamespaces,
      Closeable {
    @Override
    public List<TableIdentifier> listTables(Namespace namespace) {
      return delegate.listTables(namespace);
    }

    @Override
    public boolean dropTable(TableIdentifier identifier, boolean purge) {
      return delegate.dropTable(identifier, purge);
    }

    @Override
    public void renameTable(TableIdentifier from, TableIdentifier to) {
      delegate.renameTable(from, to);
    }

    @Override
    public Table loadTable(TableIdentifier identifier) {
      return delegate.loadTable(identifier);
    }

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public TableBuilder buildTable(TableIdentifier identifier, Schema schema) {
      return new NoStaging(delegate.buildTable(identifier, schema));
    }

    @Override
    public void createNamespace(Namespace namespace, Map<String, String> metadata) {
      delegate.createNamespace(namespace, metadata);
    }

    @Override
    public List<Namespace> listNamespaces(Namespace namespace) {
      return delegate.listNamespaces(namespace);
    }

    @Override
    public Map<String, String> loadNamespaceMetadata(Namespace namespace) {
      return delegate.loadNamespaceMetadata(namespace);
    }

    @Override
    public boolean dropNamespace(Namespace namespace) {
      return delegate.dropNamespace(namespace);
    }

    @Override
    public boolean setProperties(Namespace namespace, Map<String, String> properties) {
      return delegate.setProperties(namespace, properties);
    }

    @Override
    public boolean removeProperties(Namespace namespace, Set<String> properties) {
      return delegate.removeProperties(namespace, properties);
    }

    @Override
    public void close() throws IOException {
      delegate.close();
    }
  }

  private record NoStaging(Catalog.TableBuilder delegate) implements Catalog.TableBuilder {
    @Override
    public Catalog.TableBuilder withPartitionSpec(PartitionSpec spec) {
      return new NoStaging(delegate.withPartitionSpec(spec));
    }

    @Override
    public Catalog.TableBuilder withSortOrder(SortOrder sortOrder) {
      return new NoStaging(delegate.withSortOrder(sortOrder));
    }

    @Override
    public Catalog.TableBuilder withLocation(String location) {
      return new NoStaging(delegate.withLocation(location));
    }

    @Override
    public Catalog.TableBuilder withProperties(Map<String, String> properties) {
      return new NoStaging(delegate.withProperties(properties));
    }

    @Override
    public Catalog.TableBuilder withProperty(String key, String value) {
      return new NoStaging(delegate.withProperty(key, value));
    }

    @Override
    public Table create() {
      return delegate.create();
    }

    @Override
    public Transaction createTransaction() {
      throw new UnsupportedOperationException("stage-create is not supported");
    }

    @Override
    public Transaction replaceTransaction() {
      throw new UnsupportedOperationException("stage-create is not supported");
    }

    @Override
    public Transaction createOrReplaceTransaction() {
      throw new UnsupportedOperationException("stage-create is not supported");
    }
  }
}
