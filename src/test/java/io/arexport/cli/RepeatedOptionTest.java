package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SampleDatabases.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repeated single-value option overrides the earlier one, as the seed's bash parser did:
 * wrapper scripts put their defaults first and the caller's arguments after them.
 */
class RepeatedOptionTest {
  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  @Test
  void theLastOfARepeatedOptionWins(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);

    // Defaults first (partitions of 500 up to 999), then the overrides (50, up to 199).
    Cli.Result run = Cli.run(paths.export(100, 999, 500, "--heightPartitionSize", "50",
        "--endHeight", "199", "--compression", "snappy", "--compression", "gzip", "--json"));

    assertThat(run.status()).as(run.err()).isZero();
    try (Stream<Path> dirs = Files.list(paths.warehouseDir().resolve("blocks/data"))) {
      assertThat(dirs.map(d -> d.getFileName().toString()).sorted().toList())
          .isEqualTo(List.of("height=100-149", "height=150-199"));
    }
    assertThat(run.out()).contains("\"endHeight\" : 199");
    try (Stream<Path> files = Files.walk(paths.warehouseDir().resolve("blocks/data"))) {
      Path parquet = files.filter(f -> f.toString().endsWith(".parquet")).findFirst().orElseThrow();
      try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(
          new org.apache.parquet.io.LocalInputFile(parquet))) {
        assertThat(reader.getFooter().getBlocks().get(0).getColumns().get(0).getCodec().name())
            .isEqualTo("GZIP");
      }
    }
  }

  @Test
  void aRepeatedFlagStaysSetAndARepeatedBadValueIsStillRejected(@TempDir Path work) {
    ExportArgs paths = ExportArgs.of(sources, work);

    Cli.Result bad = Cli.run(paths.export(100, 199, 50, "--compression", "zstd",
        "--compression", "lz5"));

    assertThat(bad.status()).isEqualTo(2);
    assertThat(bad.errLines().get(0)).contains("lz5");
    assertThat(Files.exists(paths.warehouseDir())).isFalse();

    Cli.Result twice = Cli.run(paths.export(100, 199, 50, "--no-iceberg", "--no-iceberg"));
    assertThat(twice.status()).as(twice.err()).isZero();
  }
}
