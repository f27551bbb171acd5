package io.arexport.iceberg;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;

/** Small readings of Iceberg snapshots and locations shared by the directory and catalog modes. */
public final class Snapshots {
  private Snapshots() {}

  /** A count of the snapshot's summary ({@link SnapshotSummary}); 0 without it or a snapshot. */
  public static long summaryCount(Snapshot snapshot, String property) {
    Long count = summaryCountOrNull(snapshot, property);
    return count == null ? 0 : count;
  }

  /** The snapshot's {@code total-records}; null without it or a snapshot. */
  public static Long totalRecords(Snapshot snapshot) {
    return summaryCountOrNull(snapshot, SnapshotSummary.TOTAL_RECORDS_PROP);
  }

  /** A table location without its trailing slash, to append {@code /data/...} to. */
  public static String withoutTrailingSlash(String location) {
    return location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
  }

  private static Long summaryCountOrNull(Snapshot snapshot, String property) {
    if (snapshot == null || snapshot.summary() == null
        || snapshot.summary().get(property) == null) {
      return null;
    }
    return Long.parseLong(snapshot.summary().get(property));
  }
}
