package io.arexport.lakehouse;

import io.arexport.ArexportException;
import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import io.arexport.StateConflictException;
import io.arexport.catalog.CatalogSpec;
import io.arexport.fs.DurableFiles;
import io.arexport.iceberg.MetadataRequest;
import io.arexport.iceberg.MetadataSummary;
import io.arexport.iceberg.ParquetFileFacts;
import io.arexport.iceberg.Snapshots;
import io.arexport.iceberg.TableDefinition;
import io.arexport.iceberg.TableResult;
import io.arexport.schema.ExportTable;
import io.arexport.warehouse.LocalLocation;
import io.arexport.warehouse.PartitionCommitter;
import io.arexport.warehouse.ReplacedFiles;
import io.arexport.warehouse.WarehouseLayout;
import io.arexport.warehouse.WarehouseLock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.mapping.MappingUtil;
import org.apache.iceberg.mapping.NameMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code arexport metadata} with catalog options: registers a directory warehouse's tables in
 * catalog tables (migration to lakehouse mode). Per table, the Parquet files of every partition
 * directory (minus files a re-export replaced) are uploaded under their own names to {@code
 * <table location>/data/height=S-E/} through the table's FileIO, unless the table location is the
 * warehouse's own table directory (then they are registered in place); one validated commit then
 * replaces whatever the catalog table held in those partitions by them.
 *
 * <p>Rerunnable: names are kept, so a rerun after a crash overwrites the same objects and commits
 * them (no orphan remains once a run succeeded), and files already live are not added twice.
 */
