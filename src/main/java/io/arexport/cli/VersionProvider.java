package io.arexport.cli;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.apache.iceberg.IcebergBuild;
import picocli.CommandLine;

/**
 * arexport's version (from the jar manifest) and those of the libraries that decide what its
 * files are, as loaded at run time: Iceberg, Parquet, SQLite (the native library inside
 * sqlite-jdbc) and the JVM. The first line stays {@code arexport <version>} for scripts.
 */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = VersionProvider.class.getPackage().getImplementationVersion();
    return new String[] {
        "arexport " + (version == null ? "(development build)" : version),
        "  Apache Iceberg " + IcebergBuild.version() + " (commit "
            + IcebergBuild.gitCommitShortId() + ")",
        "  Apache Parquet Java " + parquetVersion(),
        "  SQLite " + sqliteVersion(),
        "  Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ", "
            + System.getProperty("java.vendor") + ")"};
  }

  /**
   * Read by reflection: {@code org.apache.parquet.Version.VERSION_NUMBER} is a compile-time
   * constant, which javac would copy into this class instead of asking the loaded library.
   */
  private static String parquetVersion() {
    try {
      return (String) Class.forName("org.apache.parquet.Version").getField("VERSION_NUMBER")
          .get(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return "unknown (" + e + ")";
    }
  }

  /** The native SQLite library's own answer, and the driver wrapping it. */
  private static String sqliteVersion() {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite::memory:");
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("select sqlite_version()")) {
      result.next();
      return result.getString(1) + " (sqlite-jdbc " + connection.getMetaData().getDriverVersion()
          + ")";
    } catch (SQLException | RuntimeException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }
}
