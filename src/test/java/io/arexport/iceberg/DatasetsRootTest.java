package io.arexport.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.testing.IcebergReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --datasets-root URL}: every location and path the metadata records, read back through
 * the Iceberg API (table location, metadata log, manifest lists, manifests, data files), lies
 * under {@code URL/<table>/}; export keeps the root; switching roots starts a new history that
 * holds every current file under the new root.
 */
class DatasetsRootTest {
  static final String URL = "http://127.0.0.1:8080/local/datasets/default";
  @TempDir static Path sources;
  @TempDir Path work;

  @BeforeAll
  static void generate() throws Exception {
    IcebergWarehouse.generateSources(sources);
  }

  @Test
  void everyPathIsUnderTheRootAndSwitchingRootsRewritesForTheNewOne() throws Exception {
    IcebergWarehouse wh = new IcebergWarehouse(sources, work);
    wh.export(100, 199, 50, "--no-iceberg");

    wh.metadataOk("--datasets-root", URL + "/");

    for (String name : IcebergWarehouse.TABLES) {
      Table table = IcebergReader.loadLocally(wh.warehouse, name);
      assertEverythingUnder(table, URL + "/" + name);
      assertThat(table.properties()).containsEntry("arexport.datasets-root", URL);
      wh.assertMatchesSource(table, new HeightRange(100, 199));
      // The metadata JSON names no local path anywhere (Avro files are compressed: checked
      // above through the Iceberg API).
      for (String json : List.of("v1.metadata.json", "metadata.json")) {
        assertThat(Files.readString(wh.metadataDir(name).resolve(json)))
            .doesNotContain("file:").doesNotContain(wh.warehouse.toString());
      }
    }

    // Export keeps the recorded root, and so does metadata without --datasets-root.
    wh.export(200, 249, 50);
    assertThat(wh.metadataOk("--json").out()).doesNotContain("\"action\" : \"relocated\"");
    // The scheme is case-insensitive: the same root, not a new history.
    assertThat(wh.metadataOk("--datasets-root", URL.replaceFirst("^http", "HTTP"), "--json")
        .out()).doesNotContain("\"action\" : \"relocated\"");
    String uuid = null;
    for (String name : IcebergWarehouse.TABLES) {
      assertThat(wh.versionHint(name)).isEqualTo("2");
      Table table = IcebergReader.loadLocally(wh.warehouse, name);
      assertEverythingUnder(table, URL + "/" + name);
      assertThat(table.history()).hasSize(2);
      wh.assertMatchesSource(table, new HeightRange(100, 249));
      if (name.equals("blocks")) {
        uuid = table.uuid().toString();
      }
    }

    // A property set by someone else (here through the plain Iceberg API) survives relocation.
    IcebergReader.loadLocally(wh.warehouse, "blocks").updateProperties()
        .set("comment", "kept across roots").commit();
    assertThat(wh.versionHint("blocks")).isEqualTo("3");

    // Back to local paths: a new version whose history starts over under file:.
    assertThat(wh.metadataOk("--datasets-root", "file:" + wh.warehouse, "--json").out())
        .contains("\"action\" : \"relocated\"");

    for (String name : IcebergWarehouse.TABLES) {
      assertThat(wh.versionHint(name)).isEqualTo(name.equals("blocks") ? "4" : "3");
      Table table = IcebergReader.loadLocally(wh.warehouse, name);
      assertEverythingUnder(table, "file:" + wh.warehouse.resolve(name));
      assertThat(table.history()).hasSize(1);
      // Local paths again: Spark's Hadoop-catalog loader reads it.
      wh.assertMatchesSource(IcebergReader.loadWithHadoop(wh.warehouse, name),
          new HeightRange(100, 249));
      if (name.equals("blocks")) {
        assertThat(table.uuid().toString()).isEqualTo(uuid);
        assertThat(table.properties()).containsEntry("comment", "kept across roots");
      }
    }

    // And to another URL.
    String other = "https://data.example.org:9443/ar/datasets/default";
    wh.metadataOk("--datasets-root", other);
    for (String name : IcebergWarehouse.TABLES) {
      assertThat(wh.versionHint(name)).isEqualTo(name.equals("blocks") ? "5" : "4");
      Table table = IcebergReader.loadLocally(wh.warehouse, name);
      assertEverythingUnder(table, other + "/" + name);
      wh.assertMatchesSource(table, new HeightRange(100, 249));
    }
  }

  /** Every location the current metadata records, down to the data files, is under prefix. */
  private static void assertEverythingUnder(Table table, String prefix) throws Exception {
    TableMetadata metadata = ((HasTableOperations) table).operations().current();
    assertThat(table.location()).isEqualTo(prefix);
    assertThat(metadata.metadataFileLocation()).startsWith(prefix + "/metadata/v");
    assertThat(metadata.previousFiles()).allSatisfy(
        entry -> assertThat(entry.file()).startsWith(prefix + "/metadata/"));
    assertThat(metadata.snapshots()).isNotEmpty();
    for (Snapshot snapshot : metadata.snapshots()) {
      assertThat(snapshot.manifestListLocation()).startsWith(prefix + "/metadata/snap-");
      List<ManifestFile> manifests = snapshot.allManifests(table.io());
      assertThat(manifests).isNotEmpty();
      for (ManifestFile manifest : manifests) {
        assertThat(manifest.path()).startsWith(prefix + "/metadata/");
        try (ManifestReader<DataFile> reader =
            ManifestFiles.read(manifest, table.io(), table.specs())) {
          for (DataFile file : reader) {
            assertThat(file.location()).startsWith(prefix + "/data/height=");
          }
        }
      }
    }
  }
}
