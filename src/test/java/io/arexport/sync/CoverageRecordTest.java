package io.arexport.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arexport.HeightRange;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The record of synced heights, in the one JSON form the directory file and a catalog share. */
class CoverageRecordTest {

  @Test
  void aRecordWrittenByAnEarlierVersionStillReads() throws JsonProcessingException {
    // Version 1 as the stores wrote it before they shared this class, plus a field from a later one.
    CoverageRecord read = CoverageRecord.parse("{\"formatVersion\":1,"
        + "\"includeL1Transactions\":true,\"includeL1Tags\":false,"
        + "\"ranges\":[{\"start\":0,\"end\":999},{\"start\":2000,\"end\":2499}],\"later\":7}");

    assertThat(read.heights().ranges())
        .containsExactly(new HeightRange(0, 999), new HeightRange(2000, 2499));
    // Written before the partition size was recorded: any size continues it.
    assertThat(read.settings())
        .isEqualTo(new ExportSettings(true, false, ExportSettings.UNRECORDED));
    assertThat(read.settings().admits(new ExportSettings(true, false, 500))).isTrue();
    assertThat(read.settings().admits(new ExportSettings(false, false, 500))).isFalse();
  }

  @Test
  void theRecordedPartitionSizeAdmitsOnlyItself() throws JsonProcessingException {
    CoverageRecord read = CoverageRecord.parse("{\"formatVersion\":1,"
        + "\"includeL1Transactions\":false,\"includeL1Tags\":false,"
        + "\"heightPartitionSize\":1000,\"ranges\":[{\"start\":0,\"end\":1499}]}");

    assertThat(read.settings().admits(new ExportSettings(false, false, 1000))).isTrue();
    assertThat(read.settings().differences(new ExportSettings(false, false, 500)))
        .isEqualTo("--heightPartitionSize 1000 (this run: 500)");
    assertThat(read.settings().differences(new ExportSettings(true, false, 500)))
        .isEqualTo("no L1 flags (this run: --includeL1Transactions) and"
            + " --heightPartitionSize 1000 (this run: 500)");
  }

  @Test
  void anExportMergesIntoTheRecordAndBothFormsRoundTrip() throws Exception {
    CoverageRecord before = new CoverageRecord(
        Coverage.of(List.of(new HeightRange(0, 999))), new ExportSettings(false, false, 1000));
    CoverageRecord after = CoverageRecord.after(before.heights(), new HeightRange(1000, 1999),
        new ExportSettings(true, true, 1000));

    assertThat(after.heights().ranges()).containsExactly(new HeightRange(0, 1999));
    assertThat(after.settings()).isEqualTo(new ExportSettings(true, true, 1000));
    for (boolean indented : new boolean[] {false, true}) {
      String json = after.json(indented);
      assertThat(CoverageRecord.parse(json)).isEqualTo(after);
      JsonNode tree = new ObjectMapper().readTree(json);
      assertThat(tree.get("formatVersion").asInt()).isEqualTo(1);
      assertThat(tree.get("ranges").get(0).get("end").asLong()).isEqualTo(1999);
      assertThat(tree.get("heightPartitionSize").asLong()).isEqualTo(1000);
      assertThat(json.contains("\n")).isEqualTo(indented);
    }
  }

  @Test
  void somethingElseIsNotARecord() {
    assertThatThrownBy(() -> CoverageRecord.parse("{")).isInstanceOf(JsonProcessingException.class);
    assertThatThrownBy(() -> CoverageRecord.parse("{\"formatVersion\":1}"))
        .hasMessageContaining("ranges");
  }
}
