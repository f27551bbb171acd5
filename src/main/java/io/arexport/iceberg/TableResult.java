package io.arexport.iceberg;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What one run did to one table's Iceberg metadata.
 *
 * @param action {@code created} (first version), {@code committed} (a new snapshot), {@code
 *     relocated} (a new history under another datasets root), or {@code unchanged} (no new version)
 * @param version the current {@code vN.metadata.json} after the run
 * @param metadataFile its location, as readers open it ({@code <root>/<table>/metadata/vN...})
 * @param snapshotId the current snapshot, null when the table has none
 * @param addedFiles data files the new snapshot added
 * @param removedFiles data files it removed (replaced by a re-export, or gone from disk)
 * @param deletedReplacedFiles replaced files deleted from disk after the commit
 * @param dataFiles data files in the current snapshot
 * @param records rows in the current snapshot
 * @param partitionSpecs partition specs in the metadata (more than one after P changed)
 */
public record TableResult(String table, Action action, int version, String metadataFile,
    Long snapshotId, int addedFiles, int removedFiles, int deletedReplacedFiles, long dataFiles,
    long records, int partitionSpecs) {

  /** What the run did; lower case in the summary and its JSON. */
  public enum Action {
    CREATED, COMMITTED, RELOCATED, UNCHANGED;

    @JsonValue
    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public boolean changed() {
    return action != Action.UNCHANGED;
  }
}
