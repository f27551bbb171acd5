package io.arexport.source;

import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import io.arexport.RuntimeFailureException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * One gateway SQLite database opened read-only. The gateway keeps writing to it (WAL mode), so the
 * connection never writes, sets a busy timeout, and holds a read transaction only while one
 * partition is read; in WAL mode that snapshot never blocks the writer.
 */
public final class SqliteSource implements AutoCloseable {
  /** How long SQLite waits for a lock (e.g. during a WAL reset) before giving up. */
  static final int BUSY_TIMEOUT_MILLIS = 30_000;

  private final String label;
  private final Path path;
  private final Connection connection;

  private SqliteSource(String label, Path path, Connection connection) {
    this.label = label;
    this.path = path;
    this.connection = connection;
  }

  /**
   * Opens {@code path} read-only and checks that it is a SQLite database holding every table and
   * column in {@code requiredColumns}.
   *
   * @param label the option that named the file ("coreDb", "bundlesDb"), used in messages
   */
  public static SqliteSource open(String label, Path path, Map<String, Set<String>> requiredColumns) {
    return open(label, path, requiredColumns, BUSY_TIMEOUT_MILLIS);
  }

  /** As {@link #open(String, Path, Map)}, waiting at most {@code busyTimeoutMillis} for locks. */
  static SqliteSource open(String label, Path path, Map<String, Set<String>> requiredColumns,
      int busyTimeoutMillis) {
    if (!Files.exists(path)) {
      throw new InvalidInputException(label + " database not found: " + path);
    }
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new InvalidInputException(label + " is not a readable file: " + path);
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setOpenMode(SQLiteOpenMode.READONLY);
    // The driver already serializes every call on a connection (NativeDB's methods are
    // synchronized), so SQLite's own per-call connection mutex only adds a lock and an unlock to
    // each column read.
    config.setOpenMode(SQLiteOpenMode.NOMUTEX);
    config.setBusyTimeout(busyTimeoutMillis);
    // Sorting a partition may spill; keep it on disk rather than in the JVM process's memory.
    config.setTempStore(SQLiteConfig.TempStore.FILE);
    Connection connection;
    try {
      connection = config.createConnection("jdbc:sqlite:" + path.toAbsolutePath());
    } catch (SQLException e) {
      if (isBusy(e)) {
        throw busy(label, path, busyTimeoutMillis, e);
      }
      throw new InvalidInputException(
          "cannot open " + label + " " + path + " as SQLite: " + firstLine(e), e);
    }
    SqliteSource source = new SqliteSource(label, path, connection);
    try {
      source.checkSchema(requiredColumns);
      connection.setAutoCommit(false);
      return source;
    } catch (RuntimeException | SQLException e) {
      source.close();
      if (e instanceof RuntimeException re) {
        throw re;
      }
      if (isBusy((SQLException) e)) {
        throw busy(label, path, busyTimeoutMillis, (SQLException) e);
      }
      throw new InvalidInputException(
          label + " " + path + " is not a usable SQLite database: " + firstLine(e), e);
    }
  }

  private void checkSchema(Map<String, Set<String>> requiredColumns) throws SQLException {
    for (Map.Entry<String, Set<String>> table : requiredColumns.entrySet()) {
      Set<String> present = new HashSet<>();
      try (PreparedStatement statement =
              connection.prepareStatement("SELECT name FROM pragma_table_info(?)")) {
        statement.setString(1, table.getKey());
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            present.add(rows.getString(1).toLowerCase(Locale.ROOT));
          }
        }
      } catch (SQLException e) {
        if (isNotADatabase(e)) {
          throw new InvalidInputException(label + " is not a SQLite database: " + path, e);
        }
        throw e;
      }
      if (present.isEmpty()) {
        throw new InvalidInputException(
            label + " " + path + " has no table " + table.getKey());
      }
      for (String column : table.getValue()) {
        if (!present.contains(column)) {
          throw new InvalidInputException(
              label + " " + path + ": table " + table.getKey() + " has no column " + column);
        }
      }
    }
  }

  /**
   * SQLITE_BUSY or SQLITE_LOCKED past the busy timeout: another process (the gateway, a backup)
   * holds a lock the read needs. The database is fine, so this is a failure to retry (exit 1;
   * {@code sync --watch} retries it), not bad input.
   */
  private static boolean isBusy(SQLException e) {
    int primary = e.getErrorCode() & 0xff;
    String message = String.valueOf(e.getMessage());
    return primary == 5 || primary == 6 || message.contains("SQLITE_BUSY")
        || message.contains("SQLITE_LOCKED");
  }

  private static RuntimeFailureException busy(String label, Path path, int timeoutMillis,
      SQLException e) {
    return new RuntimeFailureException(label + " " + path + " stayed locked by another process"
        + " for " + timeoutMillis + " ms: " + firstLine(e) + " (retry later)", e);
  }

  private static boolean isNotADatabase(SQLException e) {
    String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    return message.contains("not a database") || message.contains("file is encrypted");
  }

  static String firstLine(Throwable e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** Prepares a query on this database; failures name the database. */
  public PreparedStatement prepare(String sql) {
    try {
      return connection.prepareStatement(sql);
    } catch (SQLException e) {
      throw failure("cannot prepare query", e);
    }
  }

  /**
   * The single number {@code sql} returns with a height range bound to its two parameters
   * (e.g. {@code SELECT count(*) FROM t WHERE height BETWEEN ? AND ?}); failures name the
   * database.
   */
  long numberIn(String sql, HeightRange range) {
    try (PreparedStatement statement = prepare(sql)) {
      statement.setLong(1, range.start());
      statement.setLong(2, range.end());
      try (ResultSet row = statement.executeQuery()) {
        return row.getLong(1);
      }
    } catch (SQLException e) {
      throw failure("query failed", e);
    }
  }

  /**
   * Ends the current read snapshot. The next query starts a new one, so each partition is read
   * from one consistent state of the database while the gateway's commits in between are seen by
   * the next partition.
   */
  public void endSnapshot() {
    try {
      connection.commit();
    } catch (SQLException e) {
      throw failure("cannot end read transaction", e);
    }
  }

  /** A runtime failure of this database that names it (label and path). */
  public RuntimeFailureException failure(String what, SQLException e) {
    if (isNotADatabase(e)) {
      return new RuntimeFailureException(label + " " + path + " is corrupt: " + firstLine(e), e);
    }
    return new RuntimeFailureException(
        label + " " + path + ": " + what + ": " + firstLine(e), e);
  }

  String label() {
    return label;
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // Read-only connection: nothing to lose on a failed close.
    }
  }
}
