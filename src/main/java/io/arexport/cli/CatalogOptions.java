package io.arexport.cli;

import io.arexport.catalog.CatalogSpec;
import io.arexport.catalog.Secrets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The options that choose where tables live (contract section 7), shared by every command that
 * opens tables. Without any of them a run is in directory mode at {@code --warehouseDir}.
 */
final class CatalogOptions {
  @Option(names = "--catalog-type", paramLabel = "TYPE",
      description = "hadoop (default: the directory warehouse at --warehouseDir), rest or jdbc.")
  String type;

  @Option(names = "--catalog-uri", paramLabel = "URI",
      description = "REST endpoint or JDBC URL of the catalog.")
  String uri;

  @Option(names = "--catalog-warehouse", paramLabel = "URI",
      description = "Where table data lives, e.g. s3://bucket/prefix or a local path.")
  String warehouse;

  @Option(names = "--catalog-name", paramLabel = "NAME",
      description = "Catalog name (default: " + CatalogSpec.DEFAULT_NAME + "; JDBC catalogs file"
          + " tables under it: every writer and reader must use the same).")
  String name;

  @Option(names = "--namespace", paramLabel = "NS",
      description = "Namespace of the tables (default: " + CatalogSpec.DEFAULT_NAMESPACE + ").")
  String namespace;

  @Option(names = "--catalog-property", paramLabel = "KEY=VALUE",
      description = "Passed to the Iceberg catalog and its FileIO as is (repeatable), e.g."
          + " s3.endpoint=..., s3.path-style-access=true, token=..., jdbc.user=...")
  List<String> properties = new ArrayList<>();

  @Option(names = "--catalog-config", paramLabel = "FILE",
      description = "Java properties file with the same keys (type, uri, warehouse, name,"
          + " namespace, any catalog property); also from $" + CatalogSpec.CONFIG_VARIABLE
          + ". Options win over the file.")
  Path configFile;

  /** The spec last resolved, for {@link #scrub}; null before (or when resolving failed). */
  private CatalogSpec resolved;

  /** The validated spec; the config file falls back to the environment variable. */
  CatalogSpec spec(Map<String, String> env) {
    resolved = resolve(env);
    return resolved;
  }

  /**
   * {@code text} (a stack trace) without the secrets of these options: the secret values of the
   * resolved spec (its config file's included) and of the {@code --catalog-property} options,
   * and the user-info of its URIs. The core's error messages are scrubbed where they are made; a
   * library's exception in the cause chain is not.
   */
  String scrub(String text) {
    Map<String, String> given = new LinkedHashMap<>();
    for (String property : properties) {
      int equals = property.indexOf('=');
      if (equals > 0) {
        given.put(property.substring(0, equals).trim(), property.substring(equals + 1));
      }
    }
    String scrubbed = Secrets.scrub(text, given, uri, warehouse);
    if (resolved != null) {
      scrubbed = Secrets.scrub(scrubbed, resolved.properties(), resolved.uri(),
          resolved.warehouse());
    }
    return scrubbed;
  }

  private CatalogSpec resolve(Map<String, String> env) {
    Map<String, String> given = new LinkedHashMap<>();
    putIfGiven(given, "type", type);
    putIfGiven(given, "uri", uri);
    putIfGiven(given, "warehouse", warehouse);
    putIfGiven(given, "name", name);
    putIfGiven(given, "namespace", namespace);
    Optional<Path> file = Optional.ofNullable(configFile)
        .or(() -> Optional.ofNullable(env.get(CatalogSpec.CONFIG_VARIABLE))
            .filter(v -> !v.isBlank()).map(Path::of))
        .map(p -> p.toAbsolutePath().normalize());
    return CatalogSpec.resolve(given, properties, file);
  }

  private static void putIfGiven(Map<String, String> given, String key, String value) {
    if (value != null) {
      given.put(key, value);
    }
  }
}
