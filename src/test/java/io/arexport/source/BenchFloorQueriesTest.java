package io.arexport.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.export.ExportRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The read floor of {@code scripts/bench-export} is the export's own SELECTs run by the sqlite3
 * CLI, so the export/floor ratio says how much the export adds to SQLite's own work. The script
 * keeps its copy of the queries with the range inlined; this test fails when the two drift apart
 * (they did once: the floor kept joining the tag dictionaries after the export stopped doing so).
 */
final class BenchFloorQueriesTest {
  @Test
  void theBenchmarksFloorRunsExactlyTheExportsSourceQueries() throws IOException {
    List<String> floor = Files.readAllLines(Path.of("scripts/bench-export")).stream()
        .filter(line -> line.startsWith("SELECT "))
        .map(line -> line.replace("BETWEEN 0 AND $end", "BETWEEN ? AND ?")
            .replace("$owner", PartitionReader.OWNER_KEY)
            .replaceAll(";\"?$", ""))
        .collect(Collectors.toList());

    assertThat(floor).containsExactlyInAnyOrder(
        PartitionReader.BLOCKS_SQL,
        PartitionReader.L1_TRANSACTIONS_SQL,
        PartitionReader.L1_TAGS_SQL,
        PartitionReader.DATA_ITEMS_SQL,
        PartitionReader.DATA_ITEM_TAGS_SQL);
  }

  /** The partitioned DuckDB peer cuts the job as the export does by default, or it is not a peer. */
  @Test
  void theBenchmarksPartitionedPeerUsesTheExportsDefaultPartitionSize() throws IOException {
    List<String> settings = Files.readAllLines(Path.of("scripts/bench-export")).stream()
        .filter(line -> line.startsWith("partition_size="))
        .collect(Collectors.toList());

    assertThat(settings)
        .containsExactly("partition_size=" + ExportRequest.DEFAULT_HEIGHT_PARTITION_SIZE);
  }
}
