package io.arexport.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arexport.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CatalogSpec#catalogProperties}: what goes to Iceberg's catalog besides the operator's
 * own properties.
 */
class CatalogSpecTest {
  private static Map<String, String> rest(String... properties) {
    return CatalogSpec.resolve(Map.of("type", "rest", "uri", "https://catalog.example/api/"),
        List.of(properties), Optional.empty()).catalogProperties();
  }

  @Test
  void aRestTokenOrCredentialSaysOAuth2AndTheCatalogsTokenEndpoint() {
    for (String property : List.of("token=t0ken", "credential=client:secret")) {
      assertThat(rest(property))
          .containsEntry("rest.auth.type", "oauth2")
          .containsEntry("oauth2-server-uri", "https://catalog.example/api/v1/oauth/tokens");
    }
  }

  @Test
  void theOperatorsAuthSettingsWin() {
    assertThat(rest("token=t0ken", "oauth2-server-uri=https://idp.example/token"))
        .containsEntry("rest.auth.type", "oauth2")
        .containsEntry("oauth2-server-uri", "https://idp.example/token");
    assertThat(rest("token=t0ken", "rest.auth.type=sigv4"))
        .containsEntry("rest.auth.type", "sigv4")
        .doesNotContainKey("oauth2-server-uri");
  }

  @Test
  void noAuthSettingWithoutATokenOrCredentialOrOutsideRest() {
    assertThat(rest()).doesNotContainKeys("rest.auth.type", "oauth2-server-uri");
    Map<String, String> jdbc = CatalogSpec.resolve(Map.of("type", "jdbc", "uri",
        "jdbc:sqlite:/tmp/c.db", "warehouse", "/tmp/w"), List.of("token=t0ken"),
        Optional.empty()).catalogProperties();
    assertThat(jdbc).doesNotContainKeys("rest.auth.type", "oauth2-server-uri");
  }

