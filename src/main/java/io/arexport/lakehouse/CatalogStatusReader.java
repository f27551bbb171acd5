package io.arexport.lakehouse;

import io.arexport.ArexportException;
import io.arexport.HeightRange;
import io.arexport.catalog.CatalogSpec;
import io.arexport.iceberg.Snapshots;
import io.arexport.schema.ExportTable;
import io.arexport.status.StatusReader;
import io.arexport.status.StatusRequest;
import io.arexport.status.WarehouseStatus;
import io.arexport.status.WarehouseStatus.CoverageStatus;
import io.arexport.status.WarehouseStatus.IcebergStatus;
import io.arexport.status.WarehouseStatus.Range;
import io.arexport.status.WarehouseStatus.TableStatus;
import io.arexport.sync.Coverage;
import io.arexport.sync.ExportSettings;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code arexport status} in catalog mode: the same report as {@link StatusReader}, read from the
 * catalog. Per table from its current snapshot's manifests (never a data file): partitions,
 * files, rows (the record counts the commits recorded), bytes, the snapshot and the metadata
 * file the catalog reports; coverage merged over the tables plus the recorded heights ({@link
 * CatalogCoverage}); the
 * source's tip and lag as in directory mode; the staging jobs that publish to this catalog
 * destination. There is no lock ({@code lock} is null), no pending partition commit and no
 * replaced-file list: the catalog's commits are atomic and replaced files go with the snapshots
 * that reference them (maintain).
 */
public final class CatalogStatusReader {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogStatusReader.class);
  private final Clock clock;
  private final StatusReader.ResumeCommands resumeCommands;

  public CatalogStatusReader(Clock clock, StatusReader.ResumeCommands resumeCommands) {
    this.clock = clock;
    this.resumeCommands = resumeCommands;
  }

  public WarehouseStatus read(StatusRequest request) {
    CatalogSpec spec = request.catalog();
    Instant now = clock.instant();
    Map<String, TableStatus> tables = new LinkedHashMap<>();
    List<HeightRange> covered = new ArrayList<>();
    Coverage recorded = Coverage.EMPTY;
    Optional<ExportSettings> recordedSettings = Optional.empty();
    String recordError = null;
    Optional<CatalogTables> present = CatalogTables.openIfPresent(spec, absence ->
        LOG.warn("{}: nothing was exported to this catalog yet (export or sync creates it)",
            absence));
    if (present.isEmpty()) {
      for (ExportTable exportTable : ExportTable.values()) {
        tables.put(exportTable.tableName(), table(null, Collections.emptyMap(), List.of()));
      }
    } else {
      try (CatalogTables catalog = present.get()) {
        CatalogCoverage store = new CatalogCoverage(catalog);
        try {
          recorded = store.recorded();
          recordedSettings = store.recordedSettings();
        } catch (ArexportException e) {
          recordError = e.getMessage();
        }
        Map<ExportTable, Table> existing = catalog.existing();
        for (ExportTable exportTable : ExportTable.values()) {
          Table table = existing.get(exportTable);
          // Not Map.of(): table() asks for the null key (files of no known partition), which an
          // immutable map refuses with a NullPointerException.
          CatalogCoverage.LiveFiles live = table == null
              ? new CatalogCoverage.LiveFiles(Collections.emptyMap(), List.of())
              : CatalogCoverage.liveFiles(exportTable, table);
          Map<HeightRange, CatalogCoverage.PartitionFiles> partitions = live.partitions();
          List<HeightRange> known = partitions.keySet().stream().filter(Objects::nonNull)
              .toList();
          covered.addAll(live.exported());
          tables.put(exportTable.tableName(), table(table, partitions, known));
        }
      }
    }
    // As CatalogCoverage.covered(), from the files already read above.
    Coverage coverage = Coverage.of(covered).plus(recorded);
    CoverageStatus coverageStatus = new CoverageStatus(Range.of(coverage.ranges()),
        Range.of(coverage.gaps()), boxed(coverage.lowest()), boxed(coverage.highest()),
        recordedSettings.isPresent(), recordedSettings.map(WarehouseStatus.RecordedRows::of)
            .orElse(null), recordError);
    String destination = spec.jobDestination();
    return new WarehouseStatus(WarehouseStatus.Mode.CATALOG, spec.describe(), now.toString(),
        coverageStatus,
        StatusReader.source(request, coverage, recordedSettings), tables,
        StatusReader.jobs(request.stagingDir(),
            parameters -> destination.equals(parameters.warehouseDir()), resumeCommands),
        null, false, null, null, request.stagingDir().toString());
  }

  private static TableStatus table(Table table,
      Map<HeightRange, CatalogCoverage.PartitionFiles> partitions, List<HeightRange> known) {
    long files = 0;
    long rows = 0;
    long bytes = 0;
    for (CatalogCoverage.PartitionFiles p : partitions.values()) {
      files += p.files();
      rows += p.rows();
      bytes += p.bytes();
    }
    List<String> unknownPartition = new ArrayList<>();
    if (partitions.containsKey(null)) {
      unknownPartition.add(partitions.get(null).files() + " data files of no known partition"
          + " (no height=S-E directory, partition value or height bounds)");
    }
    return new TableStatus(known.size(), files, rows, bytes,
        Range.of(Coverage.of(known).ranges()), unknownPartition, iceberg(table));
  }

  private static IcebergStatus iceberg(Table table) {
    if (table == null) {
      return null;
    }
    TableMetadata metadata = ((HasTableOperations) table).operations().current();
    Snapshot snapshot = metadata.currentSnapshot();
    Long total = Snapshots.totalRecords(snapshot);
    String metadataFile = metadata.metadataFileLocation();
    int version = CatalogMaintenance.version(metadataFile);
    return new IcebergStatus(version < 0 ? null : version,
        snapshot == null ? null : snapshot.snapshotId(),
        snapshot == null ? null : Instant.ofEpochMilli(snapshot.timestampMillis()).toString(),
        metadata.snapshots().size(), total, null, metadataFile);
  }

  private static Long boxed(java.util.OptionalLong value) {
    return value.isPresent() ? value.getAsLong() : null;
  }
}
