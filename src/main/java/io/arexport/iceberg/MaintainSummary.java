package io.arexport.iceberg;

import io.arexport.ArexportException;
import java.util.List;
import java.util.Map;

/**
 * The result of {@code arexport maintain}, printed on stdout (text or {@code --json}).
 *
 * @param tables per table: what expiry, manifest rewrite and orphan removal did, and the version
 *     its metadata is at afterwards
 * @param failedTables the tables whose maintenance failed (the run then exits non-zero, after
 *     printing this summary of what the other tables' maintenance did)
 */
public record MaintainSummary(String warehouse, List<Table> tables,
    List<TableFailure> failedTables, long durationMillis) {

  /** One table's maintenance and the metadata version it left. */
  public record Table(String table, int version, String metadataFile, int expiredSnapshots,
      int deletedFiles, int rewrittenManifests, int orphanFilesDeleted, int orphanFilesKept,
      int snapshots, int metadataFiles) {}

  /**
   * The summary of a run over every table: returned when each table's maintenance succeeded,
   * else thrown inside a {@link TablesFailedException}, since one table's failure does not undo
   * (or stop) the others'.
   *
   * @param failed the failure of each table that failed, in the order the tables ran
   */
  public static MaintainSummary of(String warehouse, List<Table> done,
      Map<String, ArexportException> failed, long durationMillis) {
    MaintainSummary summary = new MaintainSummary(warehouse, List.copyOf(done),
        TableFailure.of(failed), durationMillis);
    TableFailure.throwIfAny(summary, failed, done.stream().map(Table::table).toList(),
        "maintained");
    return summary;
  }
}
