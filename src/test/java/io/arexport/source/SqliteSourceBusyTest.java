package io.arexport.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arexport.ArexportException;
import io.arexport.RuntimeFailureException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source database another process holds locked (the gateway mid-checkpoint, a backup) is a
 * failure to retry, exit 1, which {@code sync --watch} retries; not bad input, exit 2, which ends
 * the watch.
 */
class SqliteSourceBusyTest {
  @Test
  void aDatabaseLockedPastTheBusyTimeoutIsARuntimeFailure(@TempDir Path dir) throws Exception {
    Path db = dir.resolve("core.db");
    try (Connection writer = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement statement = writer.createStatement()) {
      statement.execute("PRAGMA journal_mode=DELETE");
      statement.execute("CREATE TABLE stable_blocks (height INTEGER)");
      statement.execute("BEGIN EXCLUSIVE");
      statement.execute("INSERT INTO stable_blocks VALUES (1)");

      assertThatThrownBy(() -> SqliteSource.open("coreDb", db,
          Map.of("stable_blocks", Set.of("height")), 200))
          .isInstanceOf(RuntimeFailureException.class)
          .hasMessageContaining("coreDb " + db).hasMessageContaining("locked")
          .satisfies(e -> assertThat(((ArexportException) e).kind())
              .isEqualTo(ArexportException.Kind.RUNTIME));

      statement.execute("ROLLBACK");
    }
    try (SqliteSource source = SqliteSource.open("coreDb", db,
        Map.of("stable_blocks", Set.of("height")), 200)) {
      assertThat(source).isNotNull();
    }
  }
}
