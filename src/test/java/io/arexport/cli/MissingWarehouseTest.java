package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.testing.Cli;
import io.arexport.testing.SampleDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every command that reads an existing warehouse refuses a missing one, or a regular file, with
 * the same one line and exit 2, and creates nothing there.
 */
class MissingWarehouseTest {
  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  private static String[] command(String name, Path warehouse) {
    List<String> args = new ArrayList<>(List.of(name, "--warehouseDir", warehouse.toString()));
    if (name.equals("verify") || name.equals("status")) {
      args.addAll(List.of("--coreDb", sources.resolve("core.db").toString(),
          "--bundlesDb", sources.resolve("bundles.db").toString()));
    }
    if (name.equals("verify")) {
      args.addAll(List.of("--startHeight", "100", "--endHeight", "149"));
    }
    if (name.equals("serve")) {
      args.addAll(List.of("--port", "0"));
    }
    return args.toArray(String[]::new);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"metadata", "maintain", "status", "verify", "serve"})
  void aMissingWarehouseOrARegularFileIsOneLineExitTwo(String name, @TempDir Path work)
      throws Exception {
    Path missing = work.resolve("no-such-warehouse");
    Cli.Result absent = Cli.run(command(name, missing));
    assertThat(absent.status()).as(absent.err()).isEqualTo(2);
    assertThat(absent.errLines()).as(absent.err())
        .containsExactly("arexport: warehouse " + missing + " does not exist");
    assertThat(missing).doesNotExist();

    Path file = Files.writeString(work.resolve("a-file"), "x");
    Cli.Result notADirectory = Cli.run(command(name, file));
    assertThat(notADirectory.status()).as(notADirectory.err()).isEqualTo(2);
    assertThat(notADirectory.errLines()).as(notADirectory.err())
        .containsExactly("arexport: warehouse " + file + " is not a directory");
    assertThat(Files.readString(file)).isEqualTo("x");
  }
}
