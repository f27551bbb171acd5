package io.arexport.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Test support (public for the catalog sync tests too): a copy of a fixture whose top heights can
 * be cut (DELETE from the stable tables above a height) and restored (INSERT them back from the
 * pristine fixture), as a gateway's stable tip moves.
 */
public final class GrowingSource {
  private static final List<String> CORE_TABLES =
      List.of("stable_blocks", "stable_transactions", "stable_transaction_tags");
  private static final List<String> BUNDLES_TABLES =
      List.of("stable_data_items", "stable_data_item_tags");

  private final Path pristine;
  final Path dir;

  private GrowingSource(Path pristine, Path dir) {
    this.pristine = pristine;
    this.dir = dir;
  }

  /** Copies {@code pristine}'s core.db and bundles.db into {@code dir}. */
  public static GrowingSource copy(Path pristine, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String db : List.of("core.db", "bundles.db")) {
      Files.copy(pristine.resolve(db), dir.resolve(db), StandardCopyOption.REPLACE_EXISTING);
    }
    return new GrowingSource(pristine, dir);
  }

  public Path coreDb() {
    return dir.resolve("core.db");
  }

  public Path bundlesDb() {
    return dir.resolve("bundles.db");
  }

  /** Removes every stable row above {@code height}. */
  public void cutAbove(long height) throws SQLException {
    run("core.db", CORE_TABLES, "DELETE FROM main.%s WHERE height > ?", height);
    run("bundles.db", BUNDLES_TABLES, "DELETE FROM main.%s WHERE height > ?", height);
  }

  /** Inserts the pristine fixture's stable rows above {@code height} again. */
  public void restoreAbove(long height) throws SQLException {
    run("core.db", CORE_TABLES, "INSERT INTO main.%1$s SELECT * FROM p.%1$s WHERE height > ?",
        height);
    run("bundles.db", BUNDLES_TABLES,
        "INSERT INTO main.%1$s SELECT * FROM p.%1$s WHERE height > ?", height);
  }

  private void run(String db, List<String> tables, String sql, long height)
      throws SQLException {
    try (Connection connection =
        DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(db).toAbsolutePath())) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("ATTACH DATABASE '" + pristine.resolve(db).toAbsolutePath()
            .toString().replace("'", "''") + "' AS p");
      }
      for (String table : tables) {
        try (PreparedStatement statement = connection.prepareStatement(String.format(sql, table))) {
          statement.setLong(1, height);
          statement.executeUpdate();
        }
      }
    }
  }
}
