package io.arexport.testing.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The throwaway PostgreSQL cluster: a password login over TCP works (a wrong password does not),
 * and Iceberg's JdbcCatalog keeps a namespace and a table in it (seen by a second catalog
 * instance, and in the iceberg_tables rows).
 */
@ExtendWith(LakehouseServices.class)
class PostgresServiceTest {

  @Test
  void passwordUserOverLoopbackTcp(PostgresService postgres) throws SQLException {
    String url = postgres.createDatabase();
    assertThat(url).startsWith("jdbc:postgresql://127.0.0.1:" + postgres.port() + "/");
    try (Connection c = postgres.connect(url); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_user, inet_server_addr()::text")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(postgres.user());
      assertThat(rs.getString(2)).isEqualTo("127.0.0.1/32");
    }
    assertThatThrownBy(() -> DriverManager.getConnection(url, postgres.user(), "wrong"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("password authentication failed");
  }

  @Test
  void jdbcCatalogCreatesNamespaceAndTable(PostgresService postgres, @org.junit.jupiter.api.io.TempDir
      java.nio.file.Path warehouse) throws SQLException {
    String url = postgres.createDatabase();
    Map<String, String> props = new HashMap<>(postgres.jdbcCatalogProperties());
    props.put(CatalogProperties.URI, url);
    props.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse.toUri().toString());
    Schema schema = new Schema(Types.NestedField.required(1, "height", Types.LongType.get()));
    TableIdentifier id = TableIdentifier.of(Namespace.of("smoke"), "blocks");
    try (JdbcCatalog writer = new JdbcCatalog()) {
      writer.setConf(new Configuration());
      writer.initialize("ar_io", props);
      writer.createNamespace(Namespace.of("smoke"));
      writer.createTable(id, schema);
    }
    try (JdbcCatalog reader = new JdbcCatalog()) {
      reader.setConf(new Configuration());
      reader.initialize("ar_io", props);
      assertThat(reader.listNamespaces()).contains(Namespace.of("smoke"));
      Table table = reader.loadTable(id);
      assertThat(table.schema().asStruct()).isEqualTo(schema.asStruct());
    }
    try (Connection c = postgres.connect(url); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT catalog_name, table_namespace, table_name,"
            + " metadata_location FROM iceberg_tables")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("ar_io");
      assertThat(rs.getString(2)).isEqualTo("smoke");
      assertThat(rs.getString(3)).isEqualTo("blocks");
      assertThat(rs.getString(4)).contains("/smoke/blocks/metadata/").endsWith(".metadata.json");
      assertThat(rs.next()).isFalse();
    }
  }
}
