package io.arexport.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.iceberg.TableMaintenance;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.IcebergReader;
import io.arexport.testing.LoggedWarnings;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SourceOracle;
import io.arexport.testing.services.LakehouseServices;
import io.arexport.testing.services.PostgresService;
import io.arexport.testing.services.S3ProxyService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code arexport maintain} on the real services (JdbcCatalog on PostgreSQL, data in s3proxy):
 * snapshots expire per retention, the objects only expired snapshots referenced are deleted
 * through S3FileIO, every retained snapshot reads the source's rows, and no secret is printed.
 */
@ExtendWith(LakehouseServices.class)
class ServiceCatalogMaintainTest {
  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  @Test
  void expiresSnapshotsAndDeletesTheirObjectsOnS3(@TempDir Path work, PostgresService postgres,
      S3ProxyService s3) throws Exception {
    ServiceCatalog catalog = ServiceCatalog.jdbc(postgres, s3);
    ExportArgs paths = ExportArgs.of(sources, work);
    for (long[] range : new long[][] {{100, 199}, {100, 149}, {100, 149}, {100, 149}}) {
      Cli.Result run = Cli.run(catalog.with(paths.export(range[0], range[1], 50,
          "--includeL1Transactions", "--includeL1Tags")));
      assertThat(run.status()).as(run.err()).isZero();
    }
    Catalog client = CatalogUtil.buildIcebergCatalog("ar_io", catalog.clientProperties(),
        new Configuration());
    try {
      for (String name : CatalogExportTest.TABLES) {
        client.loadTable(TableIdentifier.of(catalog.namespace(), name)).updateProperties()
            .set(TableProperties.MAX_SNAPSHOT_AGE_MS, "1")
            .set(TableProperties.MIN_SNAPSHOTS_TO_KEEP, "2").commit();
      }
    } finally {
      ((AutoCloseable) client).close();
    }
    Thread.sleep(5);
    Table before = catalog.load("tags");
    List<Snapshot> snapshots = new ArrayList<>();
    before.snapshots().forEach(snapshots::add);
    List<Long> kept = snapshots.subList(snapshots.size() - 2, snapshots.size()).stream()
        .map(Snapshot::snapshotId).toList();
    Set<String> expiredOnly = new HashSet<>();
    for (Snapshot snapshot : snapshots.subList(0, snapshots.size() - 2)) {
      snapshot.addedDataFiles(before.io()).forEach(f -> expiredOnly.add(f.location()));
    }
    // Files replaced by the oldest retained snapshot stay until it expires (docs/lakehouse.md).
    for (long id : kept) {
      before.snapshot(id).removedDataFiles(before.io())
          .forEach(f -> expiredOnly.remove(f.location()));
    }
    for (long id : kept) {
      try (var tasks = before.newScan().useSnapshot(id).planFiles()) {
        tasks.forEach(t -> expiredOnly.remove(t.file().location()));
      }
    }
    assertThat(expiredOnly).isNotEmpty();

    Cli.Result maintain = Cli.run(catalog.with("maintain", "--json"));
    assertThat(maintain.status()).as(maintain.err()).isZero();
    ServiceCatalogExportTest.assertNoSecret(catalog, maintain.out(), maintain.err());
    assertThat(maintain.out()).contains("\"expiredSnapshots\" : " + (snapshots.size() - 2));

    Table tags = catalog.load("tags");
    List<Long> left = new ArrayList<>();
    tags.snapshots().forEach(s -> left.add(s.snapshotId()));
    assertThat(left).isEqualTo(kept);
    Set<String> objects = new HashSet<>();
    String bucket = "s3://" + catalog.bucket() + "/";
    catalog.dataObjects("tags").forEach(key -> objects.add(bucket + key));
    assertThat(objects).doesNotContainAnyElementsOf(expiredOnly);
    for (DataFile file : IcebergReader.dataFiles(tags)) {
      assertThat(objects).contains(file.location());
    }
    try (SourceOracle source = new SourceOracle(sources.resolve("core.db"),
        sources.resolve("bundles.db"))) {
      List<String> expected = source.rows("tags", new HeightRange(100, 199), true, true);
      for (long id : kept) {
        assertThat(IcebergReader.rows(tags, id)).containsExactlyInAnyOrderElementsOf(expected);
      }
    }
  }

  /**
   * S3 lists by raw key prefix: orphan removal for {@code tags} must not take the objects of a
   * table beside it whose name starts with "tags" (here {@code tags_backup}, as a Spark CTAS would
   * name it) for its own orphans. A real orphan inside {@code tags} is removed in the same run.
   */
  @Test
  void orphanRemovalNeverTouchesASiblingTableWhoseNameStartsWithTheTables(@TempDir Path work,
      PostgresService postgres, S3ProxyService s3) throws Exception {
    ServiceCatalog catalog = ServiceCatalog.jdbc(postgres, s3);
    ExportArgs paths = ExportArgs.of(sources, work);
    Cli.Result export = Cli.run(catalog.with(paths.export(100, 149, 50)));
    assertThat(export.status()).as(export.err()).isZero();
    String sibling;
    String orphan;
    Catalog client = CatalogUtil.buildIcebergCatalog("ar_io", catalog.clientProperties(),
        new Configuration());
    try {
      Table tags = client.loadTable(TableIdentifier.of(catalog.namespace(), "tags"));
      String location = tags.location().replaceAll("/+$", "");
      sibling = location + "_backup/data/part-0.parquet";
      orphan = location + "/data/orphan-0.parquet";
      for (String object : List.of(sibling, orphan)) {
        try (var out = tags.io().newOutputFile(object).create()) {
          out.write(new byte[] {1, 2, 3});
        }
      }
      tags.updateProperties().set(TableMaintenance.ORPHAN_MIN_AGE_PROPERTY, "0").commit();
    } finally {
      ((AutoCloseable) client).close();
    }
    Thread.sleep(1100); // S3 times objects to the second

    LoggedWarnings.During<Cli.Result> run = LoggedWarnings.during(TableMaintenance.class,
        () -> Cli.run(catalog.with("maintain", "--tables", "tags", "--json")));
    Cli.Result maintain = run.result();

    assertThat(maintain.status()).as(maintain.err()).isZero();
    assertThat(run.warnings()).singleElement().asString()
        .contains("arexport.maintenance.orphan-min-age-ms=0 is under an hour");
    String bucket = "s3://" + catalog.bucket() + "/";
    List<String> objects = new ArrayList<>();
    // Every object whose key starts with the table's location, the sibling's included.
    s3.listKeys(catalog.bucket(), orphan.substring(bucket.length(), orphan.indexOf("/data/")))
        .forEach(key -> objects.add(bucket + key));
    assertThat(objects).as("the sibling table's object stays, the table's own orphan goes")
        .contains(sibling).doesNotContain(orphan);
    Table after = catalog.load("tags");
    try (SourceOracle source = new SourceOracle(sources.resolve("core.db"),
        sources.resolve("bundles.db"))) {
      assertThat(IcebergReader.rows(after, after.currentSnapshot().snapshotId()))
          .containsExactlyInAnyOrderElementsOf(
              source.rows("tags", new HeightRange(100, 149), false, false));
    }
  }
}
