package io.arexport.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A warehouse inside a table directory of another ({@code --warehouseDir wh/blocks/data}) is
 * refused by every command that writes one: its files would be read as that table's, and the
 * outer warehouse's orphan removal would delete them.
 */
class WarehouseInsideATableTest {
  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  @Test
  void exportMetadataAndMaintainRefuseAWarehouseInsideAnothersTable(@TempDir Path work)
      throws Exception {
    ExportArgs outer = ExportArgs.of(sources, work);
    Cli.Result first = Cli.run(outer.export(100, 149, 50));
    assertThat(first.status()).as(first.err()).isZero();
    Path inner = outer.warehouseDir().resolve("blocks/data");
    List<Path> before = files(outer.warehouseDir());

    ExportArgs nested = new ExportArgs(outer.coreDb(), outer.bundlesDb(),
        work.resolve("staging2"), inner);
    for (String[] command : List.of(nested.export(100, 149, 50),
        new String[] {"metadata", "--datasets-dir", inner.toString()},
        new String[] {"maintain", "--warehouseDir", inner.toString()})) {
      Cli.Result refused = Cli.run(command);
      assertThat(refused.status()).as(command[0] + ": " + refused.err()).isEqualTo(2);
      assertThat(refused.errLines()).as(command[0]).singleElement().asString()
          .contains(inner.toString()).contains("inside table blocks")
          .contains(outer.warehouseDir().toString());
      assertThat(refused.out()).isEmpty();
    }
    assertThat(files(outer.warehouseDir())).isEqualTo(before);
    // A warehouse beside it, or one whose path merely holds a directory named blocks, is fine.
    Path beside = Files.createDirectories(work.resolve("blocks/elsewhere"));
    Cli.Result ok = Cli.run(new ExportArgs(outer.coreDb(), outer.bundlesDb(),
        work.resolve("staging3"), beside).export(100, 149, 50));
    assertThat(ok.status()).as(ok.err()).isZero();
  }

  private static List<Path> files(Path root) throws Exception {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.sorted().toList();
    }
  }
}
