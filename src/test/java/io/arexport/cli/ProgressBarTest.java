package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The progress bar of a real export, as a terminal would show it. */
class ProgressBarTest {
  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  @AfterEach
  void noTerminal() {
    System.clearProperty("arexport.stderrIsTerminal");
  }

  /** Partitions far below the rows between two ticks are named while they are written. */
  @Test
  void theBarNamesThePartitionBeingWrittenInASmallRange(@TempDir Path work) {
    System.setProperty("arexport.stderrIsTerminal", "true");
    ExportArgs paths = ExportArgs.of(sources, work);

    Cli.Result result = Cli.run(Map.of("COLUMNS", "120"), paths.export(100, 349, 50,
        "--threads", "1"));

    assertThat(result.status()).as(result.err()).isZero();
    assertThat(result.err()).contains("\r").contains(" height=100-149 ")
        .contains(" height=300-349 ");
  }
}
