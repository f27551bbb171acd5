package io.arexport.lakehouse;

import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import io.arexport.RuntimeFailureException;
import io.arexport.StateConflictException;
import io.arexport.catalog.CatalogSpec;
import io.arexport.export.ExportRequest;
import io.arexport.export.FaultPoints;
import io.arexport.export.PartitionChangedException;
import io.arexport.export.PartitionPublisher;
import io.arexport.iceberg.ParquetFileFacts;
import io.arexport.iceberg.Snapshots;
import io.arexport.iceberg.TableDefinition;
import io.arexport.schema.ExportTable;
import io.arexport.warehouse.StagedPartition;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdatePartitionSpec;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.mapping.MappingUtil;
import org.apache.iceberg.mapping.NameMapping;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Catalog (lakehouse) mode (contract section 7): the Iceberg commit is the publish. Per partition
 * and table, the staged files are uploaded under new names to {@code <table
 * location>/data/height=S-E/} (each recorded in the {@link UploadJournal} first), then one {@link
 * OverwriteFiles} commit replaces every live file with rows in {@code [S, E]} — whoever wrote it
 * — by the new files with their footer metrics. The commit is validated against everything
 * committed to that range since the snapshot it was planned on, so of two writers on one
 * partition exactly one wins and the other fails with a {@link PartitionChangedException} (exit 3);
 * commits to other ranges are retried by Iceberg with a fresh base (the table's {@code
 * commit.retry.*} properties, see {@link CatalogTables#COMMIT_RETRY}). There is no warehouse lock:
 * the catalog arbitrates.
 *
 * <p>Crash safety: a run's journal lists its uploads until the partition's checkpoint advanced.
 * The next run deletes the uploads of a dead run's journal that no snapshot references; a commit
 * whose checkpoint did not advance is redone by {@code --resume} (replacing the files it added).
 * Replaced files are never deleted here: retained snapshots still reference them, and snapshot
 * expiry deletes them (docs/lakehouse.md).
 */
public final class CatalogPublisher implements PartitionPublisher {
  /** Snapshot summary keys naming what arexport committed, for operators and other engines. */
  static final String SUMMARY_PARTITION = "arexport.partition";
  static final String SUMMARY_RUN = "arexport.run";
  /** Snapshots this long before a journal was created may have added its files (clock skew). */
  static final long CLOCK_SKEW_MILLIS = 60 * 60 * 1000L;

  private static final Logger LOG = LoggerFactory.getLogger(CatalogPublisher.class);
  private static final HexFormat HEX = HexFormat.of();

  private final CatalogTables catalog;
  private final Map<ExportTable, Table> tables;
  private final UploadJournal journal;
  private final Clock clock;
  private final FaultPoints faults;
  private final SecureRandom random;
  private final String runId;
  private final int partitionSize;
  private boolean committed;
  private boolean pendingUploads;

  private CatalogPublisher(CatalogTables catalog, Map<ExportTable, Table> tables,
      UploadJournal journal, Clock clock, FaultPoints faults, SecureRandom random, String runId,
      int partitionSize) {
    this.catalog = catalog;
    this.tables = tables;
    this.journal = journal;
    this.clock = clock;
    this.faults = faults;
    this.random = random;
    this.runId = runId;
    this.partitionSize = partitionSize;
  }

  /**
   * The opener of catalog mode: opens the catalog of the request, checks (and creates on first
   * use) the three tables, and deletes what dead runs of this destination left uploaded but
   * uncommitted.
   */
  public static PartitionPublisher.Opener opener(Clock clock, long pid, FaultPoints faults) {
    return (request, holder) -> open(request, clock, pid, faults);
  }

  private static PartitionPublisher open(ExportRequest request, Clock clock, long pid,
      FaultPoints faults) {
    CatalogSpec spec = request.catalog();
    if (request.heightPartitionSize() > Integer.MAX_VALUE) {
      throw new InvalidInputException("heightPartitionSize " + request.heightPartitionSize()
          + " cannot be an Iceberg truncate width (1.." + Integer.MAX_VALUE + ")");
    }
    int partitionSize = (int) request.heightPartitionSize();
    SecureRandom random = new SecureRandom();
    String runId = clock.instant().toEpochMilli() + "_" + pid + "_" + hex(random, 4);
    CatalogTables catalog = CatalogTables.open(spec);
    UploadJournal journal = null;
    try {
      // Read (and check) every table before creating any, so a bad one leaves the catalog as is.
      Map<ExportTable, Table> existing = catalog.existing();
      catalog.warnOfTablesOutsideTheWarehouse(existing);
      existing.forEach(catalog::requireStorageAccess);
      Map<ExportTable, Table> tables = new EnumMap<>(ExportTable.class);
      for (ExportTable table : ExportTable.values()) {
        // A missing table is created only once its storage was read (loadOrCreate).
        tables.put(table, existing.containsKey(table) ? existing.get(table)
            : catalog.loadOrCreate(table, partitionSize));
      }
      Path journals = UploadJournal.directory(request.stagingDir(), destinationKey(spec));
      journal = UploadJournal.create(journals, runId, clock.millis());
      CatalogPublisher publisher = new CatalogPublisher(catalog, tables, journal, clock, faults,
          random, runId, partitionSize);
      publisher.deleteUncommittedUploads(journals);
      return publisher;
    } catch (RuntimeException | Error e) {
      if (journal != null) {
        journal.delete();
      }
      catalog.close();
      throw e;
    }
  }

  /** A stable, secret-free directory name for the destination's journals. */
  static String destinationKey(CatalogSpec spec) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(spec.describe().getBytes(StandardCharsets.UTF_8));
      return HEX.formatHex(digest, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public List<PublishedPartition> publishedPartitions(HeightRange heights) {
    List<PublishedPartition> partitions = new ArrayList<>();
    for (Map.Entry<ExportTable, Table> entry : tables.entrySet()) {
      Table table = entry.getValue();
      refresh(entry.getKey(), table);
      Set<HeightRange> seen = new HashSet<>();
      for (DataFile file : liveFiles(entry.getKey(), table, table.currentSnapshot(), heights)) {
        HeightRange range = fileRange(entry.getKey(), file);
        if (range != null && range.overlaps(heights) && seen.add(range)) {
          partitions.add(new PublishedPartition(entry.getKey(), range, file.location()));
        }
      }
    }
    return partitions;
  }

  @Override
  public void publish(HeightRange partition, Map<ExportTable, StagedPartition> staged) {
    for (ExportTable table : ExportTable.values()) {
      publishTable(table, tables.get(table), partition, staged.get(table));
    }
  }

  private void publishTable(ExportTable exportTable, Table table, HeightRange partition,
      StagedPartition staged) {
    refresh(exportTable, table);
    Snapshot base = table.currentSnapshot();
    List<DataFile> replaced = liveFiles(exportTable, table, base, partition);
    for (DataFile file : replaced) {
      HeightRange range = fileRange(exportTable, file);
      if (range == null) {
        throw new StateConflictException("table " + catalog.identifier(exportTable) + " holds "
            + file.location() + ", which has no height bounds and no height=S-E directory, so"
            + " arexport cannot tell whether replacing partition " + partition + " covers it:"
            + " rewrite or remove it with the engine that wrote it");
      }
      if (!partition.contains(range)) {
        throw new StateConflictException("table " + catalog.identifier(exportTable) + " holds "
            + file.location() + " with heights " + range + " reaching outside partition "
            + partition + ": re-export with the partition size that file was written with");
      }
    }
    // Only now, when the partition can be replaced: a refused run leaves the table as it was,
    // another engine's partition spec included.
    ensureSpec(exportTable, table);
    List<DataFile> added = new ArrayList<>();
    List<String> uploaded = new ArrayList<>();
    try {
      NameMapping mapping = MappingUtil.create(exportTable.schema());
      String directory = Snapshots.withoutTrailingSlash(table.location()) + "/data/"
          + partition.directoryName();
      for (Path file : staged.files()) {
        String location = directory + "/" + uniqueName(file);
        ParquetFileFacts facts = ParquetFileFacts.read(exportTable, location, file, partition,
            mapping);
        journal.recordUpload(exportTable.tableName(), partition, location);
        pendingUploads = true;
        uploaded.add(location);
        upload(table.io(), file, location);
        added.add(TableDefinition.dataFile(table, location, facts));
      }
      faults.reached(FaultPoints.CATALOG_UPLOADED);
      if (added.isEmpty() && replaced.isEmpty()) {
        return;
      }
      OverwriteFiles overwrite = table.newOverwrite()
          .conflictDetectionFilter(heights(partition))
          .validateNoConflictingData()
          .validateNoConflictingDeletes()
          .set(SUMMARY_PARTITION, partition.toString())
          .set(SUMMARY_RUN, runId);
      if (base != null) {
        overwrite.validateFromSnapshot(base.snapshotId());
      }
      replaced.forEach(overwrite::deleteFile);
      added.forEach(overwrite::addFile);
      overwrite.commit();
      committed = true;
      LOG.info("{} {}: committed snapshot {} (+{} -{} files)", catalog.identifier(exportTable),
          partition, table.currentSnapshot().snapshotId(), added.size(), replaced.size());
      faults.reached(FaultPoints.CATALOG_TABLE_COMMITTED);
    } catch (ValidationException e) {
      forgetUploadsIfDeleted(table.io(), uploaded);
      throw new PartitionChangedException("partition " + partition + " of table "
          + catalog.identifier(exportTable) + " was changed by another writer while this run"
          + " published it (" + CatalogTables.rootMessage(e) + "); nothing of this run's version"
          + " of it was committed", "rerun (with --resume) once the other writer is done", e);
    } catch (CommitFailedException e) {
      forgetUploadsIfDeleted(table.io(), uploaded);
      throw new RuntimeFailureException("commit of partition " + partition + " of table "
          + catalog.identifier(exportTable) + " failed after every retry ("
          + CatalogTables.rootMessage(e) + "): rerun with --resume", e);
    } catch (CommitStateUnknownException e) {
      // It may have landed, or land later (a REST server still at work on the request): the
      // next run keeps this partition's uploads whatever the snapshots say at that moment.
      try {
        journal.recordUnknownOutcome(exportTable.tableName(), partition);
      } catch (RuntimeException unrecorded) {
        e.addSuppressed(unrecorded);
      }
      throw new RuntimeFailureException("commit of partition " + partition + " of table "
          + catalog.identifier(exportTable) + " has an unknown outcome ("
          + CatalogTables.rootMessage(e) + "): rerun with --resume, which redoes it", e);
    } catch (StateConflictException | InvalidInputException | RuntimeFailureException e) {
      throw e;
    } catch (RuntimeException e) {
      throw CatalogTables.failure("cannot publish partition " + partition + " of table "
          + catalog.identifier(exportTable) + " to", catalog.spec(), e);
    }
  }

  /** Makes {@code truncate(height, P)} of this run the table's default spec (its own commit). */
  private void ensureSpec(ExportTable exportTable, Table table) {
    ensureDefaultSpec(catalog, exportTable, table, partitionSize);
  }

  /**
   * Makes {@code truncate(height, size)} the table's default spec, in a commit of its own when it
   * is not (an existing spec of that width is reused; files keep the spec they were added with).
   */
  static void ensureDefaultSpec(CatalogTables catalog, ExportTable exportTable, Table table,
      int size) {
    PartitionSpec wanted = TableDefinition.specFor(table, size);
    if (wanted != null && table.spec().specId() == wanted.specId()) {
      return;
    }
    try {
      UpdatePartitionSpec update = table.updateSpec();
      for (PartitionField field : table.spec().fields()) {
        update.removeField(field.name());
      }
      update.addField(TableDefinition.partitionFieldName(size),
          Expressions.truncate("height", size)).commit();
      table.updateProperties().set(TableDefinition.PARTITION_SIZE_PROPERTY,
          Integer.toString(size)).commit();
      LOG.info("{}: default partition spec is now truncate(height, {})",
          catalog.identifier(exportTable), size);
    } catch (RuntimeException e) {
      throw CatalogTables.failure("cannot evolve the partition spec of "
          + catalog.identifier(exportTable) + " in", catalog.spec(), e);
    }
  }

  @Override
  public void checkpointed(HeightRange partition) {
    journal.clear(clock.millis());
    pendingUploads = false;
  }

  @Override
  public boolean finishRun() {
    return committed;
  }

  /** Each partition was committed as it was published: nothing is left for the end. */
  @Override
  public boolean finishRunWorks() {
    return false;
  }

  @Override
  public String destination() {
    return catalog.spec().describe();
  }

  @Override
  public void close() {
    try {
      if (pendingUploads) {
        journal.close(); // the next run deletes what of it was not committed
      } else {
        journal.delete();
      }
    } finally {
      catalog.close();
    }
  }

  /**
   * Deletes the uploads of dead runs' journals that no snapshot references: not the current one
   * (a file added long ago and still live) and none committed since the journal was created (a
   * file committed and then replaced by another writer stays for snapshot expiry). The uploads
   * of a partition whose commit had an unknown outcome stay whatever the snapshots say now: that
   * commit may still land, and would then reference deleted files. Unreferenced, they go with
   * the tables' orphan removal ({@code maintain}, past its safety age).
   */
  private void deleteUncommittedUploads(Path journals) {
    for (UploadJournal.Left left : UploadJournal.leftBehind(journals, journal)) {
      int deleted = 0;
      List<UploadJournal.Upload> kept = left.uploads().stream().filter(left::outcomeUnknown)
          .toList();
      if (!kept.isEmpty()) {
        LOG.warn("upload journal {} of a stopped run: {} uploads of a commit whose outcome was"
            + " unknown are kept (it may still land); orphan removal ('arexport maintain')"
            + " deletes them if no snapshot ever references them", left.file(), kept.size());
      }
      for (ExportTable exportTable : ExportTable.values()) {
        List<UploadJournal.Upload> uploads = left.uploads().stream()
            .filter(u -> u.table().equals(exportTable.tableName()))
            .filter(u -> !left.outcomeUnknown(u)).toList();
        if (uploads.isEmpty()) {
          continue;
        }
        Table table = tables.get(exportTable);
        refresh(exportTable, table);
        Set<String> referenced = referencedSince(exportTable, table, left.createdMillis()
            - CLOCK_SKEW_MILLIS, uploads);
        List<String> orphans = uploads.stream().filter(u -> isUploadLocation(table, u, left))
            .map(UploadJournal.Upload::location)
            .filter(location -> !referenced.contains(location)).toList();
        deleteQuietly(table.io(), orphans);
        deleted += orphans.size();
      }
      LOG.info("upload journal {} of a stopped run: {} uncommitted uploads deleted", left.file(),
          deleted);
      UploadJournal.forget(left);
    }
  }

  /**
   * Whether {@code upload} names a place this publisher uploads to, {@code
   * <table location>/data/height=S-E/<name>.parquet} of its own partition: a damaged or edited
   * journal must not delete anything else with the exporter's credentials.
   */
  private static boolean isUploadLocation(Table table, UploadJournal.Upload upload,
      UploadJournal.Left journal) {
    String directory = Snapshots.withoutTrailingSlash(table.location()) + "/data/"
        + upload.partition().directoryName() + "/";
    String location = upload.location();
    String name = location.startsWith(directory) ? location.substring(directory.length()) : "";
    boolean ours = name.endsWith(".parquet") && !name.startsWith(".") && !name.contains("/");
    if (!ours) {
      LOG.warn("upload journal {} names {}, which is not where arexport uploads partition {} of"
          + " table {}: left alone", journal.file(), location, upload.partition(), upload.table());
    }
    return ours;
  }

  private Set<String> referencedSince(ExportTable exportTable, Table table, long sinceMillis,
      List<UploadJournal.Upload> uploads) {
    Set<String> referenced = new HashSet<>();
    for (UploadJournal.Upload upload : uploads) {
      for (DataFile file : liveFiles(exportTable, table, table.currentSnapshot(),
          upload.partition())) {
        referenced.add(file.location());
      }
    }
    for (Snapshot snapshot : table.snapshots()) {
      if (snapshot.timestampMillis() >= sinceMillis) {
        for (DataFile file : snapshot.addedDataFiles(table.io())) {
          referenced.add(file.location());
        }
      }
    }
    return referenced;
  }

  /** The live data files of {@code snapshot} with rows in {@code heights}, with their stats. */
  static List<DataFile> liveFiles(ExportTable exportTable, Table table, Snapshot snapshot,
      HeightRange heights) {
    List<DataFile> files = new ArrayList<>();
    if (snapshot == null) {
      return files;
    }
    try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(snapshot.snapshotId())
        .includeColumnStats().filter(heights(heights)).planFiles()) {
      for (FileScanTask task : tasks) {
        files.add(task.file().copy());
      }
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot read the current snapshot of "
          + exportTable.tableName() + ": " + e.getMessage(), e);
    }
    return files;
  }

  /**
   * The heights a file covers: its partition directory {@code height=S-E} when it has one (every
   * file arexport wrote), else its height bounds (a file another engine wrote, e.g. compacted).
   */
  static HeightRange fileRange(ExportTable table, DataFile file) {
    HeightRange directory = directoryRange(file);
    return directory != null ? directory : heightBounds(table, file);
  }

  /** The range of the file's directory {@code height=S-E}, or null for another directory. */
  static HeightRange directoryRange(DataFile file) {
    String location = file.location();
    int slash = location.lastIndexOf('/');
    int parent = slash <= 0 ? -1 : location.lastIndexOf('/', slash - 1);
    return parent < 0 ? null
        : HeightRange.parseDirectoryName(location.substring(parent + 1, slash));
  }

  /** The file's lowest and highest height (column bounds), or null without them. */
  static HeightRange heightBounds(ExportTable table, DataFile file) {
    int heightId = table.schema().findField("height").fieldId();
    ByteBuffer lower = file.lowerBounds() == null ? null : file.lowerBounds().get(heightId);
    ByteBuffer upper = file.upperBounds() == null ? null : file.upperBounds().get(heightId);
    if (lower == null || upper == null) {
      return null;
    }
    return new HeightRange(Conversions.<Long>fromByteBuffer(Types.LongType.get(), lower),
        Conversions.<Long>fromByteBuffer(Types.LongType.get(), upper));
  }

  static Expression heights(HeightRange range) {
    return Expressions.and(Expressions.greaterThanOrEqual("height", range.start()),
        Expressions.lessThanOrEqual("height", range.end()));
  }

  /** The staged name with a random suffix: a file name is never reused, even across hosts. */
  private String uniqueName(Path file) {
    String name = file.getFileName().toString();
    String stem = name.endsWith(".parquet") ? name.substring(0, name.length() - 8) : name;
    return stem + "-" + hex(random, 4) + ".parquet";
  }

  private void upload(FileIO io, Path file, String location) {
    try (InputStream in = Files.newInputStream(file);
        OutputStream out = io.newOutputFile(location).create()) {
      in.transferTo(out);
    } catch (IOException | RuntimeException e) {
      throw CatalogTables.failure("cannot upload " + location + " for", catalog.spec(), e);
    }
  }

  private void refresh(ExportTable exportTable, Table table) {
    try {
      table.refresh();
    } catch (RuntimeException e) {
      throw CatalogTables.failure("cannot refresh table " + catalog.identifier(exportTable)
          + " from", catalog.spec(), e);
    }
  }

  /**
   * After a refused commit: deletes this table's uploads of the partition. When all are gone the
   * journal lists nothing left over (the earlier tables' uploads of the partition were committed,
   * earlier partitions are checkpointed), so {@link #close} removes it instead of leaving it for
   * the next run.
   */
  private void forgetUploadsIfDeleted(FileIO io, List<String> uploaded) {
    if (deleteQuietly(io, uploaded)) {
      pendingUploads = false;
    }
  }

  /** True when every location was deleted. */
  private static boolean deleteQuietly(FileIO io, List<String> locations) {
    boolean all = true;
    for (String location : locations) {
      try {
        io.deleteFile(location);
      } catch (RuntimeException e) {
        all = false;
        LOG.warn("could not delete uncommitted upload {}: {}", location, e.getMessage());
      }
    }
    return all;
  }

  private static String hex(SecureRandom random, int bytes) {
    byte[] value = new byte[bytes];
    random.nextBytes(value);
    return HEX.formatHex(value);
  }
}