  @Test
  void badSettingsNameTheirValueAndWhereItCameFrom(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> CatalogSpec.resolve(Map.of("type", "rest", "uri", "not a uri"),
        List.of(), Optional.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--catalog-uri of a rest catalog must be an http(s) URL"
            + " (e.g. https://catalog.example/api/catalog): not a uri");
    assertThatThrownBy(() -> CatalogSpec.resolve(Map.of("type", "rest", "uri",
        "ftp://user:pw@host/x"), List.of(), Optional.empty()))
        .hasMessageEndingWith(": ftp://****@host/x");

    Path file = dir.resolve("catalog.properties");
    Files.writeString(file, "type=cassandra\n");
    assertThatThrownBy(() -> CatalogSpec.resolve(Map.of(), List.of(), Optional.of(file)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("type in the catalog config file " + file
            + " must be hadoop, rest or jdbc: cassandra");

    Path missing = dir.resolve("absent.properties");
    assertThatThrownBy(() -> CatalogSpec.resolve(Map.of(), List.of(), Optional.of(missing)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("catalog config file not found (--catalog-config or $"
            + CatalogSpec.CONFIG_VARIABLE + "): " + missing);
  }

  /**
   * The resume command leaves what came from the config file to the file: options win over it,
   * so a repeated, redacted --catalog-uri would connect with "****" as the password.
   */
  @Test
  void theResumeOptionsRepeatOnlyWhatDidNotComeFromTheConfigFile(@TempDir Path dir)
      throws Exception {
    Path file = Files.writeString(dir.resolve("catalog.properties"), "type=JDBC\n"
        + "uri=jdbc:postgresql://db/iceberg?user=ario&password=pw-secret\nwarehouse=s3://bucket/ario\n"
        + "jdbc.password=pw-secret\n");
    CatalogSpec spec = CatalogSpec.resolve(Map.of("namespace", "gateway"),
        List.of("s3.endpoint=http://127.0.0.1:9000"), Optional.of(file));

    String options = spec.options(word -> word);

    assertThat(options).isEqualTo(" --catalog-config " + file + " --catalog-name ar_io"
        + " --namespace gateway --catalog-property s3.endpoint=http://127.0.0.1:9000");
    CatalogSpec again = CatalogSpec.resolve(Map.of("name", "ar_io", "namespace", "gateway"),
        List.of("s3.endpoint=http://127.0.0.1:9000"), Optional.of(file));
    assertThat(again).isEqualTo(spec);
  }

  /** An in-memory SQLite catalog would lose every commit at exit: refused like an empty path. */
  @Test
  void aJdbcSqliteUriWithoutAFileIsRefused() {
    for (String uri : List.of("jdbc:sqlite:", "jdbc:sqlite: ", "jdbc:sqlite::memory:",
        "jdbc:sqlite:?journal_mode=wal", "jdbc:sqlite:file:cat?mode=memory&cache=shared")) {
      assertThatThrownBy(() -> CatalogSpec.resolve(Map.of("type", "jdbc", "uri", uri,
          "warehouse", "/tmp/lake"), List.of(), Optional.empty()))
          .as(uri).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("names no SQLite file");
    }
    assertThat(CatalogSpec.resolve(Map.of("type", "jdbc", "uri", "jdbc:sqlite:/tmp/c.db",
        "warehouse", "/tmp/lake"), List.of(), Optional.empty()).uri())
        .isEqualTo("jdbc:sqlite:/tmp/c.db");
  }

  /** pgjdbc reads user:password@host as a host name: refused up front, naming the forms it takes. */
  @Test
  void aPostgresUrlWithUserInfoIsRefusedWithoutItsPassword() {
    for (String uri : List.of("jdbc:postgresql://arex:SECRETPW1@127.0.0.1:1/db",
        "jdbc:postgresql://u:SEC/RETPW2@127.0.0.1:1/db?ssl=true")) {
      assertThatThrownBy(() -> CatalogSpec.resolve(Map.of("type", "jdbc", "uri", uri,
          "warehouse", "/tmp/lake"), List.of(), Optional.empty()))
          .as(uri).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("takes no user:password@").hasMessageContaining("jdbc.password")
          .hasMessageNotContaining("SEC").hasMessageNotContaining("PW");
    }
  }

  /** As for --coreDb: the operator's mistake (exit 2, one line), not a connection failure. */
  @Test
  void aSqliteCatalogThatIsADirectoryOrInAMissingDirectoryIsInvalidInput(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    for (String uri : List.of("jdbc:sqlite:" + dir, "jdbc:sqlite:" + dir.resolve("no/c.db"))) {
      // export, which would create a missing catalog database
      io.arexport.testing.Cli.Result status = io.arexport.testing.Cli.run("export",
          "--startHeight", "1400000", "--endHeight", "1400009", "--coreDb", "testdata/core.db",
          "--bundlesDb", "testdata/bundles.db", "--stagingDir", dir.resolve("st").toString(),
          "--catalog-type", "jdbc", "--catalog-uri", uri,
          "--catalog-warehouse", dir.resolve("lake").toString());
      assertThat(status.status()).as(uri + ": " + status.err()).isEqualTo(2);
      assertThat(status.errLines()).as(uri).singleElement().asString()
          .contains("SQLite catalog").contains(dir.toString());
    }
    assertThat(dir.resolve("lake")).doesNotExist();
    assertThat(dir.resolve("st")).doesNotExist();
    assertThat(dir.resolve("no")).doesNotExist();
  }

  @Test
  void aJdbcUrlNoBundledDriverAcceptsIsRefusedWithoutItsPassword() {
    for (String uri : List.of("jdbc:mysql://db:3306/iceberg?user=me&password=hunter2",
        "jdbc:postgres://db/iceberg", "jdbc:")) {
      assertThatThrownBy(() -> CatalogSpec.resolve(Map.of("type", "jdbc", "uri", uri,
          "warehouse", "/tmp/lake"), List.of(), Optional.empty()))
          .as(uri).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("no JDBC driver accepts this URL")
          .hasMessageNotContaining("hunter2");
    }
    assertThat(CatalogSpec.resolve(Map.of("type", "jdbc", "uri",
        "jdbc:postgresql://db/iceberg", "warehouse", "/tmp/lake"), List.of(), Optional.empty())
        .uri()).isEqualTo("jdbc:postgresql://db/iceberg");
  }

  @Test
  void theSqliteFileOfAJdbcCatalogIsTheDatabaseTheDriverWouldOpen() {
    Map<String, Path> files = Map.of(
        "jdbc:sqlite:/srv/lake/catalog.db", Path.of("/srv/lake/catalog.db"),
        "jdbc:sqlite:/srv/lake/catalog.db?journal_mode=wal", Path.of("/srv/lake/catalog.db"),
        "jdbc:sqlite:file:/srv/c.db", Path.of("/srv/c.db"),
        "jdbc:sqlite:file:///srv/c.db?cache=shared", Path.of("/srv/c.db"),
        "jdbc:sqlite:catalog.db", Path.of("catalog.db"));
    files.forEach((uri, file) -> assertThat(CatalogSpec.resolve(Map.of("type", "jdbc", "uri", uri,
        "warehouse", "/tmp/lake"), List.of(), Optional.empty()).sqliteFile()).as(uri)
        .contains(file));
    assertThat(CatalogSpec.resolve(Map.of("type", "jdbc", "uri", "jdbc:postgresql://db/iceberg",
        "warehouse", "/tmp/lake"), List.of(), Optional.empty()).sqliteFile()).isEmpty();
  }
}
