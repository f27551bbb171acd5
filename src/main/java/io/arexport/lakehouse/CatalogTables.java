package io.arexport.lakehouse;

import io.arexport.InvalidInputException;
import io.arexport.RuntimeFailureException;
import io.arexport.StateConflictException;
import io.arexport.catalog.CatalogSpec;
import io.arexport.catalog.CatalogType;
import io.arexport.catalog.Secrets;
import io.arexport.iceberg.Snapshots;
import io.arexport.iceberg.TableDefinition;
import io.arexport.iceberg.TableMaintenance;
import io.arexport.schema.ExportTable;
import io.arexport.warehouse.LocalLocation;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.ForbiddenException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.NotAuthorizedException;
import org.apache.iceberg.exceptions.RESTException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.io.PositionOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * The exported tables in an Iceberg catalog (contract section 7): opens the catalog with
 * Iceberg's {@link CatalogUtil} and loads the tables, creating them on first use with {@link
 * TableDefinition}'s schema, spec, sort order and properties. A table with another schema is
 * refused. Every failure names the catalog without its secrets.
 */
final class CatalogTables implements Closeable {
  /**
   * Commit retries for contended writers: Iceberg's default of 4 was measured too low for a few
   * processes committing to one table through JdbcCatalog (issue 7); Iceberg retries with a fresh
   * base and an exponential, jittered backoff between these bounds.
   */
  static final Map<String, String> COMMIT_RETRY = Map.of(
      TableProperties.COMMIT_NUM_RETRIES, "20",
      TableProperties.COMMIT_MIN_RETRY_WAIT_MS, "100",
      TableProperties.COMMIT_MAX_RETRY_WAIT_MS, "5000",
      TableProperties.COMMIT_TOTAL_RETRY_TIME_MS, "600000");

  private static final Logger LOG = LoggerFactory.getLogger(CatalogTables.class);

  private final CatalogSpec spec;
  private final Catalog catalog;

  /** Over an open {@code catalog} (which it closes); {@link #open} builds it from the spec. */
  CatalogTables(CatalogSpec spec, Catalog catalog) {
    this.spec = spec;
    this.catalog = catalog;
  }

  /** Opens the catalog of {@code spec} (not hadoop); an unreachable or refusing catalog fails. */
  public static CatalogTables open(CatalogSpec spec) {
    return open(spec, true);
  }

  /**
   * Opens a catalog that must exist already, for the commands that verify or maintain one: a
   * catalog that is not there ({@link #openIfPresent}) is refused, exit 2.
   *
   * @param commits whether this run commits (maintain): only then the SQLite catalog's
   *     one-writer warning applies
   */
  static CatalogTables openExisting(CatalogSpec spec, boolean commits) {
    Opened opened = openWithoutCreating(spec, commits);
    if (opened.tables() == null) {
      throw new InvalidInputException(opened.absence() + ": export or sync creates it; verify"
          + " and maintain work on an existing one");
    }
    return opened.tables();
  }

  /**
   * Opens the catalog for a reader ({@code status}) without creating anything: empty, with
   * {@code absent} told why, when there is no catalog yet. Iceberg's JdbcCatalog creates its
   * tables (and SQLite its database file) on connect; a mistyped path, or a gateway database
   * given by mistake, would otherwise gain a catalog and be reported as an empty one.
   */
  static Optional<CatalogTables> openIfPresent(CatalogSpec spec, Consumer<String> absent) {
    Opened opened = openWithoutCreating(spec, false);
    if (opened.tables() == null) {
      absent.accept(opened.absence());
    }
    return Optional.ofNullable(opened.tables());
  }

  /** A catalog opened, or why there is none: exactly one of the two is null. */
  private record Opened(CatalogTables tables, String absence) {}

  private static Opened openWithoutCreating(CatalogSpec spec, boolean warnSingleWriter) {
    String where = "(--catalog-uri " + Secrets.redactGiven(spec.uri()) + ")";
    Optional<Path> file = spec.sqliteFile();
    if (file.isPresent() && !Files.exists(file.get())) {
      return new Opened(null, "no catalog database at " + file.get() + " " + where);
    }
    if (spec.type() != CatalogType.JDBC) {
      return new Opened(open(spec, warnSingleWriter), null);
    }
    Map<String, String> properties = new HashMap<>(spec.catalogProperties());
    // JdbcUtil.INIT_CATALOG_TABLES_PROPERTY (package-private): without it, JdbcCatalog creates
    // its tables, or migrates an older schema, on connect.
    properties.putIfAbsent("jdbc.init-catalog-tables", "false");
    CatalogTables tables = open(spec, properties, warnSingleWriter);
    try {
      tables.catalog.tableExists(tables.identifier(ExportTable.BLOCKS));
      return new Opened(tables, null);
    } catch (RuntimeException e) {
      tables.close();
      if (lacksCatalogTables(e)) {
        return new Opened(null, "no Iceberg catalog in the database " + where + ": it has no"
            + " iceberg_tables table");
      }
      throw failure("cannot read", spec, e);
    }
  }

