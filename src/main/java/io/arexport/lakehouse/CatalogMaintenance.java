package io.arexport.lakehouse;

import io.arexport.ArexportException;
import io.arexport.InvalidInputException;
import io.arexport.iceberg.MaintainRequest;
import io.arexport.iceberg.MaintainSummary;
import io.arexport.iceberg.TableMaintenance;
import io.arexport.schema.ExportTable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.ReachableFileUtil;
import org.apache.iceberg.Table;

/**
 * {@code arexport maintain} in catalog mode: runs {@link TableMaintenance} on every selected
 * catalog table, through the table's own FileIO (S3, local). There is no warehouse lock: the
 * catalog's optimistic commits serialize maintenance against exporters and other engines, and
 * Iceberg retries a conflicting commit on the fresh metadata.
 *
 * <p>What differs from directory mode and why:
 *
 * <ul>
 *   <li>No snapshot is expired for listing missing files: the catalog publisher never deletes a
 *       replaced file, so every retained snapshot still reads; replaced files go when expiry
 *       removes the last snapshot that references them.
 *   <li>Nothing is held live besides what the metadata references: an export in flight has
 *       uploaded files under {@code <table>/data/} that no snapshot references yet. They are
 *       younger than the orphan safety age ({@code arexport.maintenance.orphan-min-age-ms},
 *       default 3 days) and kept; a dead run's uploads are deleted by the next export from its
 *       upload journal, or by this orphan pass once they are older than the safety age.
 * </ul>
 */
public final class CatalogMaintenance {
  private static final Pattern VERSION = Pattern.compile("(?:^|/)v?(\\d+)[-.][^/]*metadata\\.json$");

  private final Clock clock;

  public CatalogMaintenance(Clock clock) {
    this.clock = clock;
  }

  public MaintainSummary run(MaintainRequest request) {
    Instant started = clock.instant();
    try (CatalogTables catalog = CatalogTables.openExisting(request.catalog(), true)) {
      Map<ExportTable, Table> existing = catalog.existing();
      List<ExportTable> tables = request.tables().stream().filter(existing::containsKey).toList();
      if (request.tablesNamed() && tables.size() < request.tables().size()) {
        List<String> missing = request.tables().stream().filter(t -> !tables.contains(t))
            .map(ExportTable::tableName).toList();
        throw new InvalidInputException("no table " + String.join(", ", missing) + " in "
            + catalog.spec().describe() + " (run 'arexport export' with these catalog options"
            + " first)");
      }
      if (tables.isEmpty()) {
        throw new InvalidInputException("no arexport tables (blocks, transactions, tags) in "
            + catalog.spec().describe() + ": check --catalog-name and --namespace, or run"
            + " 'arexport export' with these catalog options first");
      }
      // A property that is no number refuses the run before any table changes.
      tables.forEach(table -> TableMaintenance.checkProperties(existing.get(table)));
      List<MaintainSummary.Table> results = new ArrayList<>();
      Map<String, ArexportException> failed = new LinkedHashMap<>();
      for (ExportTable table : tables) {
        try {
          results.add(maintain(catalog, table, existing.get(table)));
        } catch (ArexportException e) {
          failed.put(table.tableName(), e);
        }
      }
      return MaintainSummary.of(catalog.spec().describe(), results, failed,
          Duration.between(started, clock.instant()).toMillis());
    }
  }

  private MaintainSummary.Table maintain(CatalogTables catalog, ExportTable table, Table loaded) {
    TableMaintenance.Result result;
    try {
      result = TableMaintenance.run(loaded, clock.instant(), location -> false, false);
    } catch (ArexportException e) {
      throw e;
    } catch (RuntimeException e) {
      throw CatalogTables.failure("maintenance of table " + catalog.identifier(table)
          + " failed in", catalog.spec(), e);
    }
    loaded.refresh();
    String metadataFile = ((HasTableOperations) loaded).operations().current()
        .metadataFileLocation();
    return new MaintainSummary.Table(table.tableName(), version(metadataFile), metadataFile,
        result.expiredSnapshots(), result.deletedFiles(), result.rewrittenManifests(),
        result.orphanFilesDeleted(), result.orphanFilesKept(), result.snapshots(),
        ReachableFileUtil.metadataFileLocations(loaded, false).size());
  }

  /** The version number in a metadata file name ({@code 00012-<uuid>.metadata.json}), or -1. */
  static int version(String metadataFile) {
    if (metadataFile == null) {
      return -1;
    }
    Matcher matcher = VERSION.matcher(metadataFile);
    return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
  }
}
