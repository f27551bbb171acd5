package io.arexport.lakehouse;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import io.arexport.RuntimeFailureException;
import io.arexport.StateConflictException;
import io.arexport.catalog.CatalogSpec;
import io.arexport.schema.ExportTable;
import io.arexport.sync.Coverage;
import io.arexport.sync.CoverageRecord;
import io.arexport.sync.CoverageStore;
import io.arexport.sync.ExportSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.TreeMap;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Which heights the catalog tables hold: the union over the three tables of the partitions of
 * the live data files of each table's current snapshot (a partition is published to all three
 * tables in one run, so a data file of any table proves its partition was exported). Read from
 * the manifests only, never from data files. A partition without rows in any table leaves no
 * file; only a record says it was exported: {@link #record} keeps the recorded heights and L1
 * flags in the {@value #PROPERTY} property of the blocks table (a JSON document), so every
 * engine and every arexport host sees the same record through the catalog. The property is set
 * after the export of a range succeeded; a concurrent record that Iceberg's retry overwrites
 * (it re-applies our value on the fresh metadata) only loses a claim, costing a redundant
 * re-export, never a row.
 */
public final class CatalogCoverage implements CoverageStore {
  /** The blocks table property holding the recorded coverage. */
  public static final String PROPERTY = "arexport.exported-heights";
  /** What the live data files of one partition of one table add up to (manifest metadata). */
  public record PartitionFiles(long files, long rows, long bytes) {
    PartitionFiles plus(DataFile file) {
      return new PartitionFiles(files + 1, rows + file.recordCount(),
          bytes + file.fileSizeInBytes());
    }
  }

  private final CatalogTables catalog;

  public CatalogCoverage(CatalogTables catalog) {
    this.catalog = catalog;
  }

  /**
   * The coverage of {@code spec}'s tables for {@code sync}, opening the catalog for each call and
   * closing it again: no connection stays idle between the publisher's commits (an idle SQLite
   * connection makes a JdbcCatalog commit fail with SQLITE_BUSY), and an unreachable catalog
   * fails only the call (a runtime failure that {@code sync --watch} retries). It does not repeat
   * the SQLite single-writer warning: the publisher gives it once per export.
   */
  public static CoverageStore opening(CatalogSpec spec) {
    return new CoverageStore() {
      @Override
      public Coverage covered() {
        try (CatalogTables catalog = CatalogTables.open(spec, false)) {
          return new CatalogCoverage(catalog).covered();
        }
      }

      @Override
      public long rows(ExportTable table, HeightRange partition) {
        try (CatalogTables catalog = CatalogTables.open(spec, false)) {
          return new CatalogCoverage(catalog).rows(table, partition);
        }
      }

      @Override
      public Optional<ExportSettings> recordedSettings() {
        try (CatalogTables catalog = CatalogTables.open(spec, false)) {
          return new CatalogCoverage(catalog).recordedSettings();
        }
      }

      @Override
      public void record(HeightRange exported, ExportSettings settings) {
        try (CatalogTables catalog = CatalogTables.open(spec, false)) {
          new CatalogCoverage(catalog).record(exported, settings);
        }
      }

      @Override
      public String describe() {
        return spec.describe();
      }

      @Override
      public String resetHint() {
        return "remove the " + PROPERTY + " property of table " + spec.namespace() + "."
            + ExportTable.BLOCKS.tableName();
      }
    };
  }

  /**
   * The heights the catalog's tables hold: what their live files show as exported ({@link
   * CatalogSide#exportedHeights}) plus the record.
   */
  @Override
  public Coverage covered() {
    List<HeightRange> ranges = new ArrayList<>();
    catalog.existing().forEach((exportTable, table) ->
        ranges.addAll(liveFiles(exportTable, table).exported()));
    return Coverage.of(ranges).plus(recorded());
  }

  /**
   * The rows of the live data files inside {@code partition} (from the manifests), planned with
   * the partition's height filter, so Iceberg reads only the manifests that can hold them.
   */
  @Override
  public long rows(ExportTable exportTable, HeightRange partition) {
    return catalog.find(exportTable)
        .map(table -> partitions(exportTable, table, CatalogPublisher.heights(partition))
            .entrySet().stream()
            .filter(e -> e.getKey() != null && partition.contains(e.getKey()))
            .mapToLong(e -> e.getValue().rows()).sum())
        .orElse(0L);
  }

  /** The recorded heights alone; empty without a record. */
  public Coverage recorded() {
    return read().map(CoverageRecord::heights).orElse(Coverage.EMPTY);
  }

  @Override
  public Optional<ExportSettings> recordedSettings() {
    return read().map(CoverageRecord::settings);
  }

  @Override
  public void record(HeightRange exported, ExportSettings settings) {
    Table blocks = catalog.find(ExportTable.BLOCKS).orElseThrow(() ->
        new StateConflictException("cannot record exported heights: no table "
            + catalog.identifier(ExportTable.BLOCKS) + " in " + catalog.spec().describe()));
    CoverageRecord next = CoverageRecord.after(recorded(), exported, settings);
    try {
      blocks.updateProperties().set(PROPERTY, next.json(false)).commit();
    } catch (RuntimeException e) {
      throw CatalogTables.failure("cannot record exported heights in "
          + catalog.identifier(ExportTable.BLOCKS) + " of", catalog.spec(), e);
    }
  }

  /** The catalog destination, as {@code status} names it (no secret). */
  @Override
  public String describe() {
    return catalog.spec().describe();
  }

  @Override
  public String resetHint() {
    return "remove the " + PROPERTY + " property of table "
        + catalog.identifier(ExportTable.BLOCKS);
  }

  private Optional<CoverageRecord> read() {
    Optional<String> value = catalog.find(ExportTable.BLOCKS)
        .map(t -> t.properties().get(PROPERTY));
    if (value.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(CoverageRecord.parse(value.get()));
    } catch (JsonProcessingException | IllegalArgumentException | InvalidInputException e) {
      throw new StateConflictException("cannot read the " + PROPERTY + " property of "
          + catalog.identifier(ExportTable.BLOCKS) + " (corrupt?): "
          + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
          + "; remove it to fall back to the tables' data files", e);
    }
  }

  /**
   * What the live data files of a table's current snapshot show, from one reading of its
   * manifests.
   *
   * @param partitions the files by partition (see {@link CatalogSide#partitionOf}); files whose
   *     partition is unknown (no {@code height=S-E} directory, no partition value, no height
   *     bounds) under {@code null}
   * @param exported the heights they show as exported ({@link CatalogSide#exportedHeights})
   */
  public record LiveFiles(Map<HeightRange, PartitionFiles> partitions,
      List<HeightRange> exported) {}

  public static LiveFiles liveFiles(ExportTable exportTable, Table table) {
    Map<HeightRange, PartitionFiles> partitions = byPartition();
    List<HeightRange> exported = new ArrayList<>();
    forEachLiveFile(table, Expressions.alwaysTrue(), file -> {
      add(partitions, CatalogSide.partitionOf(exportTable, table, file), file);
      HeightRange heights = CatalogSide.exportedHeights(exportTable, table, file);
      if (heights != null) {
        exported.add(heights);
      }
    });
    return new LiveFiles(partitions, exported);
  }

  private static Map<HeightRange, PartitionFiles> partitions(ExportTable exportTable,
      Table table, Expression filter) {
    Map<HeightRange, PartitionFiles> partitions = byPartition();
    forEachLiveFile(table, filter,
        file -> add(partitions, CatalogSide.partitionOf(exportTable, table, file), file));
    return partitions;
  }

  private static Map<HeightRange, PartitionFiles> byPartition() {
    return new TreeMap<>(Comparator.nullsLast(
        Comparator.comparingLong(HeightRange::start).thenComparingLong(HeightRange::end)));
  }

  private static void add(Map<HeightRange, PartitionFiles> partitions, HeightRange partition,
      DataFile file) {
    partitions.merge(partition, new PartitionFiles(0, 0, 0).plus(file),
        (a, b) -> new PartitionFiles(a.files() + b.files(), a.rows() + b.rows(),
            a.bytes() + b.bytes()));
  }

  /** Each live data file of the table's current snapshot that {@code filter} may match. */
  private static void forEachLiveFile(Table table, Expression filter, Consumer<DataFile> action) {
    Snapshot snapshot = table.currentSnapshot();
    if (snapshot == null) {
      return;
    }
    try (CloseableIterable<FileScanTask> tasks = table.newScan()
        .useSnapshot(snapshot.snapshotId()).filter(filter).includeColumnStats().planFiles()) {
      for (FileScanTask task : tasks) {
        action.accept(task.file());
      }
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot read the current snapshot of " + table.name()
          + ": " + e.getMessage(), e);
    }
  }
}
