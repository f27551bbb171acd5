package io.arexport.iceberg;

import io.arexport.ArexportException;
import io.arexport.InvalidInputException;
import io.arexport.RuntimeFailureException;
import io.arexport.export.FaultPoints;
import io.arexport.schema.ExportTable;
import io.arexport.warehouse.PartitionCommitter;
import io.arexport.warehouse.WarehouseLayout;
import io.arexport.warehouse.WarehouseLock;
import io.arexport.warehouse.WarehouseLockedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.iceberg.BaseTable;

/**
 * {@code arexport maintain} in directory mode: under the warehouse lock, runs {@link
 * TableMaintenance} on every selected table that has Iceberg metadata, whatever its interval
 * ({@code export} and {@code metadata} run it on their own at most once per interval).
 */
public final class WarehouseMaintenance {
  private final Clock clock;
  private final long pid;

  public WarehouseMaintenance(Clock clock, long pid) {
    this.clock = clock;
    this.pid = pid;
  }

  @SuppressWarnings("try") // the resource is held for the block, not used in it
  public MaintainSummary run(MaintainRequest request) {
    Instant started = clock.instant();
    WarehouseLayout layout = new WarehouseLayout(request.warehouseDir());
    layout.requireExistingDirectory();
    layout.requireNotInsideAnotherWarehouse();
    // Before the table checks, so the refusal names the catalog; checked again under the lock.
    layout.requireNotOwnedByACatalog();
    List<ExportTable> tables = request.tables().stream().filter(layout::hasIcebergMetadata)
        .toList();
    if (request.tablesNamed() && tables.size() < request.tables().size()) {
      List<String> missing = request.tables().stream().filter(t -> !tables.contains(t))
          .map(ExportTable::tableName).toList();
      throw new InvalidInputException("no Iceberg metadata for table " + String.join(", ", missing)
          + " in " + layout.root() + " (run 'arexport metadata' first)");
    }
    if (tables.isEmpty()) {
      WarehouseLock.State lock = WarehouseLock.probe(layout);
      if (lock.held()) {
        // A first metadata run may be creating them right now.
        throw new WarehouseLockedException(lock.describe(layout)
            + " and has no Iceberg tables yet: run maintain when it has finished");
      }
      throw new InvalidInputException("no Iceberg tables in " + layout.root() + ": expected"
          + " blocks/, transactions/ or tags/ with metadata/version-hint.text (run 'arexport"
          + " metadata' first, or point --datasets-dir at the warehouse)");
    }
    try (WarehouseLock lock = WarehouseLock.acquire(layout,
        "arexport maintain (pid " + pid + ", since " + started + ")")) {
      layout.requireNotOwnedByACatalog();
      new PartitionCommitter(layout).recover();
      List<MaintainSummary.Table> results = new ArrayList<>();
      Map<String, ArexportException> failed = new LinkedHashMap<>();
      WarehouseFileIO io = new WarehouseFileIO(layout.root(),
          MetadataRequest.fileRoot(layout.root()));
      List<LocalTableOperations> operations = new ArrayList<>();
      for (ExportTable table : tables) {
        LocalTableOperations ops = LocalTableOperations.open(layout.metadataDir(table), io,
            FaultPoints.NONE);
        ops.deleteStaleTempFiles();
        ops.repairPointers();
        if (ops.current() != null) {
          // A property that is no number, or a manifest that cannot be read, refuses the run
          // before any table's history changes.
          TableMaintenance.checkProperties(new BaseTable(ops, table.tableName()));
          MetadataWriter.requireReadableSnapshot(table, ops);
        }
        operations.add(ops);
      }
      for (int i = 0; i < tables.size(); i++) {
        ExportTable table = tables.get(i);
        LocalTableOperations ops = operations.get(i);
        try {
          TableMaintenance.Result result = TableMaintenance.run(
              new BaseTable(ops, table.tableName()), clock.instant(),
              MetadataWriter.directoryLive(layout, table, io), true);
          MetadataWriter.deleteEmptyDataDirs(layout, table);
          results.add(new MaintainSummary.Table(table.tableName(), ops.version(),
              ops.current().metadataFileLocation(), result.expiredSnapshots(),
              result.deletedFiles(), result.rewrittenManifests(), result.orphanFilesDeleted(),
              result.orphanFilesKept(), result.snapshots(), metadataFileCount(layout, table)));
        } catch (ArexportException e) {
          failed.put(table.tableName(), e);
        } catch (RuntimeException e) {
          failed.put(table.tableName(), new RuntimeFailureException("maintenance of table "
              + table.tableName() + " failed: " + e.getMessage(), e));
        }
      }
      return MaintainSummary.of(layout.root().toString(), results, failed,
          Duration.between(started, clock.instant()).toMillis());
    }
  }

  private static int metadataFileCount(WarehouseLayout layout, ExportTable table) {
    Path dir = layout.metadataDir(table);
    try (Stream<Path> files = Files.list(dir)) {
      return (int) files.filter(f -> f.getFileName().toString().endsWith(".metadata.json")
          && f.getFileName().toString().startsWith("v")).count();
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }
}