public final class CatalogMigration {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogMigration.class);

  private final Clock clock;
  private final long pid;

  public CatalogMigration(Clock clock, long pid) {
    this.clock = clock;
    this.pid = pid;
  }

  @SuppressWarnings("try") // the resource is held for the block, not used in it
  public MetadataSummary run(MetadataRequest request, CatalogSpec spec) {
    Instant started = clock.instant();
    WarehouseLayout layout = new WarehouseLayout(request.warehouseDir());
    layout.requireExistingDirectory();
    if (request.datasetsRoot().isPresent()) {
      throw new InvalidInputException("--datasets-root applies to directory mode only: catalog"
          + " tables record the locations of their catalog warehouse");
    }
    List<TableResult> results = new ArrayList<>();
    Map<String, ArexportException> failed = new LinkedHashMap<>();
    try (WarehouseLock lock = WarehouseLock.acquire(layout,
            "arexport metadata (pid " + pid + ", since " + started + ")");
        CatalogTables catalog = CatalogTables.open(spec)) {
      new PartitionCommitter(layout).recover();
      ReplacedFiles replaced = ReplacedFiles.load(layout);
      Map<ExportTable, List<ParquetFileFacts>> files = new LinkedHashMap<>();
      Map<ParquetFileFacts, Path> paths = new HashMap<>();
      for (ExportTable table : request.tables()) {
        List<ParquetFileFacts> facts = new ArrayList<>();
        NameMapping mapping = MappingUtil.create(table.schema());
        for (WarehouseLayout.DataFileOnDisk file : layout.currentDataFiles(table, replaced)) {
          ParquetFileFacts fact = ParquetFileFacts.read(table, file.relative(), file.path(),
              file.partition(), mapping);
          facts.add(fact);
          paths.put(fact, file.path());
        }
        if (!facts.isEmpty()) {
          files.put(table, facts);
        } else if (request.tablesNamed()) {
          throw new InvalidInputException("no table " + table.tableName() + " in "
              + layout.root() + " (no Parquet files under <table>/data/height=S-E/)");
        }
      }
      if (files.isEmpty()) {
        throw new InvalidInputException("no tables in " + layout.root() + ": expected blocks/,"
            + " transactions/ or tags/ holding data/height=S-E/*.parquet");
      }
      // Every table is read and checked before any is created or changed.
      catalog.existing();
      Set<ExportTable> inPlaceTables = EnumSet.noneOf(ExportTable.class);
      try {
        for (Map.Entry<ExportTable, List<ParquetFileFacts>> entry : files.entrySet()) {
          try {
            results.add(migrate(catalog, entry.getKey(), entry.getValue(), paths, inPlaceTables));
          } catch (ArexportException e) {
            failed.put(entry.getKey().tableName(), e);
          }
        }
      } finally {
        if (!inPlaceTables.isEmpty()) {
          // Even when a commit failed: the catalog may hold some of them already.
          noteCatalogOwner(layout, spec, inPlaceTables);
        }
      }
    }
    return MetadataSummary.of(spec.describe(), results, failed,
        Duration.between(started, clock.instant()).toMillis());
  }

  private TableResult migrate(CatalogTables catalog, ExportTable exportTable,
      List<ParquetFileFacts> facts, Map<ParquetFileFacts, Path> paths,
      Set<ExportTable> inPlaceTables) {
    // The P of each file; the P of the newest partition ends as the default spec.
    Map<Integer, Long> newest = new HashMap<>();
    for (ParquetFileFacts fact : facts) {
      newest.merge(fact.partitionSize(), fact.partitionValue(), Math::max);
    }
    List<Integer> sizes = newest.keySet().stream().sorted(Comparator.comparing(newest::get))
        .toList();
    boolean existed = catalog.find(exportTable).isPresent();
    Table table = catalog.loadOrCreate(exportTable, sizes.get(sizes.size() - 1));
    for (int size : sizes) {
      CatalogPublisher.ensureDefaultSpec(catalog, exportTable, table, size);
    }
    table.refresh();
    Snapshot base = table.currentSnapshot();
    String location = Snapshots.withoutTrailingSlash(table.location());

    TreeMap<HeightRange, List<ParquetFileFacts>> byPartition = new TreeMap<>(
        Comparator.comparingLong(HeightRange::start).thenComparingLong(HeightRange::end));
    for (ParquetFileFacts fact : facts) {
      byPartition.computeIfAbsent(partitionOf(fact), k -> new ArrayList<>()).add(fact);
    }
    Set<String> live = new HashSet<>();
    List<DataFile> toRemove = new ArrayList<>();
    for (HeightRange partition : byPartition.keySet()) {
      for (DataFile file : CatalogPublisher.liveFiles(exportTable, table, base, partition)) {
        HeightRange range = CatalogPublisher.fileRange(exportTable, file);
        if (range == null || !partition.contains(range)) {
          throw new StateConflictException("table " + catalog.identifier(exportTable)
              + " holds " + file.location() + " reaching outside partition " + partition
              + " of " + exportTable.tableName() + ": migrate into an empty namespace");
        }
        live.add(file.location());
        toRemove.add(file);
      }
    }
    List<DataFile> toAdd = new ArrayList<>();
    int uploaded = 0;
    for (Map.Entry<HeightRange, List<ParquetFileFacts>> partition : byPartition.entrySet()) {
      for (ParquetFileFacts fact : partition.getValue()) {
        Path source = paths.get(fact);
        String target = location + "/data/" + partition.getKey().directoryName() + "/"
            + source.getFileName();
        boolean inPlace = isTheSameFile(target, source);
        if (inPlace) {
          inPlaceTables.add(exportTable);
        }
        if (live.contains(target)) {
          toRemove.removeIf(f -> f.location().equals(target));
          continue; // already registered by an earlier run
        }
        if (!inPlace) {
          upload(catalog, table.io(), source, target);
          uploaded++;
        }
        toAdd.add(TableDefinition.dataFile(table, target, fact));
      }
    }
    TableResult.Action action = existed ? TableResult.Action.UNCHANGED
        : TableResult.Action.CREATED;
    if (!toAdd.isEmpty() || !toRemove.isEmpty()) {
      OverwriteFiles overwrite = table.newOverwrite()
          .conflictDetectionFilter(heights(byPartition))
          .validateNoConflictingData()
          .validateNoConflictingDeletes()
          .set(CatalogPublisher.SUMMARY_RUN, "metadata-migration-" + pid);
      if (base != null) {
        overwrite.validateFromSnapshot(base.snapshotId());
      }
      toRemove.forEach(overwrite::deleteFile);
      toAdd.forEach(overwrite::addFile);
      try {
        overwrite.commit();
      } catch (ValidationException e) {
        throw new StateConflictException("table " + catalog.identifier(exportTable) + " was"
            + " changed by another writer during the migration (" + CatalogTables.rootMessage(e)
            + "): rerun it", e);
      } catch (RuntimeException e) {
        throw CatalogTables.failure("cannot commit the migration of "
            + catalog.identifier(exportTable) + " to", catalog.spec(), e);
      }
      action = existed ? TableResult.Action.COMMITTED : TableResult.Action.CREATED;
    }
    Snapshot snapshot = table.currentSnapshot();
    LOG.info("{}: {} ({} files uploaded, +{} -{} files)", catalog.identifier(exportTable),
        action, uploaded, toAdd.size(), toRemove.size());
    return new TableResult(exportTable.tableName(), action,
        table.history().size(),
        ((HasTableOperations) table).operations().current().metadataFileLocation(),
        snapshot == null ? null : snapshot.snapshotId(), toAdd.size(), toRemove.size(), 0,
        Snapshots.summaryCount(snapshot, SnapshotSummary.TOTAL_DATA_FILES_PROP),
        Snapshots.summaryCount(snapshot, SnapshotSummary.TOTAL_RECORDS_PROP), table.specs().size());
  }

  /**
   * The catalog and its tables now share the warehouse's directories: noted, so that
   * directory-mode writers leave them alone ({@link WarehouseLayout#requireNotOwnedByACatalog}).
   */
  private static void noteCatalogOwner(WarehouseLayout layout, CatalogSpec spec,
      Set<ExportTable> tables) {
    String owner = spec.describe() + " (tables " + tables.stream().map(ExportTable::tableName)
        .collect(Collectors.joining(", ")) + ")";
    DurableFiles.writeAtomically(layout.catalogOwnerFile(),
        (owner + "\n").getBytes(StandardCharsets.UTF_8));
    LOG.warn("{}: the catalog tables were registered in place; directory-mode export, sync,"
        + " metadata and maintain now refuse this warehouse ({})", layout.root(),
        layout.catalogOwnerFile());
  }

  private static HeightRange partitionOf(ParquetFileFacts fact) {
    String relative = fact.relativePath();
    String[] parts = relative.split("/");
    return HeightRange.parseDirectoryName(parts[parts.length - 2]);
  }

  private static Expression heights(TreeMap<HeightRange, List<ParquetFileFacts>> partitions) {
    return CatalogPublisher.heights(new HeightRange(partitions.firstKey().start(),
        partitions.keySet().stream().mapToLong(HeightRange::end).max().orElseThrow()));
  }

  /**
   * Whether {@code target} names {@code source} itself, as the catalog's FileIO would open it:
   * then the file is registered where it is, since uploading a file onto itself truncates it.
   * Besides the spellings {@link LocalLocation} reads, Hadoop's local file system takes a relative
   * path (against the working directory: a relative catalog warehouse) and ignores the host of
   * a {@code file://host/} URI.
   */
  static boolean isTheSameFile(String target, Path source) {
    if (LocalLocation.names(target, source)) {
      return true;
    }
    String path = target;
    if (path.startsWith("file://")) {
      int slash = path.indexOf('/', "file://".length());
      path = slash < 0 ? "" : path.substring(slash);
    } else if (path.startsWith("file:")) {
      path = path.substring("file:".length());
    } else if (path.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
      return false; // another scheme: an object store, never the local source
    }
    try {
      return !path.isEmpty()
          && LocalLocation.isSameExistingFile(Path.of(path).toAbsolutePath(), source);
    } catch (InvalidPathException e) {
      return false;
    }
  }

  private static void upload(CatalogTables catalog, FileIO io, Path file, String location) {
    try (InputStream in = Files.newInputStream(file);
        OutputStream out = io.newOutputFile(location).createOrOverwrite()) {
      in.transferTo(out);
    } catch (IOException | RuntimeException e) {
      throw CatalogTables.failure("cannot upload " + location + " for", catalog.spec(), e);
    }
  }
}
