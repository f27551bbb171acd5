package io.arexport.iceberg;

import io.arexport.InvalidInputException;
import io.arexport.catalog.Secrets;
import io.arexport.schema.ExportTable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A validated {@code arexport metadata} request: everything {@link MetadataWriter} needs, nothing
 * about the CLI.
 *
 * @param warehouseDir the warehouse ({@code --datasets-dir}), absolute and normalized
 * @param datasetsRoot the URL every location is recorded under, without a trailing slash; empty to
 *     keep each table's recorded root ({@code file:<warehouse>} for a new table)
 * @param tables the tables to commit, without duplicates
 * @param tablesNamed true when the operator named the tables, so a missing one is an error
 */
public record MetadataRequest(Path warehouseDir, Optional<String> datasetsRoot,
    List<ExportTable> tables, boolean tablesNamed) {

  public MetadataRequest {
    Path warehouse = warehouseDir.toAbsolutePath().normalize();
    warehouseDir = warehouse;
    datasetsRoot = datasetsRoot.map(root -> validRoot(root, warehouse));
    tables = TableSelection.distinct(tables);
  }

  /** Parses {@code --tables blocks,tags}; null (not given) means all three. */
  public static MetadataRequest of(Path warehouseDir, String datasetsRoot, List<String> tables) {
    TableSelection selection = TableSelection.parse(tables);
    return new MetadataRequest(warehouseDir, Optional.ofNullable(datasetsRoot),
        selection.tables(), selection.named());
  }

  /** The default root: the warehouse directory as a {@code file:} URI. */
  static String fileRoot(Path warehouseDir) {
    return "file:" + warehouseDir.toAbsolutePath().normalize();
  }

  /**
   * An absolute URL without query or fragment; trailing slashes are dropped. A {@code file:} root
   * must be the warehouse itself, since the data files are recorded under it.
   */
  private static String validRoot(String root, Path warehouseDir) {
    String trimmed = root.trim();
    while (trimmed.endsWith("/") && trimmed.length() > 1) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    URI uri;
    try {
      uri = new URI(trimmed);
    } catch (URISyntaxException e) {
      throw new InvalidInputException("--datasets-root is not a URL: '"
          + Secrets.redactGiven(root) + "' ("
          + e.getReason() + ")");
    }
    if (trimmed.contains("@")) {
      // Every metadata file and manifest would record a user-info, and serve hands those to
      // anyone. Any '@' is refused: an unencoded password may hold '/', which hides it in the path.
      throw new InvalidInputException("--datasets-root must not hold a user or password (no '@';"
          + " every metadata file would record it): " + Secrets.redactGiven(root.trim()));
    }
    if (!uri.isAbsolute() || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new InvalidInputException("--datasets-root must be an absolute URL without query or"
          + " fragment, e.g. http://127.0.0.1:4000/local/datasets/default: '" + root + "'");
    }
    if ("file".equalsIgnoreCase(uri.getScheme())) {
      Path path;
      try {
        path = Path.of(uri.getPath() == null ? "" : uri.getPath()).toAbsolutePath().normalize();
      } catch (RuntimeException e) {
        throw new InvalidInputException("--datasets-root is not a usable file: URL: " + root);
      }
      if (!path.equals(warehouseDir)) {
        throw new InvalidInputException("--datasets-root " + root + " is a file: URL of " + path
            + ", not of the warehouse " + warehouseDir);
      }
      return fileRoot(warehouseDir);
    }
    if (uri.getRawAuthority() == null && uri.isOpaque()) {
      throw new InvalidInputException("--datasets-root must be a hierarchical URL such as"
          + " http://host:port/path: '" + root + "'");
    }
    // A scheme is case-insensitive: HTTP://host and http://host are one root, not two histories.
    String scheme = uri.getScheme();
    return scheme.toLowerCase(java.util.Locale.ROOT) + trimmed.substring(scheme.length());
  }
}
