package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.export.ExportSummary;
import io.arexport.export.TableCounts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SummaryTextTest {
  @Test
  void countsOfOneAreSingularAndTheColumnsStayAligned() {
    Map<String, TableCounts> tables = new LinkedHashMap<>();
    tables.put("blocks", new TableCounts(1, 1, 900));
    tables.put("transactions", new TableCounts(1_234, 2, 5_000));
    tables.put("tags", new TableCounts(0, 0, 0));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    SummaryText.print(new ExportSummary("job", false, 100, 149, 1, tables, 0, 1_500,
        "/srv/warehouse", false), new PrintStream(bytes, true, StandardCharsets.UTF_8));

    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines[0]).isEqualTo("exported heights 100-149 (1 partition) into /srv/warehouse"
        + " in 1.5 s");
    assertThat(lines[1]).matches("  blocks +1 row +1 file +900 B");
    assertThat(lines[2]).matches("  transactions +1,234 rows +2 files +4\\.9 KiB");
    assertThat(lines[3]).matches("  tags +0 rows +0 files +0 B");
    assertThat(lines[1]).as("aligned").hasSameSizeAs(lines[2]).hasSameSizeAs(lines[3]);
    assertThat(lines[1].indexOf(" file")).isEqualTo(lines[2].indexOf(" files"));
  }
}
