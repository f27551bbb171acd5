package io.arexport.verify;

import io.arexport.Cancellation;
import io.arexport.HeightRange;
import io.arexport.schema.ExportTable;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where verify reads the exported tables: a warehouse directory ({@link DirectorySide}) or the
 * tables of an Iceberg catalog (lakehouse mode). {@link Verifier} compares what a side reports,
 * partition by partition, with the source; a side reports findings of its own (unreadable files,
 * stray entries, metadata that disagrees with the files) to the consumer it was opened with.
 */
public interface WarehouseSide extends AutoCloseable {

  /** Warehouse-wide checks before the first table (e.g. an interrupted commit). */
  void beforeTables();

  /** The side of one table. */
  TableSide table(ExportTable table);

  @Override
  void close();

  /** What a partition holds. */
  record Contents(long rows, int files, Digest digest) {}

  /** One table of the warehouse. */
  interface TableSide {
    /**
     * The table's partitions that overlap {@code range}, by start height, each with the location
     * messages name it by.
     */
    List<Map.Entry<HeightRange, String>> partitions(HeightRange range);

    /** Called once before the partitions, with the heights they cover together. */
    void begin(HeightRange checked);

    /** Counts (and with {@code deep} digests) the rows of one partition. */
    Contents read(HeightRange partition, String location, boolean deep);

    /** Where a missing partition would be, for its finding. */
    String expectedLocation(HeightRange partition);

    /** How a missing partition is described: "found no partition directory". */
    String missingPartitionWording();

    /** Called once after the partitions (e.g. metadata entries no partition accounted for). */
    void end();
  }

  /** Opens the side a request names. */
  @FunctionalInterface
  interface Opener {
    WarehouseSide open(VerifyRequest request, Consumer<Finding> findings,
        Cancellation cancellation);
  }
}
