package io.arexport.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.parquet.column.values.bloomfilter.BlockSplitBloomFilter;
import org.apache.parquet.column.values.bloomfilter.BloomFilter;
import org.apache.parquet.io.api.Binary;
import org.junit.jupiter.api.Test;

/**
 * The counted filter is, bit for bit, the filter parquet-java makes for the exact number of
 * distinct values with every value inserted ({@link BlockSplitBloomFilter} built here from
 * parquet-java's own sizing), below and beyond the count at which it reaches its largest size.
 */
class CountedBloomFilterTest {
  private static final double FPP = ColumnLayout.BLOOM_FILTER_FPP;
  private static final int MAX = ColumnLayout.MAX_BLOOM_FILTER_BYTES;

  /** {@code rows} values drawn from {@code distinct}, runs of equal values included. */
  private static List<Binary> values(int rows, int distinct, long seed) {
    Random random = new Random(seed);
    List<Binary> values = new ArrayList<>();
    while (values.size() < rows) {
      Binary value = Binary.fromConstantByteArray(
          ("value-" + random.nextInt(distinct)).getBytes(StandardCharsets.UTF_8));
      for (int run = 1 + random.nextInt(3); run > 0 && values.size() < rows; run--) {
        values.add(value);
      }
    }
    return values;
  }

  private static BlockSplitBloomFilter parquetJavas(List<Binary> values) {
    Set<Binary> distinct = new LinkedHashSet<>(values);
    BlockSplitBloomFilter filter = new BlockSplitBloomFilter(
        BlockSplitBloomFilter.optimalNumOfBits(distinct.size(), FPP) / 8, MAX);
    for (Binary value : values) {
      filter.insertHash(filter.hash(value));
    }
    return filter;
  }

  private static byte[] bytes(BloomFilter filter) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    filter.writeTo(out);
    return out.toByteArray();
  }

  @Test
  void sizedForTheExactDistinctCount() throws Exception {
    for (int distinct : new int[] {1, 700, 20_000, 150_000}) {
      List<Binary> values = values(distinct * 3, distinct, distinct);
      CountedBloomFilter counted = new CountedBloomFilter(FPP, MAX);
      values.forEach(counted::add);
      BlockSplitBloomFilter expected = parquetJavas(values);

      assertThat(counted.distinct()).isEqualTo(new LinkedHashSet<>(values).size());
      BloomFilter written = counted.finish();
      assertThat(written.getBitsetSize()).as("bytes for %d values", distinct)
          .isEqualTo(expected.getBitsetSize()).isLessThan(MAX);
      assertThat(bytes(written)).isEqualTo(bytes(expected));
    }
  }

  @Test
  void beyondTheLargestSizeTheHashesGoStraightIntoIt() throws Exception {
    long saturation = CountedBloomFilter.saturationCount(FPP, MAX);
    // The boundary: one value fewer gives a smaller filter.
    assertThat(new BlockSplitBloomFilter(
        BlockSplitBloomFilter.optimalNumOfBits(saturation, FPP) / 8, MAX).getBitsetSize())
        .isEqualTo(MAX);
    assertThat(new BlockSplitBloomFilter(
        BlockSplitBloomFilter.optimalNumOfBits(saturation - 1, FPP) / 8, MAX).getBitsetSize())
        .isLessThan(MAX);

    // Every one of saturation + 50,000 values, some in runs, in a shuffled order.
    List<Binary> values = new ArrayList<>();
    for (int i = 0; i < saturation + 50_000; i++) {
      Binary value = Binary.fromConstantByteArray(
          ("value-" + i).getBytes(StandardCharsets.UTF_8));
      values.add(value);
      if (i % 3 == 0) {
        values.add(value);
      }
    }
    java.util.Collections.shuffle(values, new Random(3));
    CountedBloomFilter counted = new CountedBloomFilter(FPP, MAX);
    values.forEach(counted::add);
    BloomFilter written = counted.finish();
    BlockSplitBloomFilter expected = parquetJavas(values);
    assertThat(expected.getBitsetSize()).isEqualTo(MAX);
    assertThat(bytes(written)).isEqualTo(bytes(expected));
    for (Binary value : values) {
      assertThat(written.findHash(written.hash(value))).isTrue();
    }
  }

  @Test
  void theHashZeroIsAValueLikeAnyOther() {
    CountedBloomFilter counted = new CountedBloomFilter(FPP, MAX);
    counted.addHash(0);
    counted.addHash(0);
    counted.addHash(42);
    assertThat(counted.distinct()).isEqualTo(2);
    BloomFilter written = counted.finish();
    assertThat(written.findHash(0)).isTrue();
    assertThat(written.findHash(42)).isTrue();
  }
}
