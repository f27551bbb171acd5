package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.status.WarehouseStatus;
import io.arexport.status.WarehouseStatus.CoverageStatus;
import io.arexport.status.WarehouseStatus.IcebergStatus;
import io.arexport.status.WarehouseStatus.LockStatus;
import io.arexport.status.WarehouseStatus.Range;
import io.arexport.status.WarehouseStatus.SourceStatus;
import io.arexport.status.WarehouseStatus.TableStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The text of {@code status} in both modes, from a status value: what is said of the lock, the
 * coverage's origin and the directory's state files depends on the mode, not on which values
 * happen to be null (a catalog has no lock; a directory's unreadable record is a null count).
 */
class StatusTextTest {
  private static WarehouseStatus status(WarehouseStatus.Mode mode, LockStatus lock,
      Integer replaced, long snapshotRows) {
    Map<String, TableStatus> tables = new LinkedHashMap<>();
    tables.put("blocks", new TableStatus(2, 2, 100, 4096, List.of(new Range(100, 199)),
        List.of(), new IcebergStatus(3, 42L, "2026-12-07T00:00:00Z", 3, snapshotRows, null,
            null)));
    return new WarehouseStatus(mode, "/srv/wh", "2026-12-07T00:00:00Z",
        new CoverageStatus(List.of(new Range(100, 199)), List.of(), 100L, 199L, false, null,
            null),
        new SourceStatus(true, "/c.db", "/b.db", 100L, 249L, 50L, null), tables, List.of(),
        lock, false, replaced, null, "/srv/staging");
  }

  private static List<String> print(WarehouseStatus status) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StatusCommand.print(status, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void aCatalogHasNoLockAndNoDirectoryStateWhateverItsValues() {
    // Rows that differ from the snapshot's and no count of replaced files: in a directory these
    // are things to act on, in a catalog they mean nothing.
    List<String> lines = print(status(WarehouseStatus.Mode.CATALOG, null, null, 90));

    assertThat(lines).contains("  heights:  100-199 (from the tables' live data files)",
        "  lock:     none (catalog commits are optimistic)");
    assertThat(String.join("\n", lines)).doesNotContain("snapshot lists")
        .doesNotContain("replaced-files.json").doesNotContain("partition directories");
  }

  @Test
  void aDirectorySaysWhereItsCoverageComesFromAndWhatAwaitsACommit() {
    List<String> lines = print(status(WarehouseStatus.Mode.DIRECTORY,
        new LockStatus(false, false, null), null, 90));

    assertThat(lines).contains("  heights:  100-199 (from partition directories; no sync record)",
        "  lock:     free");
    String text = String.join("\n", lines);
    assertThat(text).contains("snapshot lists 90 rows, the partition directories 100")
        .contains("the record of replaced files (.arexport/replaced-files.json) is unreadable");
  }
}
