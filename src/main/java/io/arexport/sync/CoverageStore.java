package io.arexport.sync;

import io.arexport.HeightRange;
import io.arexport.schema.ExportTable;
import java.util.Optional;

/**
 * Where {@link Syncer} and {@code status} learn which heights a warehouse holds, and where a sync
 * records what it exported. The directory warehouse implements it with its partition directories
 * plus a small record ({@link DirectoryCoverageStore}); a catalog warehouse can implement it with
 * its table's partitions and snapshot properties.
 */
public interface CoverageStore {
  /** The heights the warehouse holds. */
  Coverage covered();

  /**
   * The rows of {@code table} the warehouse holds in the partitions lying inside {@code
   * partition} (0 when it has none): from Parquet footers or the manifests, never from data.
   */
  long rows(ExportTable table, HeightRange partition);

  /** The settings the recorded heights were exported with; empty when nothing is recorded. */
  Optional<ExportSettings> recordedSettings();

  /**
   * Records that every stable source row in {@code exported} is now in the warehouse, exported
   * with {@code settings}. Called only after the export of that range succeeded; a record that is
   * lost (crash before this call) costs a redundant re-export, never a row.
   */
  void record(HeightRange exported, ExportSettings settings);

  /** The warehouse, for messages and the summary's {@code warehouse} (never a secret). */
  String describe();

  /** What an operator does to drop the record (after re-exporting with other settings). */
  String resetHint();

  /**
   * Fails with a {@link io.arexport.warehouse.WarehouseLockedException} when another writer
   * holds the warehouse, before a cycle plans anything. A catalog has no lock (its commits are
   * atomic and conflict-checked), so by default there is nothing to check.
   */
  default void checkNoWriter() {}

  /**
   * Completes or undoes a partition commit that a crash interrupted, before {@link #covered()}
   * is read: a half-published partition would otherwise count as exported and be planned past.
   * A catalog commit is atomic, so by default there is nothing to do.
   */
  default void recoverInterruptedCommit() {}
}
