package io.arexport.lakehouse;

import io.arexport.testing.services.LakehouseServices;
import io.arexport.testing.services.PostgresService;
import io.arexport.testing.services.RestCatalogService;
import io.arexport.testing.services.S3ProxyService;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * Test support: a catalog on the real services (JdbcCatalog on PostgreSQL or Iceberg's REST
 * catalog server, data in s3proxy), a namespace of its own, the arexport options that reach it,
 * and an independent Iceberg client ({@link CatalogUtil}) that reads it back.
 *
 * @param secrets values that must never appear in arexport's output
 */
record ServiceCatalog(String kind, List<String> options, Map<String, String> clientProperties,
    String namespace, String bucket, S3ProxyService s3, List<String> secrets) {

  /** A JdbcCatalog in a new PostgreSQL database, tables in a new bucket. */
  static ServiceCatalog jdbc(PostgresService postgres, S3ProxyService s3) {
    String bucket = LakehouseServices.uniqueName("jdbc");
    String warehouse = s3.createBucket(bucket, "lake");
    String url = postgres.createDatabase();
    String namespace = "default";
    List<String> options = new ArrayList<>(List.of("--catalog-type", "jdbc", "--catalog-uri",
        url, "--catalog-warehouse", warehouse));
    postgres.jdbcCatalogProperties().forEach((k, v) -> {
      options.add("--catalog-property");
      options.add(k + "=" + v);
    });
    options.addAll(s3.catalogPropertyArgs());
    Map<String, String> client = new LinkedHashMap<>();
    client.put("type", "jdbc");
    client.put("uri", url);
    client.put("warehouse", warehouse);
    client.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    client.putAll(postgres.jdbcCatalogProperties());
    client.putAll(s3.fileIoProperties());
    return new ServiceCatalog("jdbc", options, client, namespace, bucket, s3,
        List.of(postgres.password(), s3.secretAccessKey()));
  }

  /** The shared REST catalog server, a namespace of its own. */
  static ServiceCatalog rest(RestCatalogService rest, S3ProxyService s3) {
    String namespace = LakehouseServices.uniqueName("ns").replace('-', '_');
    List<String> options = new ArrayList<>(rest.catalogArgs());
    options.addAll(List.of("--namespace", namespace));
    Map<String, String> client = new LinkedHashMap<>(rest.clientProperties());
    client.put("type", "rest");
    return new ServiceCatalog("rest", options, client, namespace,
        rest.warehouse().substring("s3://".length()).split("/")[0], s3,
        List.of(s3.secretAccessKey()));
  }

  /**
   * The same catalog with no S3 key pair and no region among arexport's options (the client
   * properties of the independent reader keep them): S3 credentials must then come from the AWS
   * SDK's default chain.
   */
  ServiceCatalog withoutS3Credentials() {
    Set<String> dropped = Set.of("s3.access-key-id", "s3.secret-access-key", "client.region");
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < options.size(); i++) {
      String option = options.get(i);
      if (option.equals("--catalog-property") && i + 1 < options.size()
          && dropped.contains(options.get(i + 1).substring(0, options.get(i + 1).indexOf('=')))) {
        i++;
        continue;
      }
      kept.add(option);
    }
    return new ServiceCatalog(kind, kept, clientProperties, namespace, bucket, s3, secrets);
  }

  /** {@code args} followed by the catalog options. */
  String[] with(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(options);
    return all.toArray(String[]::new);
  }

  Table load(String table) {
    Catalog catalog = CatalogUtil.buildIcebergCatalog("ar_io", clientProperties,
        new Configuration());
    try {
      return catalog.loadTable(TableIdentifier.of(namespace, table));
    } finally {
      if (catalog instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  /** Data objects in the bucket under the table's data/ that no snapshot of it references. */
  List<String> unreferencedDataObjects() {
    List<String> orphans = new ArrayList<>();
    for (String name : CatalogExportTest.TABLES) {
      Table table = load(name);
      Set<String> referenced = new HashSet<>();
      for (Snapshot snapshot : table.snapshots()) {
        for (DataFile file : snapshot.addedDataFiles(table.io())) {
          referenced.add(file.location());
        }
      }
      String prefix = table.location().substring(("s3://" + bucket + "/").length()) + "/data/";
      for (String key : s3.listKeys(bucket, prefix)) {
        if (!referenced.contains("s3://" + bucket + "/" + key)) {
          orphans.add(key);
        }
      }
    }
    return orphans;
  }

  /**
   * Every object under the tables' locations (data and metadata) that the table does not
   * reference: not a data file of a retained snapshot, not a manifest or manifest list of one,
   * not the current metadata file or one in its metadata log. After a crash and the next
   * successful run this must be empty.
   */
  List<String> unreferencedObjects() {
    List<String> orphans = new ArrayList<>();
    String root = "s3://" + bucket + "/";
    for (String name : CatalogExportTest.TABLES) {
      Table table = load(name);
      Set<String> referenced = new HashSet<>();
      TableMetadata metadata = ((HasTableOperations) table).operations().current();
      referenced.add(metadata.metadataFileLocation());
      metadata.previousFiles().forEach(entry -> referenced.add(entry.file()));
      for (Snapshot snapshot : table.snapshots()) {
        referenced.add(snapshot.manifestListLocation());
        for (ManifestFile manifest : snapshot.allManifests(table.io())) {
          referenced.add(manifest.path());
        }
        for (DataFile file : snapshot.addedDataFiles(table.io())) {
          referenced.add(file.location());
        }
      }
      String prefix = table.location().substring(root.length()) + "/";
      List<String> keys = s3.listKeys(bucket, prefix);
      if (!keys.contains(metadata.metadataFileLocation().substring(root.length()))) {
        throw new AssertionError("the listing of " + prefix + " misses the current metadata"
            + " file " + metadata.metadataFileLocation() + ": " + keys);
      }
      for (String key : keys) {
        if (!referenced.contains(root + key)) {
          orphans.add(key);
        }
      }
    }
    return orphans;
  }

  /** Every data object key of the table (committed or not). */
  List<String> dataObjects(String name) {
    Table table = load(name);
    String prefix = table.location().substring(("s3://" + bucket + "/").length()) + "/data/";
    return s3.listKeys(bucket, prefix);
  }

  @Override
  public String toString() {
    return kind;
  }

}
