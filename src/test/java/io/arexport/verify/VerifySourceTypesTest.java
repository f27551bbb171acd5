package io.arexport.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.testing.Cli;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify --deep} reads the source as strictly as the export does: a value stored with the
 * wrong SQLite type, which {@code getLong} would read back as the number the warehouse holds, is
 * refused with the export's own words (exit 2) instead of passing as a match.
 */
class VerifySourceTypesTest {
  private static final String FIRST_ITEM_AT_150 =
      "rowid = (SELECT min(rowid) FROM stable_data_items WHERE height = 150"
          + " AND data_size IS NOT NULL)";

  @Test
  void aSourceValueOfTheWrongTypeIsRefusedAsTheExportRefusesIt(@TempDir Path sources,
      @TempDir Path work) throws Exception {
    VerifyFixture fx = VerifyFixture.generate(sources);
    Path warehouse = fx.export(work, 100, 349, 50, 1_000_000, true, true);
    assertThat(fx.verify(warehouse, 100, 349, 50, true, true, "--deep").status()).isZero();

    // REAL n + 0.5: getLong reads it as n, the value in the warehouse. (TEXT digits cannot be
    // stored: the column's INTEGER affinity turns them back into an integer.)
    try (Connection bundles = DriverManager.getConnection("jdbc:sqlite:" + fx.bundles);
        Statement statement = bundles.createStatement()) {
      assertThat(statement.executeUpdate("UPDATE stable_data_items SET data_size ="
          + " data_size + 0.5 WHERE " + FIRST_ITEM_AT_150)).isEqualTo(1);
    }

    Cli.Result deep = fx.verify(warehouse, 100, 349, 50, true, true, "--deep");
    assertThat(deep.status()).as(deep.out() + deep.err()).isEqualTo(2);
    assertThat(deep.err()).contains("stable_data_items.data_size").contains("is REAL ")
        .contains("not an integer");

    // The export refuses the same source with the same words.
    Cli.Result export = Cli.run("export", "--startHeight", "100", "--endHeight", "349",
        "--heightPartitionSize", "50", "--includeL1Transactions", "--includeL1Tags",
        "--coreDb", fx.core.toString(), "--bundlesDb", fx.bundles.toString(),
        "--stagingDir", work.resolve("staging-2").toString(),
        "--warehouseDir", work.resolve("warehouse-2").toString());
    assertThat(export.status()).isEqualTo(2);
    String refusal = deep.err().lines().filter(l -> l.contains("not an integer")).findFirst()
        .orElseThrow();
    assertThat(export.err()).contains(refusal.substring(refusal.indexOf("stable_data_items")));
  }
}
