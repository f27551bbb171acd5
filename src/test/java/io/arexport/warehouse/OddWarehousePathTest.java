package io.arexport.warehouse;

import static io.arexport.testing.WarehouseAssertions.assertEqualsSource;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arexport.HeightRange;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.IcebergReader;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SourceOracle;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A warehouse whose path holds a space and a literal {@code %20}: the writer records it as it
 * is ({@code file:} and the plain path), and every command that reads a location back maps it to
 * the same directory (LocalLocation), so a re-export replaces files, and metadata, verify,
 * maintain and status see one table, which the Iceberg Java reader reads equal to the source.
 */
class OddWarehousePathTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HeightRange RANGE = new HeightRange(100, 249);

  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  private static JsonNode ok(Cli.Result result) throws Exception {
    assertThat(result.status()).as(result.err()).isZero();
    return JSON.readTree(result.out());
  }

  @Test
  void everyCommandSeesOneTableUnderASpaceAndAPercentTwenty(@TempDir Path work) throws Exception {
    ExportArgs paths = new ExportArgs(sources.resolve("core.db"), sources.resolve("bundles.db"),
        work.resolve("staging dir"), work.resolve("ware house%20x"));
    String warehouse = paths.warehouseDir().toString();
    ok(Cli.run(paths.export(100, 249, 50, "--includeL1Transactions", "--includeL1Tags",
        "--json")));
    ok(Cli.run("metadata", "--json", "--warehouseDir", warehouse));
    // A re-export of one partition replaces its files: its commit must find the old ones.
    JsonNode reexport = ok(Cli.run(paths.export(200, 249, 50, "--includeL1Transactions",
        "--includeL1Tags", "--json")));
    assertThat(reexport.get("icebergCommitted").asBoolean()).isTrue();

    JsonNode metadata = ok(Cli.run("metadata", "--json", "--warehouseDir", warehouse));
    for (JsonNode table : metadata.get("tables")) {
      assertThat(table.get("action").asText()).as(table.toString()).isEqualTo("unchanged");
    }
    JsonNode verify = ok(Cli.run("verify", "--json", "--deep", "--startHeight", "100",
        "--endHeight", "249", "--heightPartitionSize", "50", "--includeL1Transactions",
        "--includeL1Tags", "--coreDb", paths.coreDb().toString(),
        "--bundlesDb", paths.bundlesDb().toString(), "--warehouseDir", warehouse));
    assertThat(verify.get("differences")).as(verify.toString()).isEmpty();
    ok(Cli.run("maintain", "--json", "--warehouseDir", warehouse));
    JsonNode status = ok(Cli.run("status", "--json", "--warehouseDir", warehouse,
        "--stagingDir", paths.stagingDir().toString(), "--coreDb", paths.coreDb().toString(),
        "--bundlesDb", paths.bundlesDb().toString()));
    assertThat(status.get("replacedFilesAwaitingDeletion").asInt()).isZero();

    assertEqualsSource(paths.warehouseDir(), paths.coreDb(), paths.bundlesDb(), RANGE, true,
        true);
    try (SourceOracle source = new SourceOracle(paths.coreDb(), paths.bundlesDb())) {
      for (String table : new String[] {"blocks", "transactions", "tags"}) {
        JsonNode tableStatus = status.get("tables").get(table);
        assertThat(tableStatus.get("iceberg").get("snapshotRows").asLong())
            .isEqualTo(tableStatus.get("rows").asLong());
        assertThat(IcebergReader.rows(IcebergReader.loadWithHadoop(paths.warehouseDir(), table)))
            .as(table).containsExactlyInAnyOrderElementsOf(source.rows(table, RANGE, true, true));
      }
    }
  }
}
