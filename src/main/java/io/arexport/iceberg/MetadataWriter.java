package io.arexport.iceberg;

import io.arexport.ArexportException;
import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import io.arexport.RuntimeFailureException;
import io.arexport.StateConflictException;
import io.arexport.export.FaultPoints;
import io.arexport.export.IcebergSync;
import io.arexport.fs.DurableFiles;
import io.arexport.schema.ExportTable;
import io.arexport.warehouse.LocalLocation;
import io.arexport.warehouse.PartitionCommitter;
import io.arexport.warehouse.ReplacedFiles;
import io.arexport.warehouse.WarehouseLayout;
import io.arexport.warehouse.WarehouseLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.ExpireSnapshots;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.Transactions;
import org.apache.iceberg.UpdatePartitionSpec;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.mapping.MappingUtil;
import org.apache.iceberg.mapping.NameMapping;
import org.apache.iceberg.util.SnapshotUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Writes the Iceberg metadata of a warehouse (contract section 5) with iceberg-core's own
 * transactions over {@link LocalTableOperations}.
 *
 * <p>Each run, per table: the data files of the current snapshot are compared with the Parquet
 * files on disk ({@code <table>/data/height=S-E/*.parquet}, minus the files a re-export replaced,
 * see {@link ReplacedFiles}); one transaction adds the new files, removes the vanished or replaced
 * ones and evolves the partition spec when a file was written with another partition size; when
 * nothing differs, no version is written. Every table is read and every new file checked before
 * the first commit, so bad input commits nothing. After a table's commit, the replaced files its
 * new snapshot no longer references are deleted from disk.
 *
 * <p>A table whose root changes ({@code --datasets-root}, or a local warehouse that moved) starts
 * a new history: the next version is a fresh table metadata (same UUID, schema, sort order and
 * properties) under the new root with one snapshot holding every current file, so that no path in
 * it points at the old root.
 */
public final class MetadataWriter implements IcebergSync {
  /** Table property: the datasets root the table's locations are recorded under. */
  public static final String ROOT_PROPERTY = "arexport.datasets-root";
  /** Table property: the P of the default partition spec {@code truncate(height, P)}. */
  public static final String PARTITION_SIZE_PROPERTY = TableDefinition.PARTITION_SIZE_PROPERTY;
  /** Partition size of the spec of a table created without any data file (export's default). */
  static final int EMPTY_TABLE_PARTITION_SIZE = 1000;

  private static final Logger LOG = LoggerFactory.getLogger(MetadataWriter.class);

  private final Clock clock;
  private final long pid;
  private final FaultPoints faults;

  public MetadataWriter(Clock clock, long pid, FaultPoints faults) {
    this.clock = clock;
    this.pid = pid;
    this.faults = faults;
  }

  /** {@code arexport metadata}: takes the warehouse lock and commits the requested tables. */
  @SuppressWarnings("try") // the resource is held for the block, not used in it
  public MetadataSummary run(MetadataRequest request) {
    Instant started = clock.instant();
    WarehouseLayout layout = new WarehouseLayout(request.warehouseDir());
    layout.requireExistingDirectory();
    layout.requireNotInsideAnotherWarehouse();
    // Before the table checks, so the refusal names the catalog; checked again under the lock.
    layout.requireNotOwnedByACatalog();
    // Checked before the lock, so a wrong directory is never given an .arexport/ directory.
    List<ExportTable> present = request.tables().stream().filter(t -> isPresent(layout, t))
        .toList();
    if (request.tablesNamed() && present.size() < request.tables().size()) {
      List<String> missing = request.tables().stream().filter(t -> !present.contains(t))
          .map(ExportTable::tableName).toList();
      throw new InvalidInputException("no table " + String.join(", ", missing) + " in "
          + layout.root() + " (no Parquet files under <table>/data/height=S-E/ and no metadata)");
    }
    if (present.isEmpty()) {
      throw new InvalidInputException("no tables in " + layout.root() + ": expected blocks/,"
          + " transactions/ or tags/ holding data/height=S-E/*.parquet (run arexport export"
          + " first, or point --datasets-dir at its --warehouseDir)");
    }
    try (WarehouseLock lock = WarehouseLock.acquire(layout,
        "arexport metadata (pid " + pid + ", since " + started + ")")) {
      layout.requireNotOwnedByACatalog();
      new PartitionCommitter(layout).recover();
      Map<String, ArexportException> failed = new LinkedHashMap<>();
      // Its summary on stdout reports each commit: the log line would only repeat it.
      List<TableResult> results = sync(layout, present, request.datasetsRoot(), failed,
          Level.DEBUG);
      return MetadataSummary.of(layout.root().toString(), results, failed,
          Duration.between(started, clock.instant()).toMillis());
    }
  }

  /**
   * Run by {@code export} before it writes anything (it commits every table that has metadata at
   * its end): the partition size must be one Iceberg's truncate can record, and each such table's
   * metadata, current snapshot and new files must read. Otherwise the closing commit would fail
   * only after partitions were replaced, leaving the replaced files beside the new ones until the
   * metadata is repaired. Only reads; a warehouse without metadata passes.
   */
  @Override
  public void checkBeforeExport(Path warehouseDir, long heightPartitionSize,
      HeightRange range) {
    WarehouseLayout layout = new WarehouseLayout(warehouseDir);
    List<ExportTable> tables = !Files.isDirectory(layout.root()) ? List.of()
        : Arrays.stream(ExportTable.values()).filter(layout::hasIcebergMetadata).toList();
    if (heightPartitionSize > Integer.MAX_VALUE) {
      if (!tables.isEmpty()) {
        throw new InvalidInputException("heightPartitionSize " + heightPartitionSize
            + " cannot be recorded in the Iceberg metadata of " + layout.root()
            + " (truncate takes 1.." + Integer.MAX_VALUE + "): use a smaller partition size,"
            + " or --no-iceberg");
      }
      // Said now, not at the first metadata run after a long backfill.
      LOG.warn("heightPartitionSize {} is beyond an Iceberg truncate width (1..{}): these"
          + " partitions stay plain Parquet, and 'arexport metadata' will refuse them",
          heightPartitionSize, Integer.MAX_VALUE);
    }
    if (tables.isEmpty()) {
      return;
    }
    WarehouseFileIO io = new WarehouseFileIO(layout.root(),
        MetadataRequest.fileRoot(layout.root()));
    ReplacedFiles replaced = ReplacedFiles.load(layout);
    for (ExportTable table : tables) {
      plan(layout, table, io, Optional.empty(), replaced, Optional.of(range));
    }
  }

  /** The end of an export run (under its lock): commits every table that has metadata. */
  @Override
  public boolean syncExistingTables(WarehouseLayout layout) {
    List<ExportTable> tables = Arrays.stream(ExportTable.values())
        .filter(layout::hasIcebergMetadata).toList();
    Map<String, ArexportException> failed = new LinkedHashMap<>();
    boolean changed = sync(layout, tables, Optional.empty(), failed, Level.INFO).stream()
        .anyMatch(TableResult::changed);
    if (!failed.isEmpty()) {
      throw failed.values().iterator().next();
    }
    return changed;
  }

  /**
   * Plans every table (reading and checking everything: a problem there commits nothing), then
   * commits them one by one. A table whose commit fails goes into {@code failed} and the others
   * are still committed: each table's commit stands on its own.
   *
   * @param commitLogLevel the level of the line each commit logs (DEBUG when the caller reports
   *     the commits itself)
   */
  private List<TableResult> sync(WarehouseLayout layout, List<ExportTable> tables,
      Optional<String> requestedRoot, Map<String, ArexportException> failed,
      Level commitLogLevel) {
    WarehouseFileIO io = new WarehouseFileIO(layout.root(),
        MetadataRequest.fileRoot(layout.root()));
    requestedRoot.ifPresent(io::addRoot);
    ReplacedFiles replaced = ReplacedFiles.load(layout);
    List<TablePlan> plans = new ArrayList<>();
    for (ExportTable table : tables) {
      plans.add(plan(layout, table, io, requestedRoot, replaced, Optional.empty()));
    }
    List<TableResult> results = new ArrayList<>();
    for (TablePlan plan : plans) {
      try {
        results.add(commit(layout, plan, replaced, commitLogLevel));
      } catch (ArexportException e) {
        failed.put(plan.table().tableName(), e);
      }
    }
    return results;
  }

  private static boolean isPresent(WarehouseLayout layout, ExportTable table) {
    return Files.isDirectory(layout.metadataDir(table))
        || layout.partitionDirs(table).values().stream()
            .anyMatch(dir -> !WarehouseLayout.parquetFiles(dir).isEmpty());
  }

  /**
   * What one table's commit will do.
   *
   * @param newHistory the table has no metadata yet, or its root changes
   * @param liveAfter warehouse-relative paths of the files the table holds after the commit
   * @param unreadableAfter snapshots that reference a file the commit removes: it is deleted
   *     from disk (or already gone), so they are expired in the same commit
   */
  private record TablePlan(ExportTable table, LocalTableOperations ops, String root,
      boolean newHistory, List<ParquetFileFacts> toAdd, List<DataFile> toRemove,
      Set<String> liveAfter, Set<Long> unreadableAfter) {

    boolean changes() {
      return newHistory || !toAdd.isEmpty() || !toRemove.isEmpty();
    }
  }

  /**
   * @param replacing before an export: the heights it writes, whose files the warehouse holds
   *     now count as removed for the check that no tag or branch holds a snapshot listing them,
   *     so that conflict stops the export before any partition is replaced
   */
  private TablePlan plan(WarehouseLayout layout, ExportTable table, WarehouseFileIO io,
      Optional<String> requestedRoot, ReplacedFiles replaced, Optional<HeightRange> replacing) {
    LocalTableOperations ops = LocalTableOperations.open(layout.metadataDir(table), io, faults);
    TableMetadata base = ops.current();
    String recordedRoot = base == null ? null : base.location()
        .substring(0, base.location().length() - table.tableName().length() - 1);
    String root = requestedRoot.orElseGet(() -> defaultRoot(layout, recordedRoot));
    boolean newHistory = base == null || !root.equals(recordedRoot);
    Map<String, DataFile> live = newHistory ? Map.of() : liveFiles(table, ops, recordedRoot);
    requireOnlyDirectoryFiles(layout, table, ops, live.keySet());

    NameMapping mapping = MappingUtil.create(table.schema());
    Map<String, ParquetFileFacts> toAdd = new TreeMap<>();
    Set<String> onDisk = new HashSet<>();
    for (WarehouseLayout.DataFileOnDisk file : layout.currentDataFiles(table, replaced)) {
      String relative = file.relative();
      onDisk.add(relative);
      if (!live.containsKey(relative)) {
        if (replacing.isEmpty() && !WarehouseLayout.dataFileName(table, file.partition())
            .matcher(file.path().getFileName().toString()).matches()) {
          // The directory is the truth, so it is committed; but a copy left beside the file it
          // copies doubles those rows, which is worth a line (verify reports it too).
          LOG.warn("{}: {} is not named as export names its files ({}_{}_{}[_<n>]_<job>.parquet);"
              + " committed as the directory holds it: remove it if it is a copy",
              table.tableName(), relative, table.tableName(), file.partition().start(),
              file.partition().end());
        }
        toAdd.put(relative, ParquetFileFacts.read(table, relative, file.path(),
            file.partition(), mapping));
      }
    }
    List<DataFile> toRemove = live.entrySet().stream()
        .filter(e -> !onDisk.contains(e.getKey())).map(Map.Entry::getValue).toList();
    if (replacing.isPresent() && !newHistory) {
      List<DataFile> toReplace = new ArrayList<>(toRemove);
      live.forEach((relative, file) -> {
        String[] parts = relative.split("/", -1);
        HeightRange partition = parts.length == 4 ? HeightRange.parseDirectoryName(parts[2]) : null;
        if (onDisk.contains(relative) && partition != null
            && partition.overlaps(replacing.get())) {
          toReplace.add(file);
        }
      });
      snapshotsReferencing(table, base, toReplace, io);
    }
    Set<Long> unreadable = newHistory ? Set.of()
        : snapshotsReferencing(table, base, toRemove, io);
    return new TablePlan(table, ops, root, newHistory, List.copyOf(toAdd.values()), toRemove,
        onDisk, unreadable);
  }

  /**
   * Directory mode: the directory is the truth, so every file of the current snapshot must be
   * one the directory layout holds, {@code <table>/data/height=S-E/<name>.parquet}, which is
   * where {@code export} writes and the only place {@code metadata} takes files from. Any other
   * file was added by another engine (e.g. Spark's {@code rewrite_data_files} writes
   * {@code data/height_trunc_P=V/...}); dropping it would silently revert that engine's commit,
   * so it is a conflict (exit 3) and nothing is committed.
   */
  private static void requireOnlyDirectoryFiles(WarehouseLayout layout, ExportTable table,
      LocalTableOperations ops, Set<String> live) {
    List<String> foreign = live.stream().filter(p -> !WarehouseLayout.isDataFile(table, p)).sorted()
        .toList();
    if (foreign.isEmpty()) {
      return;
    }
    throw new StateConflictException("table " + table.tableName() + ": the current snapshot ("
        + ops.versionFile() + ") holds " + foreign.size() + " data file(s) arexport did not"
        + " write: " + String.join(", ", foreign.stream().limit(3)
            .map(f -> shown(layout, f)).toList()) + (foreign.size() > 3 ? ", ..." : "")
        + " (another engine's compaction?);"
        + " in directory mode arexport will not drop them: roll the table back to the snapshot"
        + " before that engine's commit, or delete " + ops.versionFile().getParent()
        + " and rerun 'arexport metadata' to record the Parquet files anew (see docs/iceberg.md,"
        + " \"Other engines\")");
  }

  private static String shown(WarehouseLayout layout, String location) {
    return location.startsWith("/") || location.contains(":") ? location
        : layout.resolve(location).toString();
  }

  /**
   * The snapshots of the current history that reference one of {@code removed}: in a linear
   * history a data file is in every snapshot from the one that added it (its file sequence
   * number) to the current one, so these are the ancestors with a sequence number at or above
   * the smallest of the removed files'. A snapshot that a tag or another branch holds cannot be
   * expired: that is a conflict.
   */
  private static Set<Long> snapshotsReferencing(ExportTable table, TableMetadata base,
      List<DataFile> removed, FileIO io) {
    if (removed.isEmpty() || base.currentSnapshot() == null) {
      return Set.of();
    }
    long oldest = removed.stream()
        .mapToLong(f -> f.fileSequenceNumber() == null ? 0 : f.fileSequenceNumber())
        .min().orElse(0);
    Set<Long> unreadable = new LinkedHashSet<>();
    for (Snapshot snapshot : SnapshotUtil.ancestorsOf(base.currentSnapshot().snapshotId(),
        base::snapshot)) {
      if (snapshot.sequenceNumber() >= oldest) {
        unreadable.add(snapshot.snapshotId());
      }
    }
    Set<Long> ancestors = new HashSet<>();
    SnapshotUtil.ancestorsOf(base.currentSnapshot().snapshotId(), base::snapshot)
        .forEach(s -> ancestors.add(s.snapshotId()));
    Set<Long> held = new HashSet<>();
    base.refs().values().forEach(ref -> held.add(ref.snapshotId()));
    for (Snapshot snapshot : base.snapshots()) {
      // Off the current history (another engine rolled the table back past it): only its
      // manifests say whether it lists a removed file; if so it could no longer be read.
      long id = snapshot.snapshotId();
      if (!ancestors.contains(id) && !held.contains(id) && listsAny(snapshot, removed, io)) {
        unreadable.add(id);
      }
    }
    for (Map.Entry<String, SnapshotRef> ref : base.refs().entrySet()) {
      if (ref.getKey().equals(SnapshotRef.MAIN_BRANCH)) {
        continue;
      }
      long heldId = ref.getValue().snapshotId();
      // Off the current history (another branch, or a tag whose descendants expired), sequence
      // numbers say nothing: its manifests do.
      boolean references = ancestors.contains(heldId) ? unreadable.contains(heldId)
          : listsAny(base.snapshot(heldId), removed, io);
      if (references) {
        throw new StateConflictException("table " + table.tableName() + ": " + removed.size()
            + " replaced or vanished data file(s) are deleted from disk in directory mode, but"
            + " snapshot " + ref.getValue().snapshotId() + " that references them is held by"
            + " the " + (ref.getValue().isBranch() ? "branch" : "tag") + " '" + ref.getKey()
            + "'; drop that reference (e.g. Spark: ALTER TABLE ... DROP TAG) and rerun");
      }
    }
    return unreadable;
  }

  /** Whether {@code snapshot} (null: expired) lists one of {@code files} as a data file. */
  private static boolean listsAny(Snapshot snapshot, List<DataFile> files, FileIO io) {
    if (snapshot == null) {
      return false;
    }
    Set<String> locations = new HashSet<>();
    files.forEach(f -> locations.add(f.location()));
    for (ManifestFile manifest : snapshot.dataManifests(io)) {
      try (CloseableIterable<String> paths = ManifestFiles.readPaths(manifest, io)) {
        for (String path : paths) {
          if (locations.contains(path)) {
            return true;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read manifest " + manifest.path(), e);
      }
    }
    return false;
  }

  /**
   * Without {@code --datasets-root}, a table keeps the root it was recorded under, except a
   * local root ({@code file:}, or a plain path as engines that open a table by path record it)
   * that is no longer this warehouse (the directory moved): then its files are recorded under the
   * warehouse's own {@code file:} root.
   */
  private static String defaultRoot(WarehouseLayout layout, String recordedRoot) {
    String fileRoot = MetadataRequest.fileRoot(layout.root());
    if (recordedRoot == null || recordedRoot.equals(fileRoot)) {
      return fileRoot;
    }
    if (recordedRoot.startsWith("file:") || LocalLocation.path(recordedRoot).isPresent()) {
      return LocalLocation.names(recordedRoot, layout.root()) ? recordedRoot : fileRoot;
    }
    return recordedRoot;
  }

  /** The current snapshot's data files, by warehouse-relative path. */
  private static Map<String, DataFile> liveFiles(ExportTable table, LocalTableOperations ops,
      String root) {
    Map<String, DataFile> files = new HashMap<>();
    if (ops.current().currentSnapshot() == null) {
      return files;
    }
    try (CloseableIterable<FileScanTask> tasks =
        new BaseTable(ops, table.tableName()).newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        String location = task.file().location();
        // A file outside the root (another engine's) keeps its full location: not a directory
        // file, so requireOnlyDirectoryFiles reports it.
        files.put(location.startsWith(root + "/") ? location.substring(root.length() + 1)
            : location, task.file().copyWithoutStats());
      }
    } catch (IOException | RuntimeException e) {
      throw unreadableSnapshot(table, ops, e);
    }
    return files;
  }

  /**
   * Reads the manifest list and every manifest of the current snapshot, so that a missing or
   * corrupt one refuses a run (state conflict naming the table) before any table is changed.
   */
  static void requireReadableSnapshot(ExportTable table, LocalTableOperations ops) {
    if (ops.current() == null || ops.current().currentSnapshot() == null) {
      return;
    }
    try (CloseableIterable<FileScanTask> tasks =
        new BaseTable(ops, table.tableName()).newScan().planFiles()) {
      tasks.forEach(task -> { });
    } catch (IOException | RuntimeException e) {
      throw unreadableSnapshot(table, ops, e);
    }
  }

  private static StateConflictException unreadableSnapshot(ExportTable table,
      LocalTableOperations ops, Exception cause) {
    return new StateConflictException("cannot read the current snapshot of table "
        + table.tableName() + " (" + ops.versionFile() + "): " + cause.getMessage(), cause);
  }

  private TableResult commit(WarehouseLayout layout, TablePlan plan, ReplacedFiles replaced,
      Level logLevel) {
    ExportTable table = plan.table();
    LocalTableOperations ops = plan.ops();
    ops.deleteStaleTempFiles();
    ops.repairPointers();
    TableMetadata base = ops.current();
    List<String> expiredFiles = new ArrayList<>();
    if (plan.changes()) {
      String location = plan.root() + "/" + table.tableName();
      try {
        Transaction transaction;
        if (plan.newHistory()) {
          ops = ops.startNewHistory(location);
          TableMetadata fresh = newTableMetadata(table,
              defaultPartitionSize(plan.toAdd(), EMPTY_TABLE_PARTITION_SIZE), location,
              plan.root(), base, clock.instant());
          transaction = Transactions.createTableTransaction(table.tableName(), ops, fresh);
        } else {
          transaction = Transactions.newTransaction(table.tableName(), ops);
        }
        evolveSpec(transaction, plan.toAdd());
        addAndRemove(transaction, plan);
        expireUnreadable(transaction, plan, expiredFiles);
        transaction.commitTransaction();
      } catch (ArexportException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new RuntimeFailureException("cannot commit the Iceberg metadata of table "
            + table.tableName() + ": " + e.getMessage(), e);
      }
    }
    // Only now that the commit stands: the files only the expired snapshots referenced.
    TableMaintenance.delete(ops.io(), expiredFiles);
    int deleted = deleteReplacedFiles(layout, table, plan.liveAfter(), replaced);
    maintainIfDue(layout, table, ops);
    TableMetadata now = ops.current();
    Snapshot snapshot = now.currentSnapshot();
    TableResult.Action action = !plan.changes() ? TableResult.Action.UNCHANGED
        : base == null ? TableResult.Action.CREATED
        : plan.newHistory() ? TableResult.Action.RELOCATED : TableResult.Action.COMMITTED;
    LOG.atLevel(plan.changes() ? logLevel : Level.DEBUG)
        .log("{}: {} v{} (+{} -{} files, {} replaced files deleted)", table.tableName(), action,
        ops.version(), plan.toAdd().size(), plan.toRemove().size(), deleted);
    return new TableResult(table.tableName(), action, ops.version(), now.metadataFileLocation(),
        snapshot == null ? null : snapshot.snapshotId(), plan.toAdd().size(),
        plan.toRemove().size(), deleted,
        Snapshots.summaryCount(snapshot, SnapshotSummary.TOTAL_DATA_FILES_PROP),
        Snapshots.summaryCount(snapshot, SnapshotSummary.TOTAL_RECORDS_PROP), now.specs().size());
  }

  /**
   * Expires, in the commit's own transaction, the snapshots that reference a file the commit
   * removes (see {@link TablePlan#unreadableAfter()}); Iceberg's expiry also applies the table's
   * retention properties. The files only they referenced are collected into {@code expiredFiles}
   * and deleted once the transaction committed.
   */
  private static void expireUnreadable(Transaction transaction, TablePlan plan,
      List<String> expiredFiles) {
    if (plan.unreadableAfter().isEmpty()) {
      return;
    }
    if (!TableMaintenance.gcEnabled(transaction.table().properties())) {
      LOG.warn("{}: gc.enabled is false, so the {} snapshot(s) that reference replaced files are"
          + " not expired (they can no longer be read)", plan.table().tableName(),
          plan.unreadableAfter().size());
      return;
    }
    ExpireSnapshots expire = transaction.expireSnapshots().deleteWith(expiredFiles::add);
    plan.unreadableAfter().forEach(expire::expireSnapshotId);
    expire.commit();
  }

  /**
   * After a table's commit, the rest of the maintenance ({@link TableMaintenance}) when its
   * interval has passed. A failure is logged, not raised: the data is committed, and the next
   * run tries again.
   */
  private void maintainIfDue(WarehouseLayout layout, ExportTable table,
      LocalTableOperations ops) {
    if (ops.current() == null) {
      return;
    }
    Table handle = new BaseTable(ops, table.tableName());
    Instant now = clock.instant();
    try {
      // Inside: a table property it reads that is no number fails the maintenance, not the
      // commit that already stands.
      if (!TableMaintenance.isDue(handle, now)) {
        return;
      }
      TableMaintenance.run(handle, now, directoryLive(layout, table, ops.io()), true);
      deleteEmptyDataDirs(layout, table);
    } catch (RuntimeException e) {
      LOG.warn("{}: table maintenance failed ({}); the next run retries it",
          table.tableName(), e.getMessage());
    }
  }

  /** Removes the directories under {@code <table>/data/} that maintenance left empty. */
  static void deleteEmptyDataDirs(WarehouseLayout layout, ExportTable table) {
    Path data = layout.dataDir(table);
    if (!Files.isDirectory(data)) {
      return;
    }
    try (java.util.stream.Stream<Path> dirs = Files.list(data)) {
      dirs.filter(Files::isDirectory).forEach(PartitionCommitter::deleteIfEmpty);
    } catch (IOException e) {
      LOG.warn("cannot list {}: {}", data, e.getMessage());
    }
  }

  /**
   * Directory mode's live files that no snapshot may reference yet: the Parquet files of the
   * partition directories (the directory is the truth: the next commit adds them) and the
   * {@code metadata.json} copy of the current version. Never orphans.
   */
  static java.util.function.Predicate<String> directoryLive(WarehouseLayout layout,
      ExportTable table, org.apache.iceberg.io.FileIO io) {
    WarehouseFileIO files = (WarehouseFileIO) io;
    Path copy = layout.metadataDir(table).resolve(LocalTableOperations.CURRENT_COPY);
    return location -> {
      Path path;
      try {
        path = files.localPath(location);
      } catch (IllegalArgumentException e) {
        return false;
      }
      return path.equals(copy) || WarehouseLayout.isDataFile(table, layout.relative(path));
    };
  }

  /**
   * A new table's metadata: format v2, ExportTable's schema and sort order, one spec, and
   * arexport's retention defaults ({@link TableMaintenance#RETENTION_DEFAULTS}) with the
   * maintenance clock starting at {@code created}. When it replaces {@code previous} (a new
   * root), the UUID and the table properties carry over, so retention someone changed stays.
   */
  private static TableMetadata newTableMetadata(ExportTable table, int partitionSize,
      String location, String root, TableMetadata previous, Instant created) {
    Schema schema = table.schema();
    PartitionSpec spec = TableDefinition.spec(table, partitionSize);
    Map<String, String> properties = new HashMap<>(TableMaintenance.RETENTION_DEFAULTS);
    properties.put(TableMaintenance.LAST_RUN_PROPERTY, created.toString());
    properties.putAll(previous == null ? Map.of() : previous.properties());
    properties.putAll(TableDefinition.properties(table, partitionSize));
    properties.put(ROOT_PROPERTY, root);
    TableMetadata metadata =
        TableMetadata.newTableMetadata(schema, spec, TableDefinition.sortOrder(table), location,
            properties);
    if (!metadata.schema().sameSchema(schema)) {
      throw new IllegalStateException("Iceberg reassigned the field ids of " + table.tableName());
    }
    return previous == null ? metadata
        : TableMetadata.buildFrom(metadata).assignUUID(previous.uuid()).build();
  }

  /**
   * Makes sure a spec {@code truncate(height, P)} exists for each P the new files were written
   * with; the P of the newest data (highest partition) becomes the default spec. Old files keep
   * the spec they were added with.
   */
  private static void evolveSpec(Transaction transaction, List<ParquetFileFacts> toAdd) {
    if (toAdd.isEmpty()) {
      return;
    }
    Map<Integer, Long> newestPartition = new HashMap<>();
    for (ParquetFileFacts file : toAdd) {
      newestPartition.merge(file.partitionSize(), file.partitionValue(), Math::max);
    }
    List<Integer> sizes = newestPartition.keySet().stream()
        .sorted(Comparator.comparing(newestPartition::get)).toList();
    Table table = transaction.table();
    for (int i = 0; i < sizes.size(); i++) {
      int size = sizes.get(i);
      PartitionSpec existing = specFor(table, size);
      boolean makeDefault = i == sizes.size() - 1;
      if (existing == null || (makeDefault && table.spec().specId() != existing.specId())) {
        UpdatePartitionSpec update = transaction.updateSpec();
        for (PartitionField field : table.spec().fields()) {
          update.removeField(field.name());
        }
        update.addField(partitionFieldName(size), Expressions.truncate("height", size)).commit();
      }
    }
    String defaultSize = Integer.toString(sizes.get(sizes.size() - 1));
    if (!defaultSize.equals(table.properties().get(PARTITION_SIZE_PROPERTY))) {
      transaction.updateProperties().set(PARTITION_SIZE_PROPERTY, defaultSize).commit();
    }
  }

  /** One snapshot: an append when nothing is removed, else an overwrite. */
  private static void addAndRemove(Transaction transaction, TablePlan plan) {
    Table table = transaction.table();
    List<DataFile> added = new ArrayList<>();
    for (ParquetFileFacts file : plan.toAdd()) {
      added.add(TableDefinition.dataFile(table, plan.root() + "/" + file.relativePath(), file));
    }
    if (!plan.toRemove().isEmpty()) {
      OverwriteFiles overwrite = transaction.newOverwrite();
      plan.toRemove().forEach(overwrite::deleteFile);
      added.forEach(overwrite::addFile);
      overwrite.commit();
    } else if (!added.isEmpty()) {
      AppendFiles append = transaction.newAppend();
      added.forEach(append::appendFile);
      append.commit();
    }
  }

  private static PartitionSpec specFor(Table table, int size) {
    return TableDefinition.specFor(table, size);
  }

  static String partitionFieldName(int size) {
    return TableDefinition.partitionFieldName(size);
  }

  private static int defaultPartitionSize(List<ParquetFileFacts> files, int fallback) {
    return files.stream().max(Comparator.comparingLong(ParquetFileFacts::partitionValue))
        .map(ParquetFileFacts::partitionSize).orElse(fallback);
  }

  /**
   * Deletes the table's replaced files that the current snapshot does not reference, then drops
   * them from the list (in this order: a file still listed is never taken for new data), then
   * removes partition directories left empty.
   */
  private static int deleteReplacedFiles(WarehouseLayout layout, ExportTable table,
      Set<String> live, ReplacedFiles replaced) {
    String prefix = table.tableName() + "/";
    List<String> unreferenced = replaced.paths().stream()
        .filter(p -> p.startsWith(prefix) && !live.contains(p)).toList();
    if (unreferenced.isEmpty()) {
      return 0;
    }
    Set<Path> dirs = new LinkedHashSet<>();
    for (String relative : unreferenced) {
      Path file = layout.resolve(relative);
      DurableFiles.deleteIfExists(file);
      dirs.add(file.getParent());
    }
    replaced.removeAll(unreferenced);
    dirs.forEach(PartitionCommitter::deleteIfEmpty);
    return unreferenced.size();
  }
}
