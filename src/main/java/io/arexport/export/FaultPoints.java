package io.arexport.export;

/**
 * Named points in the export protocol at which tests stop the process (to kill it with SIGKILL
 * there). In production the no-op {@link #NONE} is used.
 */
@FunctionalInterface
public interface FaultPoints {
  FaultPoints NONE = point -> {};

  /** Called when the export reaches {@code point}. */
  void reached(String point);

  /** Staged files of a partition are written and flushed, nothing moved yet. */
  String PARTITION_STAGED = "partition-staged";
  /** A partition's files are in the warehouse, its checkpoint not yet advanced. */
  String PARTITION_MOVED = "partition-moved";
  /** The checkpoint is advanced, the commit journal not yet removed. */
  String CHECKPOINT_ADVANCED = "checkpoint-advanced";
  /** A Parquet file is being written (called every {@link Exporter#ROWS_PER_TICK} rows). */
  String MID_PARTITION = "mid-partition";
  /**
   * An Iceberg commit has written its manifests, manifest list and the new metadata under a
   * temporary name; the {@code vN.metadata.json} rename has not happened yet.
   */
  String ICEBERG_MANIFESTS_WRITTEN = "iceberg-manifests-written";
  /** Catalog mode: a table's files of a partition are uploaded, its commit not yet made. */
  String CATALOG_UPLOADED = "catalog-uploaded";
  /** Catalog mode: one table's commit of a partition landed (the next table's not yet). */
  String CATALOG_TABLE_COMMITTED = "catalog-table-committed";
}
