package io.arexport.iceberg;

import java.util.List;

/**
 * The result of {@code arexport maintain}, printed on stdout (text or {@code --json}).
 *
 * @param tables per table: what expiry, manifest rewrite and orphan removal did, and the version
 *     its metadata is at afterwards
 */
public record MaintainSummary(String warehouse, List<Table> tables, long durationMillis) {

  /** One table's maintenance and the metadata version it left. */
  public record Table(String table, int version, String metadataFile, int expiredSnapshots,
      int deletedFiles, int rewrittenManifests, int orphanFilesDeleted, int orphanFilesKept,
      int snapshots, int metadataFiles) {}
}
