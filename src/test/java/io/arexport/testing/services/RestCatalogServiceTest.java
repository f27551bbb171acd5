package io.arexport.testing.services;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The REST catalog server: an Iceberg RESTCatalog client creates a table, appends a data file
 * and reads it back; metadata and data land in s3proxy under the server's warehouse, and the
 * server's backing JdbcCatalog in PostgreSQL points at the new metadata file.
 */
@ExtendWith(LakehouseServices.class)
class RestCatalogServiceTest {

  @Test
  void tableMetadataAndDataLandInS3(RestCatalogService rest, S3ProxyService s3,
      PostgresService postgres) throws Exception {
    assertThat(rest.uri().getHost()).isEqualTo("127.0.0.1");
    Namespace ns = Namespace.of(LakehouseServices.uniqueName("smoke"));
    Schema schema = new Schema(Types.NestedField.required(1, "height", Types.LongType.get()),
        Types.NestedField.optional(2, "id", Types.StringType.get()));
    try (RESTCatalog catalog = new RESTCatalog()) {
      catalog.setConf(new Configuration());
      catalog.initialize("ar_io", rest.clientProperties());
      catalog.createNamespace(ns);
      Table table = catalog.createTable(TableIdentifier.of(ns, "blocks"), schema,
          PartitionSpec.unpartitioned());
      assertThat(table.location()).startsWith(rest.warehouse() + "/");

      OutputFile out = table.io().newOutputFile(table.location() + "/data/smoke-1.parquet");
      DataWriter<Record> writer = new GenericAppenderFactory(schema)
          .newDataWriter(table.encryption().encrypt(out), FileFormat.PARQUET, null);
      try (writer) {
        for (long h = 1; h <= 3; h++) {
          GenericRecord r = GenericRecord.create(schema);
          r.setField("height", h);
          r.setField("id", "b" + h);
          writer.write(r);
        }
      }
      DataFile file = writer.toDataFile();
      table.newAppend().appendFile(file).commit();

      Table reloaded = catalog.loadTable(TableIdentifier.of(ns, "blocks"));
      List<Long> heights;
      try (CloseableIterable<Record> rows = IcebergGenerics.read(reloaded).build()) {
        heights = new java.util.ArrayList<>();
        rows.forEach(r -> heights.add((Long) r.getField("height")));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      assertThat(heights).containsExactlyInAnyOrder(1L, 2L, 3L);

      String bucket = rest.warehouse().substring("s3://".length());
      String prefix = ns + "/blocks/";
      List<String> keys = s3.listKeys(bucket, prefix);
      assertThat(keys).contains(prefix + "data/smoke-1.parquet");
      assertThat(keys).anyMatch(k -> k.startsWith(prefix + "metadata/") && k.endsWith(".metadata.json"));
      assertThat(keys).anyMatch(k -> k.startsWith(prefix + "metadata/snap-") && k.endsWith(".avro"));

      String current = ((org.apache.iceberg.HasTableOperations) reloaded).operations().current()
          .metadataFileLocation();
      try (var c = postgres.connect(rest.backingJdbcUrl()); var s = c.createStatement();
          var rs = s.executeQuery("SELECT metadata_location FROM iceberg_tables"
              + " WHERE table_name = 'blocks' AND table_namespace = '" + ns + "'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(current);
      }
    }
  }
}
