package io.arexport.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/parquet-export-v2 --verify-count} run for real, on the packaged jar and the
 * bundled sample: the options it forwards are ones {@code arexport verify} takes, and the verify
 * it runs checks the warehouse or catalog the export wrote, with the export's L1 flags.
 * (ParquetExportV2ScriptTest checks the forwarding itself against a stub.)
 */
class SeedWrapperIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path root;

  @BeforeEach
  void layOut() throws IOException {
    Files.createDirectories(root.resolve("scripts"));
    for (String script : List.of("arexport", "parquet-export-v2")) {
      Files.copy(Path.of("scripts", script), root.resolve("scripts").resolve(script),
          StandardCopyOption.COPY_ATTRIBUTES);
    }
    Files.createDirectories(root.resolve("target"));
    Files.copy(Path.of("target", "arexport.jar"), root.resolve("target/arexport.jar"));
    Files.createDirectories(root.resolve("testdata"));
    for (String db : List.of("core.db", "bundles.db")) {
      Files.copy(Path.of("testdata", db), root.resolve("testdata").resolve(db));
    }
  }

  @Test
  void verifyCountChecksTheDirectoryWarehouseTheExportWrote() throws Exception {
    JsonNode both = run("--warehouseDir", root.resolve("warehouse").toString());

    assertThat(both.at("/export/partitions").asLong()).isEqualTo(5);
    JsonNode verify = both.get("verify");
    assertThat(verify.get("ok").asBoolean()).as(verify.toString()).isTrue();
    assertThat(verify.get("warehouse").asText()).isEqualTo(root.resolve("warehouse").toString());
    assertThat(verify.get("includeL1Transactions").asBoolean()).isTrue();
    assertThat(verify.get("includeL1Tags").asBoolean()).isTrue();
    assertThat(verify.get("heightPartitionSize").asLong()).isEqualTo(50);
    assertThat(verify.at("/tables/tags/expectedRows").asLong())
        .isEqualTo(both.at("/export/tables/tags/rows").asLong()).isPositive();
  }

  @Test
  void verifyCountChecksTheCatalogTheExportCommittedTo() throws Exception {
    Path catalog = root.resolve("catalog.db");
    JsonNode both = run("--catalog-type", "jdbc", "--catalog-uri", "jdbc:sqlite:" + catalog,
        "--catalog-warehouse", root.resolve("lake").toString());

    JsonNode verify = both.get("verify");
    assertThat(verify.get("ok").asBoolean()).as(verify.toString()).isTrue();
    assertThat(verify.get("warehouse").asText()).startsWith("jdbc catalog ar_io at jdbc:sqlite:"
        + catalog);
    assertThat(verify.at("/tables/blocks/expectedRows").asLong())
        .isEqualTo(both.at("/export/tables/blocks/rows").asLong()).isPositive();
  }

  /** The wrapper with the sample's range, L1 on, partitions of 50, and {@code destination}. */
  private JsonNode run(String... destination) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash",
        root.resolve("scripts/parquet-export-v2").toString(), "--verify-count", "--json",
        "--startHeight", "1400000", "--endHeight", "1400249", "--heightPartitionSize", "50",
        "--includeL1Transactions", "--includeL1Tags",
        "--coreDb", root.resolve("testdata/core.db").toString(),
        "--bundlesDb", root.resolve("testdata/bundles.db").toString(),
        "--stagingDir", root.resolve("staging").toString()));
    command.addAll(List.of(destination));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("AREXPORT_JAVA_OPTS");
    Path out = root.resolve("stdout.txt");
    Path err = root.resolve("stderr.txt");
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process process = builder.start();
    assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("wrapper finished").isTrue();
    assertThat(process.exitValue()).as(Files.readString(err)).isZero();
    return JSON.readTree(Files.readString(out));
  }
}
