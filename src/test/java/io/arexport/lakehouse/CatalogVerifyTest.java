package io.arexport.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.testing.Cli;
import io.arexport.testing.LoggedWarnings;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * verify against catalog tables (JdbcCatalog on SQLite): passes, counts and --deep, after an
 * export; fails naming the partition when a data file's content changes (deep) or a partition is
 * missing from the table.
 */
class CatalogVerifyTest {
  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  static String[] verify(LocalCatalog catalog, long start, long end, long p, String... extra) {
    List<String> args = new ArrayList<>(List.of("verify", "--startHeight", Long.toString(start),
        "--endHeight", Long.toString(end), "--heightPartitionSize", Long.toString(p),
        "--coreDb", sources.resolve("core.db").toString(),
        "--bundlesDb", sources.resolve("bundles.db").toString()));
    args.addAll(List.of(extra));
    return catalog.with(args.toArray(String[]::new));
  }

  @Test
  void verifyPassesAndFindsDifferences(@TempDir Path work) throws Exception {
    LocalCatalog catalog = LocalCatalog.in(work);
    ExportArgs paths = ExportArgs.of(sources, work);
    LoggedWarnings.During<Cli.Result> export = LoggedWarnings.during(CatalogTables.class,
        () -> Cli.run(catalog.with(paths.export(100, 299, 50))));
    assertThat(export.result().status()).as(export.result().err()).isZero();
    assertThat(export.warnings()).singleElement().asString()
        .startsWith("JdbcCatalog on SQLite allows one writer at a time");

    // A reader is no second writer: no one-writer warning to make its error two lines.
    LoggedWarnings.During<Cli.Result> verified = LoggedWarnings.during(CatalogTables.class,
        () -> Cli.run(verify(catalog, 100, 299, 50, "--json")));
    Cli.Result counts = verified.result();
    assertThat(counts.status()).as(counts.out() + counts.err()).isZero();
    assertThat(verified.warnings()).isEmpty();
    assertThat(LoggedWarnings.during(CatalogTables.class, () -> Cli.run(catalog.with("status",
        "--stagingDir", work.resolve("staging").toString()))).warnings()).isEmpty();
    Cli.Result deep = Cli.run(verify(catalog, 100, 299, 50, "--deep"));
    assertThat(deep.status()).as(deep.out() + deep.err()).isZero();
    // Reports name the catalog verified, not the unused default warehouse directory.
    String described = "jdbc catalog ar_io at jdbc:sqlite:" + catalog.database();
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(counts.out())
        .get("warehouse").asText()).startsWith(described);
    assertThat(deep.out().lines().findFirst().orElseThrow()).contains("of " + described)
        .doesNotContain("data/datasets/default");

    // Heights the table does not hold: verify names the missing partition.
    Cli.Result missing = Cli.run(verify(catalog, 100, 349, 50));
    assertThat(missing.status()).isEqualTo(1);
    assertThat(missing.out()).contains("height=300-349", "no data file in default.blocks");

    // Overwrite a committed tags file with another partition's: the record count the metadata
    // holds stays, the rows differ, so only --deep (which reads the rows) sees it.
    Table tags = catalog.load("tags");
    List<DataFile> files = new ArrayList<>();
    tags.newScan().planFiles().forEach(task -> files.add(task.file()));
    Path victim = Path.of(files.get(0).location().replaceFirst("^file:", ""));
    Path other = Path.of(files.get(1).location().replaceFirst("^file:", ""));
    Files.copy(other, victim, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Cli.Result countsAfter = Cli.run(verify(catalog, 100, 299, 50));
    Cli.Result deepAfter = Cli.run(verify(catalog, 100, 299, 50, "--deep"));
    assertThat(deepAfter.status()).as(deepAfter.out() + deepAfter.err()).isEqualTo(1);
    assertThat(deepAfter.out()).containsAnyOf("checksum", "differ", "row-count");
    assertThat(countsAfter.status()).as("metadata counts still agree").isZero();
  }

  /**
   * Another engine's merge-on-read DELETE writes a position-delete file: the data files keep
   * their rows and record counts, the table does not. verify reports it, counts mode included.
   */
  @Test
  void rowsAnotherEngineDeletedWithADeleteFileAreADifference(@TempDir Path work)
      throws Exception {
    LocalCatalog catalog = LocalCatalog.in(work);
    ExportArgs paths = ExportArgs.of(sources, work);
    Cli.Result export = Cli.run(catalog.with(paths.export(100, 199, 50)));
    assertThat(export.status()).as(export.err()).isZero();

    long before;
    try (org.apache.iceberg.jdbc.JdbcCatalog engine = catalog.open()) {
      Table transactions = engine.loadTable(
          org.apache.iceberg.catalog.TableIdentifier.of("default", "transactions"));
      before = count(transactions);
      DataFile target = transactions.newScan().planFiles().iterator().next().file();
      org.apache.iceberg.io.OutputFile out = transactions.io().newOutputFile(
          transactions.location() + "/data/engine-deletes.parquet");
      org.apache.iceberg.deletes.PositionDeleteWriter<org.apache.iceberg.data.Record> writer =
          new org.apache.iceberg.data.GenericAppenderFactory(transactions.schema(),
              transactions.specs().get(target.specId()))
              .newPosDeleteWriter(org.apache.iceberg.encryption.EncryptedFiles
                  .plainAsEncryptedOutput(out), org.apache.iceberg.FileFormat.PARQUET,
                  target.partition());
      try (writer) {
        for (long position = 0; position < 3; position++) {
          writer.write(org.apache.iceberg.deletes.PositionDelete
              .<org.apache.iceberg.data.Record>create().set(target.location(), position, null));
        }
      }
      transactions.newRowDelta().addDeletes(writer.toDeleteFile()).commit();
      assertThat(count(transactions)).as("Iceberg's reader sees 3 rows fewer")
          .isEqualTo(before - 3);
    }

    Cli.Result counts = Cli.run(verify(catalog, 100, 199, 50, "--json"));

    assertThat(counts.status()).as(counts.out() + counts.err()).isEqualTo(1);
    assertThat(counts.out()).contains("\"kind\" : \"iceberg-deletes\"")
        .contains("delete file(s)");
  }

  private static long count(Table table) throws IOException {
    long rows = 0;
    try (org.apache.iceberg.io.CloseableIterable<org.apache.iceberg.data.Record> all =
        org.apache.iceberg.data.IcebergGenerics.read(table).build()) {
      for (org.apache.iceberg.data.Record ignored : all) {
        rows++;
      }
    }
    return rows;
  }
}
