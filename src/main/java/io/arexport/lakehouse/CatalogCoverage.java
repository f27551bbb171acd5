package io.arexport.lakehouse;

import io.arexport.HeightRange;
import io.arexport.RuntimeFailureException;
import io.arexport.schema.ExportTable;
import io.arexport.sync.Coverage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Which heights the catalog tables hold: the union over the three tables of the partitions of
 * the live data files of each table's current snapshot (a partition is published to all three
 * tables in one run, so a data file of any table proves its partition was exported). Read from
 * the manifests only, never from data files. This is the read half of a catalog sync's coverage
 * store; a partition without rows in any table leaves no file, so it shows as a gap until a sync
 * records it (that record, e.g. in a table property, is not written yet).
 */
public final class CatalogCoverage {
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

  /** The heights the catalog's tables hold. */
  public Coverage covered() {
    List<HeightRange> ranges = new ArrayList<>();
    catalog.existing().forEach((exportTable, table) ->
        ranges.addAll(partitions(exportTable, table).keySet()));
    return Coverage.of(ranges);
  }

  /**
   * The live data files of the table's current snapshot by partition (see {@link
   * CatalogSide#partitionOf}); files whose partition is unknown (no {@code height=S-E}
   * directory, no partition value, no height bounds) under {@code null}.
   */
  public static Map<HeightRange, PartitionFiles> partitions(ExportTable exportTable,
      Table table) {
    Map<HeightRange, PartitionFiles> partitions = new TreeMap<>(Comparator.nullsLast(
        Comparator.comparingLong(HeightRange::start).thenComparingLong(HeightRange::end)));
    Snapshot snapshot = table.currentSnapshot();
    if (snapshot == null) {
      return partitions;
    }
    try (CloseableIterable<FileScanTask> tasks = table.newScan()
        .useSnapshot(snapshot.snapshotId()).includeColumnStats().planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        HeightRange partition = CatalogSide.partitionOf(exportTable, table, file);
        partitions.merge(partition, new PartitionFiles(0, 0, 0).plus(file),
            (a, b) -> new PartitionFiles(a.files() + b.files(), a.rows() + b.rows(),
                a.bytes() + b.bytes()));
      }
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot read the current snapshot of "
          + exportTable.tableName() + ": " + e.getMessage(), e);
    }
    return partitions;
  }
}
