package io.arexport.lakehouse;

import io.arexport.Cancellation;
import io.arexport.HeightRange;
import io.arexport.StoppedException;
import io.arexport.catalog.Secrets;
import io.arexport.schema.ExportTable;
import io.arexport.verify.Digest;
import io.arexport.verify.Finding;
import io.arexport.verify.RowDigester;
import io.arexport.verify.VerifyRequest;
import io.arexport.verify.WarehouseSide;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;

/**
 * Verify's view of catalog tables (lakehouse mode): the live data files of each table's current
 * snapshot, grouped into partitions, counted from their metadata (the footers' record counts the
 * commit recorded) and, with {@code --deep}, read row by row through the table's own FileIO (S3,
 * local) and digested like the source.
 */
public final class CatalogSide implements WarehouseSide {
  private final CatalogTables catalog;
  private final Consumer<Finding> findings;
  private final Cancellation cancellation;

  private CatalogSide(CatalogTables catalog, Consumer<Finding> findings,
      Cancellation cancellation) {
    this.catalog = catalog;
    this.findings = findings;
    this.cancellation = cancellation;
  }

  /** The side of a catalog request's tables (a {@link WarehouseSide.Opener}). */
  public static WarehouseSide open(VerifyRequest request, Consumer<Finding> findings,
      Cancellation cancellation) {
    return new CatalogSide(CatalogTables.openExisting(request.catalog(), false), findings,
        cancellation);
  }

  @Override
  public void beforeTables() {}

  @Override
  public TableSide table(ExportTable table) {
    return new CatalogTable(table, catalog.find(table));
  }

  @Override
  public void close() {
    catalog.close();
  }

  private final class CatalogTable implements TableSide {
    private final ExportTable exportTable;
    private final Optional<Table> table;
    private final Map<HeightRange, List<DataFile>> files = new TreeMap<>(
        java.util.Comparator.comparingLong(HeightRange::start).thenComparingLong(HeightRange::end));

    CatalogTable(ExportTable exportTable, Optional<Table> table) {
      this.exportTable = exportTable;
      this.table = table;
    }

    @Override
    public List<Map.Entry<HeightRange, String>> partitions(HeightRange range) {
      List<Map.Entry<HeightRange, String>> partitions = new ArrayList<>();
      if (table.isEmpty()) {
        return partitions;
      }
      Table t = table.get();
      for (DataFile file : CatalogPublisher.liveFiles(exportTable, t, t.currentSnapshot(),
          range)) {
        HeightRange partition = partitionOf(exportTable, t, file);
        if (partition != null && partition.overlaps(range)) {
          files.computeIfAbsent(partition, k -> new ArrayList<>()).add(file);
        } else if (partition == null) {
          findings.accept(new Finding(Finding.Kind.UNEXPECTED_FILE, exportTable.tableName(),
              null, file.location(), null, file.recordCount(), file.location()
                  + " has no height bounds and no height=S-E directory: its partition is"
                  + " unknown"));
        }
      }
      reportDeletes(t, range);
      files.forEach((partition, list) -> partitions.add(Map.entry(partition,
          location(partition, list))));
      return partitions;
    }