  /**
   * A catalog database that is a directory, or lies in a directory that does not exist, is the
   * operator's mistake to fix (exit 2, as for {@code --coreDb}), not a connection failure.
   */
  private static void requireUsableSqliteFile(String uri, Path file) {
    if (Files.isDirectory(file)) {
      throw new InvalidInputException("--catalog-uri " + Secrets.redactGiven(uri)
          + ": the SQLite catalog " + file + " is a directory, not a database file");
    }
    Path parent = file.getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new InvalidInputException("--catalog-uri " + Secrets.redactGiven(uri)
          + ": the directory of the SQLite catalog does not exist: " + parent);
    }
  }

  /** SQLite's "no such table" or PostgreSQL's undefined table (42P01), for Iceberg's own table. */
  private static boolean lacksCatalogTables(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql && sql.getMessage() != null
          && sql.getMessage().contains("iceberg_tables")
          && ("42P01".equals(sql.getSQLState()) || sql.getMessage().contains("no such table"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * As {@link #open(CatalogSpec)}; without {@code warnSingleWriter} no SQLite warning (for a
   * reader that opens the catalog again and again next to a writer that already warned).
   */
  static CatalogTables open(CatalogSpec spec, boolean warnSingleWriter) {
    return open(spec, spec.catalogProperties(), warnSingleWriter);
  }

  private static CatalogTables open(CatalogSpec spec, Map<String, String> properties,
      boolean warnSingleWriter) {
    if (spec.isDirectory()) {
      throw new IllegalArgumentException("directory mode has no catalog");
    }
    spec.sqliteFile().ifPresent(file -> requireUsableSqliteFile(spec.uri(), file));
    if (warnSingleWriter && spec.singleWriterOnly()) {
      LOG.warn("JdbcCatalog on SQLite allows one writer at a time: run one exporter per catalog"
          + " (two processes committing at once fail with SQLITE_BUSY); use PostgreSQL or a REST"
          + " catalog for several writers (docs/lakehouse.md)");
    }
    try {
      Catalog catalog = CatalogUtil.buildIcebergCatalog(spec.name(), properties,
          new Configuration());
      return new CatalogTables(spec, catalog);
    } catch (RuntimeException e) {
      throw failure("cannot open", spec, e);
    }
  }

  public CatalogSpec spec() {
    return spec;
  }

  public Catalog catalog() {
    return catalog;
  }

  TableIdentifier identifier(ExportTable table) {
    return TableIdentifier.of(Namespace.of(spec.namespace()), table.tableName());
  }

  /** The table if it exists (its schema checked), else empty. */
  public Optional<Table> find(ExportTable table) {
    try {
      Table found = catalog.loadTable(identifier(table));
      checkSchema(table, found);
      return Optional.of(found);
    } catch (NoSuchTableException e) {
      return Optional.empty();
    } catch (StateConflictException e) {
      throw e;
    } catch (RuntimeException e) {
      throw failure("cannot load table " + identifier(table) + " from", spec, e);
    }
  }

  /**
   * Iceberg keeps a table's location: a JdbcCatalog's warehouse only places tables it creates, so
   * a run given another {@code --catalog-warehouse} than the tables were created with writes where
   * they live. Said, not refused: the data goes to the right place, but not to the one the
   * operator named. (A REST catalog's warehouse may be a name rather than a location: not
   * compared.)
   */
  void warnOfTablesOutsideTheWarehouse(Map<ExportTable, Table> existing) {
    if (spec.type() != CatalogType.JDBC || spec.warehouse() == null) {
      return;
    }
    String warehouse = comparableLocation(spec.warehouse());
    List<String> outside = new ArrayList<>();
    existing.forEach((exportTable, table) -> {
      String location = comparableLocation(table.location());
      if (!location.equals(warehouse) && !location.startsWith(warehouse + "/")) {
        outside.add(identifier(exportTable) + " at " + table.location());
      }
    });
    if (!outside.isEmpty()) {
      LOG.warn("tables outside the catalog warehouse {}: {}; Iceberg keeps a table's location,"
          + " so this run writes there (the warehouse only places tables a run creates)",
          Secrets.redactGiven(spec.warehouse()), String.join(", ", outside));
    }
  }

  /** {@code file:/x}, {@code file:///x} and a relative path as an absolute path; s3a/s3n as s3. */
  private static String comparableLocation(String location) {
    String comparable = LocalLocation.path(location).map(Path::toString).orElse(location)
        .replaceFirst("^s3[an]://", "s3://");
    if (!comparable.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
      comparable = Path.of(comparable).toAbsolutePath().normalize().toString();
    }
    return comparable.replaceFirst("/+$", "");
  }

  /** Every table that exists. */
  public Map<ExportTable, Table> existing() {
    Map<ExportTable, Table> tables = new EnumMap<>(ExportTable.class);
    for (ExportTable table : ExportTable.values()) {
      find(table).ifPresent(t -> tables.put(table, t));
    }
    return tables;
  }

  /**
   * The table, created (with the namespace) when missing with spec {@code truncate(height,
   * partitionSize)}. Another writer creating it at the same moment is fine: then it is loaded.
   *
   * <p>The creation is staged ({@link Catalog.TableBuilder#createTransaction}): nothing is in the
   * catalog until {@link #requireStorageAccess} has read the new table's storage through the
   * FileIO this process would upload with. A REST server writes the metadata with its own
   * credentials, so a plain create succeeds where this process's uploads would then be refused,
   * and a refused run would leave empty tables behind. A catalog without staged creation (a REST
   * server may answer 406) gets a plain create, and the table is dropped again, empty, when its
   * storage is refused. A namespace this call created for a refused table is dropped again (only
   * while it is empty: the catalog refuses otherwise).
   */
  Table loadOrCreate(ExportTable table, int partitionSize) {
    Optional<Table> found = find(table);
    if (found.isPresent()) {
      return found.get();
    }
    boolean createdNamespace = false;
    try {
      createdNamespace = createNamespaceIfMissing();
      Table created;
      try {
        Transaction create = builder(table, partitionSize).createTransaction();
        requireStorageAccess(table, create.table());
        create.commitTransaction();
        created = catalog.loadTable(identifier(table));
      } catch (UnsupportedOperationException e) {
        created = builder(table, partitionSize).create();
        try {
          requireStorageAccess(table, created);
        } catch (RuntimeException refused) {
          dropQuietly(table);
          throw refused;
        }
      }
      checkSchema(table, created);
      LOG.info("created table {} in {}", identifier(table), spec.describe());
      return created;
    } catch (AlreadyExistsException e) {
      return find(table).orElseThrow(() -> failure("cannot create table " + identifier(table)
          + " in", spec, e));
    } catch (StateConflictException | InvalidInputException e) {
      dropNamespaceIfEmpty(createdNamespace);
      throw e;
    } catch (RuntimeException e) {
      dropNamespaceIfEmpty(createdNamespace);
      throw failure("cannot create table " + identifier(table) + " in", spec, e);
    }
  }

  private Catalog.TableBuilder builder(ExportTable table, int partitionSize) {
    // The same retention defaults as directory-mode tables: other engines' expire_snapshots
    // and arexport's maintenance follow them.
    Map<String, String> properties = new HashMap<>(TableMaintenance.RETENTION_DEFAULTS);
    properties.putAll(TableDefinition.properties(table, partitionSize));
    properties.putAll(COMMIT_RETRY);
    return catalog.buildTable(identifier(table), table.schema())
        .withPartitionSpec(TableDefinition.spec(table, partitionSize))
        .withSortOrder(TableDefinition.sortOrder(table))
        .withProperties(properties);
  }

  /** Drops a table this call has just created, empty (no purge: it has no data). */
  private void dropQuietly(ExportTable table) {
    try {
      catalog.dropTable(identifier(table), false);
    } catch (RuntimeException e) {
      LOG.warn("cannot drop table {}, created empty by this refused run, again: {}",
          identifier(table), Secrets.scrub(rootMessage(e), spec.properties(), spec.uri(),
              spec.warehouse()));
    }
  }

  /**
   * Proves, through the table's own FileIO, that this process may use the table's storage, so
   * credentials that the object store refuses fail the run here, before a table is created, a
   * job started or anything staged, rather than at the first upload. Through a REST catalog the
   * server reads and writes metadata with its own credentials, so loading (or creating) the table
   * says nothing about this process's.
   *
   * <p>An existing table: its current metadata file is read (one HEAD request on S3; planning
   * reads the manifests anyway, so this refuses nothing that could have worked). A table being
   * created has no object yet, and asking for one that does not exist is refused on AWS S3 without
   * {@code s3:ListBucket}, which an export does not otherwise need: so an empty object is written
   * under its {@code metadata/} and deleted again (what every upload needs anyway). Refused,
   * nothing was written.
   */
  void requireStorageAccess(ExportTable exportTable, Table table) {
    String metadata = table instanceof HasTableOperations operations
        ? operations.operations().current().metadataFileLocation() : null;
    try {
      if (metadata != null) {
        table.io().newInputFile(metadata).exists();
      } else {
        writeAndDeleteProbe(table);
      }
    } catch (RuntimeException e) {
      throw failure("cannot " + (metadata != null ? "read" : "write") + " the storage of table "
          + identifier(exportTable) + " in", spec, e);
    }
  }

  private void writeAndDeleteProbe(Table table) {
    String probe = Snapshots.withoutTrailingSlash(table.location()) + "/metadata/arexport-probe-"
        + UUID.randomUUID() + ".tmp";
    try (PositionOutputStream empty = table.io().newOutputFile(probe).create()) {
      // Closing it uploads the empty object.
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      table.io().deleteFile(probe);
    } catch (RuntimeException e) {
      LOG.warn("cannot delete the empty probe object {} again ({}); orphan removal deletes it",
          probe, Secrets.scrub(rootMessage(e), spec.properties(), spec.uri(), spec.warehouse()));
    }
  }

  /** True when it created the namespace (false when it exists or the catalog has none). */
  private boolean createNamespaceIfMissing() {
    if (catalog instanceof SupportsNamespaces namespaces) {
      Namespace namespace = Namespace.of(spec.namespace());
      if (!namespaces.namespaceExists(namespace)) {
        try {
          namespaces.createNamespace(namespace);
          return true;
        } catch (AlreadyExistsException e) {
          // Another writer created it first.
        }
      }
    }
    return false;
  }

  private void dropNamespaceIfEmpty(boolean createdByThisRun) {
    if (!createdByThisRun || !(catalog instanceof SupportsNamespaces namespaces)) {
      return;
    }
    try {
      namespaces.dropNamespace(Namespace.of(spec.namespace()));
    } catch (RuntimeException e) {
      // Another writer's table is in it by now (the catalog refuses to drop it), or the catalog
      // is failing: the namespace stays, which is all a failed drop can mean.
    }
  }

  private void checkSchema(ExportTable table, Table found) {
    if (!TableDefinition.sameSchema(table, found.schema())) {
      throw new StateConflictException("table " + identifier(table) + " in " + spec.describe()
          + " has another schema than arexport's " + table.tableName() + " (contract section 2):"
          + " use another --namespace, or drop or rename that table");
    }
  }

  /**
   * A failure of the catalog or its storage as one line without secrets: wrong credentials are
   * invalid input (2), an unreachable or failing service a runtime failure (1).
   */
  static RuntimeException failure(String doing, CatalogSpec spec, Throwable e) {
    String message = doing + " " + spec.describe() + ": " + rootMessage(e);
    message = Secrets.scrub(message, spec.properties(), spec.uri(), spec.warehouse());
    if (e instanceof NotAuthorizedException || e instanceof ForbiddenException) {
      return new InvalidInputException("catalog refused the credentials: " + message);
    }
    String refused = refusal(e);
    if (refused != null) {
      return new InvalidInputException(refused + ": " + message);
    }
    if (e instanceof ValidationException || e instanceof IllegalArgumentException
        && !(e instanceof RESTException)) {
      return new InvalidInputException(message);
    }
    // The cause is kept for --stacktrace only, which an operator asks for explicitly.
    return new RuntimeFailureException(message, e);
  }

  /**
   * What in the cause chain is the operator's input rather than a failing service: refused
   * credentials (SQL state class 28, HTTP 401/403 from the object store), a missing bucket. Null
   * otherwise.
   */
  private static String refusal(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql && sql.getSQLState() != null
          && sql.getSQLState().startsWith("28")) {
        return "the catalog database refused the credentials";
      }
      if (cause instanceof AwsServiceException aws) {
        String code = aws.awsErrorDetails() == null ? null : aws.awsErrorDetails().errorCode();
        if ("NoSuchBucket".equals(code)) {
          return "the bucket does not exist";
        }
        if (aws.statusCode() == 401 || aws.statusCode() == 403) {
          // A HEAD request's 403 has no body, hence no error code.
          return "the object store refused the credentials"
              + (code == null ? "" : " (" + code + ")");
        }
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return null;
  }

  /** The innermost cause's message (the outer ones of the SDKs repeat it or say nothing). */
  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName()
        : root.getMessage();
    String first = e.getMessage();
    if (root != e && first != null && !first.contains(message)) {
      message = first + " (" + message + ")";
    }
    return message.replaceAll("\\s+", " ").trim();
  }

  @Override
  public void close() {
    if (catalog instanceof Closeable closeable) {
      try {
        closeable.close();
      } catch (IOException e) {
        LOG.debug("closing the catalog failed", e);
      }
    }
  }
}
