package io.arexport.catalog;

import io.arexport.InvalidInputException;
import io.arexport.warehouse.LocalLocation;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.rest.RESTUtil;
import org.apache.iceberg.rest.ResourcePaths;
import org.apache.iceberg.rest.auth.AuthProperties;
import org.apache.iceberg.rest.auth.OAuth2Properties;

/**
 * Where an export, metadata or verify run publishes or reads its tables (contract section 7),
 * validated: {@link CatalogType#HADOOP} is the directory warehouse, anything else an Iceberg
 * catalog. Built from the {@code --catalog-*} options over an optional properties file ({@code
 * --catalog-config} or {@code AREXPORT_CATALOG_CONFIG}); options win over the file.
 *
 * <p>{@link #toString} and {@link #describe} never show a secret (see {@link Secrets}).
 *
 * @param uri REST endpoint or JDBC URL; null for hadoop
 * @param warehouse where table data lives ({@code s3://bucket/prefix}, a local path); may be null
 *     for a REST catalog that assigns locations itself
 * @param properties passed to the Iceberg catalog and its FileIO as they are
 * @param configFile the file the settings were read from, for the resume command
 */
public record CatalogSpec(CatalogType type, String uri, String warehouse, String name,
    String namespace, Map<String, String> properties, Optional<Path> configFile) {
  public static final String DEFAULT_NAME = "ar_io";
  public static final String DEFAULT_NAMESPACE = "default";
  private static final String SQLITE_PREFIX = "jdbc:sqlite:";
  /** The environment variable naming a catalog config file when --catalog-config is absent. */
  public static final String CONFIG_VARIABLE = "AREXPORT_CATALOG_CONFIG";

  /** Directory mode, as without any catalog option. */
  public static final CatalogSpec DIRECTORY = new CatalogSpec(CatalogType.HADOOP, null, null,
      DEFAULT_NAME, DEFAULT_NAMESPACE, Map.of(), Optional.empty());

  public CatalogSpec {
    properties = Map.copyOf(properties);
    if (name == null || name.isBlank()) {
      throw new InvalidInputException("--catalog-name must not be empty");
    }
    if (namespace == null || namespace.isBlank()) {
      throw new InvalidInputException("--namespace must not be empty");
    }
    switch (type) {
      case HADOOP -> {
        if (configFile != null && configFile.isPresent()) {
          throw new InvalidInputException("the catalog config file " + configFile.get()
              + " (--catalog-config or $" + CONFIG_VARIABLE + ") names no rest or jdbc"
              + " catalog: add type=rest or type=jdbc");
        }
        if (warehouse != null && isObjectStore(warehouse)) {
          throw new InvalidInputException("--catalog-warehouse " + Secrets.redactGiven(warehouse)
              + " is an object store, which has no atomic rename: use --catalog-type rest or"
              + " jdbc with it (docs/lakehouse.md)");
        }
        if (uri != null) {
          throw new InvalidInputException("--catalog-uri needs --catalog-type rest or jdbc");
        }
        // Without a catalog type these would be ignored and the run would write the directory
        // warehouse at --warehouseDir instead, successfully: refused like --catalog-uri.
        if (warehouse != null) {
          throw new InvalidInputException("--catalog-warehouse needs --catalog-type rest or jdbc"
              + " (the directory warehouse is --warehouseDir): " + Secrets.redactGiven(warehouse));
        }
        if (!properties.isEmpty()) {
          throw new InvalidInputException("--catalog-property needs --catalog-type rest or jdbc: "
              + String.join(", ", new TreeMap<>(properties).keySet()));
        }
      }
      case REST -> {
        requirePresent(uri, "--catalog-uri (the REST endpoint)");
        requireHttpUrl(uri);
      }
      case JDBC -> {
        requirePresent(uri, "--catalog-uri (the JDBC URL, e.g. jdbc:postgresql://host/db)");
        requirePresent(warehouse, "--catalog-warehouse");
        if (!uri.startsWith("jdbc:")) {
          throw new InvalidInputException("--catalog-uri of a jdbc catalog must be a JDBC URL"
              + " (jdbc:postgresql://..., jdbc:sqlite:...): " + Secrets.redactGiven(uri));
        }
        requireNoPostgresUserInfo(uri);
        requireDriver(uri);
        if (uri.startsWith(SQLITE_PREFIX)) {
          String database = sqliteDatabase(uri);
          if (database.isEmpty() || database.equals(":memory:")
              || uri.toLowerCase(Locale.ROOT).contains("mode=memory")) {
            // SQLite makes an in-memory database: the tables' commits would be lost at exit.
            throw new InvalidInputException("--catalog-uri " + Secrets.redactGiven(uri)
                + " names no SQLite file (an unset variable?): an in-memory catalog is gone"
                + " when the run ends");
          }
        }
      }
      default -> throw new IllegalStateException(type.name());
    }
  }

  /**
   * The PostgreSQL driver reads {@code user:password@host} as a host name and fails at connect
   * time with an unknown host: refused here, with the forms it does take.
   */
  private static void requireNoPostgresUserInfo(String uri) {
    String prefix = "jdbc:postgresql://";
    if (uri.startsWith(prefix)) {
      int query = uri.indexOf('?');
      String beforeQuery = query < 0 ? uri : uri.substring(0, query);
      if (beforeQuery.indexOf('@', prefix.length()) >= 0) {
        throw new InvalidInputException("--catalog-uri " + Secrets.redactGiven(uri)
            + ": the PostgreSQL driver takes no user:password@ in the URL; give"
            + " ?user=...&password=... or --catalog-property jdbc.user=... and"
            + " --catalog-property jdbc.password=...");
      }
    }
  }

  /**
   * Refuses a JDBC URL no driver on the class path accepts ({@code jdbc:mysql:} with the drivers
   * arexport bundles): Iceberg's JdbcCatalog would only fail at connect time, as a runtime
   * failure, after the run had started.
   */
  private static void requireDriver(String uri) {
    try {
      DriverManager.getDriver(uri);
    } catch (SQLException e) {
      throw new InvalidInputException("--catalog-uri " + Secrets.redactGiven(uri)
          + (uri.startsWith("jdbc:postgresql:")
              ? ": the PostgreSQL driver does not accept this URL (expected"
                  + " jdbc:postgresql://host[:port]/database[?parameters])"
              : ": no JDBC driver accepts this URL (arexport bundles the jdbc:postgresql: and"
                  + " jdbc:sqlite: drivers)"));
    }
  }

  /**
   * Combines the options with the config file.
   *
   * @param options the explicitly given {@code type}, {@code uri}, {@code warehouse}, {@code name},
   *     {@code namespace} (absent keys fall back to the file, then the defaults)
   * @param properties the {@code --catalog-property KEY=VALUE} values, unparsed
   * @param configFile {@code --catalog-config}, else {@code AREXPORT_CATALOG_CONFIG}
   */
  public static CatalogSpec resolve(Map<String, String> options, Iterable<String> properties,
      Optional<Path> configFile) {
    Map<String, String> file = configFile.map(CatalogSpec::readConfig).orElse(Map.of());
    Map<String, String> merged = new LinkedHashMap<>(file);
    for (String property : properties) {
      int equals = property.indexOf('=');
      if (equals < 1) {
        // Shown only when it looks like a property name (dotted lower case, e.g. s3.endpoint,
        // or a key of the config file): a mistyped secret is never printed.
        boolean showable = (property.matches("[a-z][a-z0-9-]*(\\.[a-z0-9-]+)+")
            || java.util.Set.of("type", "uri", "warehouse", "name", "namespace", "io-impl")
                .contains(property))
            && property.length() <= 80 && !Secrets.isSecretKey(property);
        throw new InvalidInputException("--catalog-property must be KEY=VALUE: "
            + (showable ? property : "(a value without '=' of " + property.length()
                + " characters, not shown)"));
      }
      merged.put(property.substring(0, equals).trim(), property.substring(equals + 1));
    }
    merged.putAll(options);
    String type = merged.remove("type");
    CatalogType catalogType = type == null ? CatalogType.HADOOP
        : parseType(type, type.equals(file.get("type")) && !options.containsKey("type")
            ? configFile : Optional.empty());
    String uri = merged.remove("uri");
    String warehouse = merged.remove("warehouse");
    String name = merged.remove("name");
    String namespace = merged.remove("namespace");
    return new CatalogSpec(catalogType, blankToNull(uri), blankToNull(warehouse), name == null ? DEFAULT_NAME : name,
        namespace == null ? DEFAULT_NAMESPACE : namespace, merged, configFile);
  }

  /** {@code type}; a bad one from the config file {@code fromFile} names that file. */
  private static CatalogType parseType(String type, Optional<Path> fromFile) {
    try {
      return CatalogType.parse(type);
    } catch (InvalidInputException e) {
      if (fromFile.isEmpty()) {
        throw e;
      }
      throw new InvalidInputException("type in the catalog config file " + fromFile.get()
          + " must be hadoop, rest or jdbc: " + type);
    }
  }

  /** True for the directory mode. */
  public boolean isDirectory() {
    return type == CatalogType.HADOOP;
  }

  /** The properties for {@link CatalogUtil#buildIcebergCatalog}: type, uri, warehouse and the rest. */
  public Map<String, String> catalogProperties() {
    Map<String, String> all = new LinkedHashMap<>(properties);
    all.put(CatalogUtil.ICEBERG_CATALOG_TYPE, type.optionValue());
    all.put(CatalogProperties.URI, uri);
    if (warehouse != null) {
      all.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse);
    }
    // Data paths decide the FileIO (s3:// -> S3FileIO, file: -> HadoopFileIO) unless one is set.
    all.putIfAbsent(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.io.ResolvingFileIO");
    if (type == CatalogType.REST) {
      fillOAuth2Defaults(all);
    }
    return all;
  }

  /**
   * Says explicitly what Iceberg 1.10 infers, with a WARN line on every run, for a REST catalog
   * given a {@code token} or {@code credential}: OAuth2, with its token endpoint at the
   * catalog's {@code v1/oauth/tokens}. Same behaviour, a quiet stderr for cron; settings the
   * operator gives win (docs/lakehouse.md, "Authentication").
   */
  private void fillOAuth2Defaults(Map<String, String> all) {
    if (!all.containsKey(OAuth2Properties.TOKEN) && !all.containsKey(OAuth2Properties.CREDENTIAL)) {
      return;
    }
    all.putIfAbsent(AuthProperties.AUTH_TYPE, AuthProperties.AUTH_TYPE_OAUTH2);
    if (AuthProperties.AUTH_TYPE_OAUTH2.equalsIgnoreCase(all.get(AuthProperties.AUTH_TYPE))) {
      all.putIfAbsent(OAuth2Properties.OAUTH2_SERVER_URI,
          RESTUtil.resolveEndpoint(uri, ResourcePaths.tokens()));
    }
  }

  /** True when several processes cannot commit through this catalog at once (SQLite). */
  public boolean singleWriterOnly() {
    return type == CatalogType.JDBC && uri.startsWith(SQLITE_PREFIX);
  }

  /**
   * The database file of a JdbcCatalog on SQLite, which SQLite creates on first connect: the
   * commands that only read a catalog check it exists instead. Empty for other catalogs.
   */
  public Optional<Path> sqliteFile() {
    if (!singleWriterOnly()) {
      return Optional.empty();
    }
    String database = sqliteDatabase(uri);
    if (database.startsWith("file:")) {
      // SQLite's URI filename: file:/path, file:///path or file:relative
      database = database.substring("file:".length()).replaceFirst("^//(localhost)?(?=/)", "");
    }
    return Optional.of(Path.of(database));
  }

  /**
   * Refuses a JdbcCatalog on SQLite whose file is one of the gateway's databases: Iceberg's
   * JdbcCatalog would add its tables to it, and the export reads it read-only.
   */
  public void requireApartFrom(Path... sourceDatabases) {
    Optional<Path> file = sqliteFile().map(f -> f.toAbsolutePath().normalize());
    if (file.isEmpty()) {
      return;
    }
    for (Path source : sourceDatabases) {
      Path database = source.toAbsolutePath().normalize();
      if (file.get().equals(database) || LocalLocation.isSameExistingFile(file.get(), database)) {
        throw new InvalidInputException("--catalog-uri " + Secrets.redactGiven(uri) + " names the"
            + " gateway database " + source + ": the catalog needs a SQLite file of its own");
      }
    }
  }

  /** What follows {@code jdbc:sqlite:}, without the driver's {@code ?key=value} settings. */
  private static String sqliteDatabase(String uri) {
    return uri.substring(SQLITE_PREFIX.length()).split("\\?", 2)[0].trim();
  }

  /**
   * How a staging job records this catalog as its destination (its {@code warehouseDir}
   * parameter): status lists a catalog's jobs by it, a resume matches on it.
   */
  public String jobDestination() {
    return "catalog: " + describe();
  }

  /**
   * What identifies the destination for resume matching and messages, without secrets:
   * e.g. {@code jdbc catalog ar_io at jdbc:postgresql://db/iceberg, namespace default}.
   */
  public String describe() {
    return type.optionValue() + " catalog " + name + " at " + Secrets.redactGiven(uri)
        + ", namespace " + namespace
        + (warehouse == null ? "" : ", warehouse " + Secrets.redactGiven(warehouse));
  }

  /** The options that reproduce this spec, secrets redacted (or the config file named). */
  public String options(ShellQuoting quoting) {
    if (isDirectory()) {
      return "";
    }
    StringBuilder options = new StringBuilder();
    configFile.ifPresent(f -> options.append(" --catalog-config ")
        .append(quoting.quote(f.toString())));
    // What came from the file is left to it: options win over the file, so a repeated
    // "--catalog-uri 'jdbc:postgresql://****@db/iceberg'" would connect with "****".
    Map<String, String> fromFile = configFile.map(CatalogSpec::readConfig).orElse(Map.of());
    appendUnlessFromFile(options, fromFile, "type", "--catalog-type", type.optionValue(), quoting);
    appendUnlessFromFile(options, fromFile, "uri", "--catalog-uri", uri, quoting);
    appendUnlessFromFile(options, fromFile, "warehouse", "--catalog-warehouse", warehouse,
        quoting);
    appendUnlessFromFile(options, fromFile, "name", "--catalog-name", name, quoting);
    appendUnlessFromFile(options, fromFile, "namespace", "--namespace", namespace, quoting);
    for (Map.Entry<String, String> property : new TreeMap<>(properties).entrySet()) {
      if (property.getValue().equals(fromFile.get(property.getKey()))) {
        continue;
      }
      options.append(" --catalog-property ").append(quoting.quote(property.getKey() + "="
          + Secrets.value(property.getKey(), property.getValue())));
    }
    return options.toString();
  }

  private static void appendUnlessFromFile(StringBuilder options, Map<String, String> fromFile,
      String key, String option, String value, ShellQuoting quoting) {
    String inFile = fromFile.get(key);
    boolean fromTheFile = inFile != null
        && (key.equals("type") ? value != null && value.equalsIgnoreCase(inFile.trim())
            : inFile.equals(value));
    if (value == null || fromTheFile) {
      return;
    }
    options.append(' ').append(option).append(' ')
        .append(quoting.quote(Secrets.redactGiven(value)));
  }

  /** Quotes one shell word (the CLI's {@code Shell.quote}). */
  @FunctionalInterface
  public interface ShellQuoting {
    String quote(String word);
  }

  @Override
  public String toString() {
    return describe() + " " + Secrets.printable(properties);
  }

  private static boolean isObjectStore(String location) {
    String lower = location.toLowerCase(Locale.ROOT);
    return lower.startsWith("s3:") || lower.startsWith("s3a:") || lower.startsWith("s3n:")
        || lower.startsWith("gs:") || lower.startsWith("abfs:") || lower.startsWith("abfss:")
        || lower.startsWith("wasb:") || lower.startsWith("oss:") || lower.startsWith("r2:");
  }

  /** True when a {@code --warehouseDir} value names an object store (refused in directory mode). */
  public static boolean namesObjectStore(String location) {
    return isObjectStore(location);
  }

  private static void requireHttpUrl(String uri) {
    URI parsed;
    try {
      parsed = new URI(uri.trim());
    } catch (URISyntaxException e) {
      parsed = null;
    }
    String scheme = parsed == null || parsed.getScheme() == null ? ""
        : parsed.getScheme().toLowerCase(Locale.ROOT);
    if (parsed == null || !(scheme.equals("http") || scheme.equals("https"))
        || parsed.getHost() == null) {
      throw new InvalidInputException("--catalog-uri of a rest catalog must be an http(s) URL"
          + " (e.g. https://catalog.example/api/catalog): " + Secrets.redactGiven(uri));
    }
  }

  private static void requirePresent(String value, String what) {
    if (value == null) {
      throw new InvalidInputException(what + " is required with this --catalog-type");
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static Map<String, String> readConfig(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (NoSuchFileException e) {
      throw new InvalidInputException("catalog config file not found (--catalog-config or $"
          + CONFIG_VARIABLE + "): " + file);
    } catch (IOException e) {
      throw new InvalidInputException("cannot read the catalog config file (--catalog-config or $"
          + CONFIG_VARIABLE + ") " + file + ": " + e.getClass().getSimpleName() + ": "
          + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("catalog config file " + file + " is not a Java properties"
          + " file: " + e.getMessage());
    }
    Map<String, String> values = new LinkedHashMap<>();
    properties.stringPropertyNames().forEach(k -> values.put(k.trim(), properties.getProperty(k)));
    return values;
  }
}
