package io.arexport.sync;

import io.arexport.HeightRange;

/** Receives a sync cycle's decisions; the CLI prints them on stderr. */
public interface SyncListener {
  SyncListener NONE = new SyncListener() {};

  /** The cycle starts exporting {@code heights} ({@code kind}: resume, gap or new). */
  default void exporting(SyncPlan.Kind kind, HeightRange heights, String jobId) {}

  /**
   * The export of {@code heights} failed; its staging job is kept for a resume, or, after a
   * commit race lost to another writer, dropped (the next cycle plans from the tables).
   */
  default void exportFailed(HeightRange heights, boolean jobKept) {}
}