    /**
     * Delete files (another engine's merge-on-read DELETE or UPDATE) hide rows of the data files
     * they apply to, which counting or digesting the data files cannot see: each data file in
     * the range that Iceberg's own scan planning pairs with delete files is a difference.
     */
    private void reportDeletes(Table t, HeightRange range) {
      Snapshot current = t.currentSnapshot();
      if (current == null || current.deleteManifests(t.io()).isEmpty()) {
        return;
      }
      try (CloseableIterable<FileScanTask> tasks = t.newScan().useSnapshot(current.snapshotId())
          .filter(Expressions.and(Expressions.greaterThanOrEqual("height", range.start()),
              Expressions.lessThanOrEqual("height", range.end())))
          .planFiles()) {
        for (FileScanTask task : tasks) {
          if (!task.deletes().isEmpty()) {
            HeightRange partition = partitionOf(exportTable, t, task.file());
            findings.accept(new Finding(Finding.Kind.ICEBERG_DELETES, exportTable.tableName(),
                partition == null ? null : partition.toString(), task.file().location(), null,
                null, catalog.identifier(exportTable) + " applies " + task.deletes().size()
                    + " delete file(s) to " + task.file().location() + " (another engine's"
                    + " row-level delete): its rows are not the source's; re-export "
                    + (partition == null ? "its partition" : "heights " + partition)));
          }
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public void begin(HeightRange checked) {}

    @Override
    public Contents read(HeightRange partition, String location, boolean deep) {
      List<DataFile> list = files.getOrDefault(partition, List.of());
      long rows = list.stream().mapToLong(DataFile::recordCount).sum();
      Digest digest = null;
      if (deep) {
        digest = new Digest();
        for (DataFile file : list) {
          readRows(file, digest);
        }
      }
      return new Contents(rows, list.size(), digest);
    }

    private void readRows(DataFile file, Digest digest) {
      Table t = table.orElseThrow();
      Schema schema = exportTable.schema();
      RowDigester digester = new RowDigester(exportTable);
      long read = 0;
      try (CloseableIterable<Record> rows = Parquet.read(t.io().newInputFile(file.location()))
          .project(schema)
          .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema))
          .build()) {
        for (Record row : rows) {
          if ((++read & 0xfff) == 0) {
            cancellation.stopIfRequested("while reading " + file.location());
          }
          digester.add(row, digest);
        }
      } catch (StoppedException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        findings.accept(new Finding(Finding.Kind.UNREADABLE_FILE, exportTable.tableName(),
            null, file.location(), null, null, "cannot read the rows of " + file.location()
                + " (after " + read + " rows): "
                + Secrets.scrub(CatalogTables.rootMessage(e), catalog.spec().properties(),
                    catalog.spec().uri())));
      }
    }

    @Override
    public String expectedLocation(HeightRange partition) {
      return table.map(t -> t.location() + "/data/" + partition.directoryName())
          .orElse(catalog.identifier(exportTable) + " (no such table)");
    }

    @Override
    public String missingPartitionWording() {
      return "no data file in " + catalog.identifier(exportTable) + " of " + catalog.spec()
          .describe();
    }

    @Override
    public void end() {}

    private String location(HeightRange partition, List<DataFile> list) {
      String first = list.get(0).location();
      int slash = first.lastIndexOf('/');
      return list.size() == 1 || slash < 0 ? first : first.substring(0, slash);
    }
  }

  /**
   * The heights a live file shows as exported: its partition ({@link #partitionOf}), except for
   * a file another engine wrote, whose name no longer says which heights of its partition were
   * exported: it covers its truncate partition only from its lowest to its highest height. A
   * compaction of the partial tip partition (heights 2000-2224 of {@code truncate(height,
   * 1000)}) must not claim 2225-2999, nor one of an export that began at 2100 claim 2000-2099:
   * once other heights above them are covered, nothing else would ever show them missing. (The
   * union over the three tables stays whole: blocks has a row at every height.) A file without
   * height bounds claims its whole partition, as before: an export could not replace it anyway
   * (the publisher refuses a file it cannot place), so claiming less would only make every sync
   * fail on it. Null when the partition is unknown.
   */
  static HeightRange exportedHeights(ExportTable exportTable, Table table, DataFile file) {
    HeightRange partition = partitionOf(exportTable, table, file);
    HeightRange bounds = partition == null || CatalogPublisher.directoryRange(file) != null
        ? null : CatalogPublisher.heightBounds(exportTable, file);
    if (bounds == null) {
      return partition;
    }
    long start = Math.max(partition.start(), bounds.start());
    long end = Math.min(partition.end(), bounds.end());
    return start > end ? null : new HeightRange(start, end);
  }

  /**
   * A file's partition: its directory {@code height=S-E} (files arexport wrote); else, for a file
   * another engine wrote (a compaction), the whole {@code truncate(height, P)} partition of its
   * spec; else its height bounds.
   */
  static HeightRange partitionOf(ExportTable exportTable, Table table, DataFile file) {
    HeightRange byName = CatalogPublisher.directoryRange(file);
    if (byName != null) {
      return byName;
    }
    PartitionSpec spec = table.specs().get(file.specId());
    if (spec != null && spec.fields().size() == 1
        && spec.fields().get(0).transform().toString().startsWith("truncate[")
        && file.partition().size() == 1 && file.partition().get(0, Long.class) != null) {
      String transform = spec.fields().get(0).transform().toString();
      long width = Long.parseLong(transform.substring("truncate[".length(),
          transform.length() - 1));
      long start = file.partition().get(0, Long.class);
      return new HeightRange(start, start + width - 1);
    }
    return CatalogPublisher.heightBounds(exportTable, file);
  }
}
