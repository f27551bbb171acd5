package io.arexport.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.IcebergReader;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.WarehouseAssertions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code metadata} with catalog options registers a directory warehouse (exported in two partition
 * sizes, with a re-export) in catalog tables whose warehouse is elsewhere: the files are uploaded,
 * the tables equal the source, a rerun changes nothing, and catalog-mode exports continue on top.
 */
class CatalogMigrationTest {
  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  @Test
  void directoryWarehouseMovesToCatalogTables(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(sources, work);
    String tx = "--includeL1Transactions";
    String tags = "--includeL1Tags";
    for (String[] args : List.of(paths.export(100, 199, 50, tx, tags),
        paths.export(200, 299, 100, tx, tags), paths.export(150, 199, 50, tx, tags))) {
      Cli.Result export = Cli.run(args);
      assertThat(export.status()).as(export.err()).isZero();
    }
    LocalCatalog catalog = LocalCatalog.in(work);
    String[] migrate = catalog.with("metadata", "--datasets-dir",
        paths.warehouseDir().toString(), "--json");
    Cli.Result migrated = Cli.run(migrate);
    assertThat(migrated.status()).as(migrated.err()).isZero();
    assertThat(migrated.out()).contains("\"action\" : \"created\"");
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 299));
    for (String table : CatalogExportTest.TABLES) {
      for (DataFile file : IcebergReader.dataFiles(catalog.load(table))) {
        assertThat(file.location()).as("uploaded into the catalog warehouse")
            .contains(catalog.warehouse().toString()).doesNotContain(paths.warehouseDir()
                .toString());
      }
      assertThat(catalog.load(table).specs()).hasSize(2);
    }

    Cli.Result again = Cli.run(migrate);
    assertThat(again.status()).as(again.err()).isZero();
    assertThat(again.out()).doesNotContain("\"action\" : \"committed\"")
        .doesNotContain("\"action\" : \"created\"");

    Cli.Result next = Cli.run(catalog.with(paths.export(300, 349, 50, tx, tags)));
    assertThat(next.status()).as(next.err()).isZero();
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 349));
    assertThat(CatalogCrashTest.unreferenced(catalog)).isEmpty();
  }

  /**
   * A catalog warehouse given as a relative path that, from the working directory, is the
   * directory warehouse's own parent: the catalog's table locations are the directory's files
   * (Hadoop's local file system resolves the relative path). The migration registers them where
   * they are; uploading a file onto itself would truncate it and lose its rows.
   */
  @Test
  void aRelativeCatalogWarehouseOverTheDirectoryKeepsItsFiles(@TempDir Path work)
      throws Exception {
    ExportArgs paths = new ExportArgs(sources.resolve("core.db"), sources.resolve("bundles.db"),
        work.resolve("staging"), work.resolve("lake").resolve("default"));
    Cli.Result export = Cli.run(paths.export(100, 199, 50, "--includeL1Transactions",
        "--includeL1Tags"));
    assertThat(export.status()).as(export.err()).isZero();
    Path relative = Path.of("").toAbsolutePath().relativize(work.resolve("lake"));
    LocalCatalog catalog = new LocalCatalog(work.resolve("catalog.db"), relative);

    Cli.Result migrated = Cli.run(catalog.with("metadata", "--datasets-dir",
        paths.warehouseDir().toString(), "--json"));
    assertThat(migrated.status()).as(migrated.err()).isZero();

    WarehouseAssertions.assertEqualsSource(paths.warehouseDir(), paths.coreDb(),
        paths.bundlesDb(), new HeightRange(100, 199), true, true);
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 199));

    // The catalog now owns the table directories: directory-mode writers refuse them (their
    // orphan removal would delete the catalog's metadata), a rerun of the migration does not.
    List<Path> before = files(paths.warehouseDir());
    for (String[] command : List.of(paths.export(200, 249, 50),
        new String[] {"metadata", "--datasets-dir", paths.warehouseDir().toString()},
        new String[] {"maintain", "--warehouseDir", paths.warehouseDir().toString()},
        new String[] {"sync", "--coreDb", paths.coreDb().toString(), "--bundlesDb",
            paths.bundlesDb().toString(), "--stagingDir", paths.stagingDir().toString(),
            "--warehouseDir", paths.warehouseDir().toString(), "--endHeight", "249"})) {
      Cli.Result refused = Cli.run(command);
      assertThat(refused.status()).as(command[0] + ": " + refused.err()).isEqualTo(3);
      // (sync says first which heights it was about to export)
      assertThat(refused.errLines()).as(command[0]).last().asString()
          .contains("was migrated in place to jdbc catalog").contains("catalog-owner");
    }
    assertThat(files(paths.warehouseDir())).isEqualTo(before);
    Cli.Result again = Cli.run(catalog.with("metadata", "--datasets-dir",
        paths.warehouseDir().toString(), "--json"));
    assertThat(again.status()).as(again.err()).isZero();
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 199));
  }

  private static List<Path> files(Path root) throws Exception {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> !p.toString().contains("/.arexport/")).sorted().toList();
    }
  }
}
