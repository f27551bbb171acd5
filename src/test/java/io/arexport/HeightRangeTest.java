package io.arexport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeightRangeTest {
  @Test
  void partitionsAreAlignedToMultiplesOfTheSize() {
    assertThat(new HeightRange(1_000_500, 1_002_100).alignedPartitions(1000)).containsExactly(
        new HeightRange(1_000_500, 1_000_999), new HeightRange(1_001_000, 1_001_999),
        new HeightRange(1_002_000, 1_002_100));
  }

  @Test
  void partitionSizeOneGivesOnePartitionPerHeight() {
    assertThat(new HeightRange(7, 9).alignedPartitions(1)).containsExactly(
        new HeightRange(7, 7), new HeightRange(8, 8), new HeightRange(9, 9));
  }

  @Test
  void heightsNearLongMaxDoNotOverflow() {
    long max = Long.MAX_VALUE;
    List<HeightRange> partitions = new HeightRange(max - 5, max).alignedPartitions(1000);
    assertThat(partitions).hasSize(1);
    assertThat(partitions.get(0).end()).isEqualTo(max);
    assertThat(new HeightRange(max - 1, max).alignedPartitions(1)).hasSize(2);
    assertThat(new HeightRange(0, max).alignedPartitionAt(max, max).end()).isEqualTo(max);
  }

  @Test
  void invalidRangesAreInvalidInput() {
    assertThatThrownBy(() -> new HeightRange(-1, 5)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> new HeightRange(10, 5)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("10").hasMessageContaining("5");
    assertThatThrownBy(() -> new HeightRange(0, 5).alignedPartitions(0))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void directoryNamesRoundTrip() {
    HeightRange range = new HeightRange(1_400_000, 1_400_099);
    assertThat(range.directoryName()).isEqualTo("height=1400000-1400099");
    assertThat(HeightRange.parseDirectoryName(range.directoryName())).isEqualTo(range);
    assertThat(HeightRange.parseDirectoryName("height=5-1")).isNull();
    assertThat(HeightRange.parseDirectoryName("height=x-1")).isNull();
    assertThat(HeightRange.parseDirectoryName(".tmp")).isNull();
  }

  @Test
  void onlyTheCanonicalSpellingOfARangeIsAPartitionDirectory() {
    assertThat(HeightRange.parseDirectoryName("height=01400000-1400099")).isNull();
    assertThat(HeightRange.parseDirectoryName("height=+1400000-1400099")).isNull();
    assertThat(HeightRange.parseDirectoryName("height=1400000-+1400099")).isNull();
    assertThat(HeightRange.parseDirectoryName("height=0-0")).isEqualTo(new HeightRange(0, 0));
  }
}
