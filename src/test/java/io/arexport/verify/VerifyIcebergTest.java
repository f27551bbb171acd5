package io.arexport.verify;

import static io.arexport.verify.VerifyFixture.differences;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arexport.HeightRange;
import io.arexport.testing.Cli;
import io.arexport.testing.WarehouseReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verify's Iceberg check: the current snapshot (read with iceberg-core from vN.metadata.json via
 * version-hint.text) must list exactly the counted data files, with their row counts and sizes.
 */
class VerifyIcebergTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path sources;
  static VerifyFixture fx;

  @BeforeAll
  static void generate() throws Exception {
    fx = VerifyFixture.generate(sources);
  }

  @Test
  void tablesWithMetadataMatchTheirSnapshotAndOthersAreSkipped(@TempDir Path work)
      throws Exception {
    Path warehouse = fx.export(work, 100, 349, 50, 1_000_000, true, true);
    Cli.Result before = fx.verify(warehouse, 100, 349, 50, true, true, "--json");
    metadata(warehouse);

    Cli.Result counts = fx.verify(warehouse, 100, 349, 50, true, true, "--json");
    Cli.Result deep = fx.verify(warehouse, 100, 349, 50, true, true, "--deep");

    assertThat(kinds(before)).containsExactly("iceberg-skipped", "iceberg-skipped",
        "iceberg-skipped");
    assertThat(counts.status()).as(counts.out()).isZero();
    assertThat(kinds(counts)).isEmpty();
    assertThat(deep.status()).as(deep.out()).isZero();
  }

  @Test
  void reExportWithoutIcebergLeavesTheSnapshotBehindUntilMetadataRuns(@TempDir Path work)
      throws Exception {
    Path warehouse = fx.export(work, 100, 349, 50, 1_000_000, false, false);
    metadata(warehouse);
    // Re-export one partition without committing Iceberg: new files on disk, the replaced ones
    // kept for the snapshot that still lists them.
    fx.exportInto(work, warehouse, 200, 249, 50, 1_000_000, false, false, "--no-iceberg");

    Cli.Result lagging = fx.verify(warehouse, 100, 349, 50, false, false, "--json");

    assertThat(lagging.status()).isEqualTo(1);
    List<JsonNode> differences = differences(lagging);
    assertThat(differences).isNotEmpty().allSatisfy(f -> {
      assertThat(f.get("kind").asText()).isIn("iceberg-unlisted-file", "iceberg-extra-file");
      assertThat(f.get("partition").asText()).isEqualTo("200-249");
    });
    assertThat(differences).anySatisfy(f -> assertThat(f.get("message").asText())
        .contains("a file a re-export replaced"));
    // The replaced files are not counted: the rows still match.
    assertThat(differences).noneMatch(f -> f.get("kind").asText().equals("row-count"));
    assertThat(kinds(lagging)).contains("replaced-file");

    Cli.Result caughtUp = Cli.run("metadata", "--datasets-dir", warehouse.toString());
    assertThat(caughtUp.status()).as(caughtUp.err()).isZero();
    Cli.Result after = fx.verify(warehouse, 100, 349, 50, false, false, "--deep");
    assertThat(after.status()).as(after.out()).isZero();
  }

  @Test
  void aMovedWarehouseIsADifferenceUntilMetadataRecordsItsNewPlace(@TempDir Path work)
      throws Exception {
    Path warehouse = fx.export(work, 100, 199, 50, 1_000_000, false, false);
    metadata(warehouse);
    Path moved = work.resolve("moved warehouse");
    Files.move(warehouse, moved);

    Cli.Result result = fx.verify(moved, 100, 199, 50, false, false, "--json");

    assertThat(result.status()).isEqualTo(1);
    List<JsonNode> differences = differences(result);
    assertThat(differences).hasSize(3).allSatisfy(f -> {
      assertThat(f.get("kind").asText()).isEqualTo("iceberg-metadata");
      assertThat(f.get("message").asText()).contains(warehouse.toString())
          .contains("arexport metadata");
    });

    metadata(moved);
    Cli.Result after = fx.verify(moved, 100, 199, 50, false, false, "--deep");
    assertThat(after.status()).as(after.out()).isZero();
  }

  @Test
  void fileRewrittenInPlaceDiffersFromItsSnapshotEntryEvenInCountsMode(@TempDir Path work)
      throws Exception {
    Path warehouse = fx.export(work, 100, 349, 50, 1_000_000, false, false);
    metadata(warehouse);
    Path file = WarehouseReader.files(warehouse, "tags").get(new HeightRange(150, 199)).get(0);
    VerifyFixture.flipOneTagValueByte(file, 0);

    Cli.Result counts = fx.verify(warehouse, 100, 349, 50, false, false, "--json");

    assertThat(counts.status()).isEqualTo(1);
    JsonNode stats = VerifyFixture.only(differences(counts), "iceberg-file-stats");
    assertThat(stats.get("path").asText()).isEqualTo(
        warehouse.relativize(file).toString());
    assertThat(stats.get("message").asText()).contains("bytes");
  }

  @Test
  void exportsAfterMetadataKeepTheSnapshotCurrentAndBadPointersAreDifferences(
      @TempDir Path work) throws Exception {
    Path warehouse = fx.export(work, 100, 299, 50, 1_000_000, false, false);
    metadata(warehouse);
    // The tables have metadata now, so this export ends with an Iceberg commit.
    fx.exportInto(work, warehouse, 300, 349, 50, 1_000_000, false, false);

    assertThat(fx.verify(warehouse, 100, 349, 50, false, false).status()).isZero();

    Files.writeString(warehouse.resolve("blocks/metadata/version-hint.text"), "garbage");
    Files.delete(warehouse.resolve("tags/metadata/metadata.json"));
    Cli.Result result = fx.verify(warehouse, 100, 349, 50, false, false, "--json");

    assertThat(result.status()).isEqualTo(1);
    // The newest version is still checked: nothing else differs.
    assertThat(differences(result)).extracting(f -> f.get("kind").asText() + " "
        + f.get("table").asText()).containsExactlyInAnyOrder("iceberg-metadata blocks",
        "iceberg-metadata tags");
    assertThat(result.out()).contains("version-hint.text is corrupt")
        .contains("tags/metadata has no metadata.json");
  }

  @Test
  void filesOnDiskThatTheSnapshotDoesNotListAreDifferences(@TempDir Path work)
      throws Exception {
    Path warehouse = fx.export(work, 100, 299, 50, 1_000_000, false, false);
    metadata(warehouse);
    fx.exportInto(work, warehouse, 300, 349, 50, 1_000_000, false, false, "--no-iceberg");

    Cli.Result result = fx.verify(warehouse, 100, 349, 50, false, false, "--json");

    assertThat(result.status()).isEqualTo(1);
    assertThat(differences(result)).extracting(f -> f.get("kind").asText() + " "
        + f.get("table").asText() + " " + f.get("partition").asText()).containsExactlyInAnyOrder(
        "iceberg-unlisted-file blocks 300-349", "iceberg-unlisted-file transactions 300-349",
        "iceberg-unlisted-file tags 300-349");
  }

  @Test
  void snapshotWrittenForAnHttpRootIsCheckedAgainstTheLocalFiles(@TempDir Path work)
      throws Exception {
    Path warehouse = fx.export(work, 100, 349, 50, 1_000_000, true, true);
    Cli.Result metadata = Cli.run("metadata", "--datasets-dir", warehouse.toString(),
        "--datasets-root", "http://gateway.invalid:4000/local/datasets/default");
    assertThat(metadata.status()).as(metadata.err()).isZero();
    assertThat(Files.readString(warehouse.resolve("tags/metadata/v1.metadata.json")))
        .contains("http://gateway.invalid:4000/local/datasets/default/tags");

    Cli.Result result = fx.verify(warehouse, 100, 349, 50, true, true, "--json");

    assertThat(result.status()).as(result.out()).isZero();
    assertThat(kinds(result)).isEmpty();
    // Deleting a listed file is now both a row-count and an Iceberg difference.
    Path file = WarehouseReader.files(warehouse, "transactions").get(new HeightRange(300, 349))
        .get(0);
    Files.delete(file);
    Cli.Result damaged = fx.verify(warehouse, 100, 349, 50, true, true, "--json");
    assertThat(differences(damaged)).extracting(f -> f.get("kind").asText())
        .containsExactlyInAnyOrder("row-count", "iceberg-extra-file");
  }

  private static void metadata(Path warehouse) {
    Cli.Result result = Cli.run("metadata", "--datasets-dir", warehouse.toString());
    assertThat(result.status()).as(result.err()).isZero();
  }

  private static List<String> kinds(Cli.Result result) throws Exception {
    return JSON.readTree(result.out()).findValuesAsText("kind");
  }
}
