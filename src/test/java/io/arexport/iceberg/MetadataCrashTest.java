package io.arexport.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.export.FaultPoints;
import io.arexport.testing.ChildJvm;
import io.arexport.testing.IcebergReader;
import io.arexport.testing.SourceOracle;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM killed with SIGKILL in the middle of an Iceberg commit (manifests, manifest list and the
 * new metadata written under a temporary name; {@code vN.metadata.json} not yet in place) leaves
 * the previous version readable, and the next run completes the commit.
 */
class MetadataCrashTest {
  static final String MARKER =
      "fault point " + FaultPoints.ICEBERG_MANIFESTS_WRITTEN + ":1 reached";
  @TempDir static Path sources;
  @TempDir Path work;

  @BeforeAll
  static void generate() throws Exception {
    IcebergWarehouse.generateSources(sources);
  }

  @Test
  void killedMetadataCommitLeavesThePreviousVersionAndARerunCompletesIt() throws Exception {
    IcebergWarehouse wh = new IcebergWarehouse(sources, work);
    wh.export(100, 149, 50, "--no-iceberg");
    wh.metadataOk();
    wh.export(150, 199, 50, "--no-iceberg");
    TreeSet<String> before = wh.metadataFiles("blocks");

    try (ChildJvm child = ChildJvm.start(List.of("-Xmx512m"),
        Map.of("AREXPORT_FAULT_POINT", FaultPoints.ICEBERG_MANIFESTS_WRITTEN), work,
        "metadata", "--datasets-dir", wh.warehouse.toString())) {
      assertThat(child.awaitErrLine(MARKER, 120)).as(child.err()).isTrue();
      child.kill();
    }

    // The killed commit had written its manifests and temporary metadata, not v2.
    TreeSet<String> after = wh.metadataFiles("blocks");
    assertThat(after).containsAll(before);
    assertThat(after).filteredOn(f -> f.endsWith(".avro") && !before.contains(f)).isNotEmpty();
    assertThat(after).filteredOn(f -> f.endsWith(".metadata.json.tmp")).hasSize(1);
    assertThat(after).doesNotContain("v2.metadata.json");
    assertPreviousVersionReadable(wh);

    wh.metadataOk();

    for (String name : IcebergWarehouse.TABLES) {
      assertThat(wh.versionHint(name)).isEqualTo("2");
      assertThat(wh.metadataFiles(name)).noneMatch(f -> f.endsWith(".tmp"));
      wh.assertMatchesSource(IcebergReader.loadWithHadoop(wh.warehouse, name),
          new HeightRange(100, 199));
    }
  }

  @Test
  void killedCommitAtTheEndOfAnExportIsCompletedByResume() throws Exception {
    IcebergWarehouse wh = new IcebergWarehouse(sources, work);
    wh.export(100, 149, 50, "--no-iceberg");
    wh.metadataOk();

    try (ChildJvm child = ChildJvm.start(List.of("-Xmx512m"),
        Map.of("AREXPORT_FAULT_POINT", FaultPoints.ICEBERG_MANIFESTS_WRITTEN), work,
        "export", "--startHeight", "150", "--endHeight", "199", "--heightPartitionSize", "50",
        "--includeL1Transactions", "--includeL1Tags",
        "--coreDb", wh.core.toString(), "--bundlesDb", wh.bundles.toString(),
        "--stagingDir", wh.staging.toString(), "--warehouseDir", wh.warehouse.toString())) {
      assertThat(child.awaitErrLine(MARKER, 120)).as(child.err()).isTrue();
      child.kill();
    }
    assertPreviousVersionReadable(wh);

    wh.export(150, 199, 50, "--resume");

    for (String name : IcebergWarehouse.TABLES) {
      assertThat(wh.versionHint(name)).isEqualTo("2");
      wh.assertMatchesSource(IcebergReader.loadWithHadoop(wh.warehouse, name),
          new HeightRange(100, 199));
    }
  }

  private static void assertPreviousVersionReadable(IcebergWarehouse wh) throws Exception {
    try (SourceOracle source = new SourceOracle(wh.core, wh.bundles)) {
      for (String name : IcebergWarehouse.TABLES) {
        assertThat(wh.versionHint(name)).isEqualTo("1");
        assertThat(IcebergReader.rows(IcebergReader.loadWithHadoop(wh.warehouse, name)))
            .as(name).containsExactlyInAnyOrderElementsOf(
                source.rows(name, new HeightRange(100, 149), true, true));
      }
    }
  }
}
