package io.arexport.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.schema.ExportTable;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.parquet.column.values.bloomfilter.BlockSplitBloomFilter;
import org.apache.parquet.column.values.bloomfilter.BloomFilter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.api.Binary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bloom filters the writer fills itself (a run of equal values inserted once) are bit for bit
 * the filters parquet-java makes when it inserts every value: {@code tags.id}'s sized from the
 * distinct-value hint, {@code tags.tag_value}'s from each row group's distinct values; same hash,
 * every value of every row group found. Several row groups (a
 * small row-group size) check that each group gets a filter of its own ids only.
 */
class FilledBloomFilterTest {
  @Test
  void filterOfEachRowGroupEqualsParquetJavasOwn(@TempDir Path dir) throws Exception {
    Random random = new Random(8);
    HeightRange partition = new HeightRange(0, 99);
    long distinct = 20_000;
    PartitionFileWriter writer = new PartitionFileWriter(ExportTable.TAGS, partition, dir, "job",
        100, 1_000_000, Compression.ZSTD, 1L << 20, distinct);
    List<byte[]> rowIds = new ArrayList<>();
    for (int item = 0; item < 15_000; item++) {
      byte[] id = new byte[32];
      random.nextBytes(id);
      // Ascending ids (the writer checks the contract's order): the item number leads.
      ByteBuffer.wrap(id).putInt(item);
      int tags = 1 + random.nextInt(6);
      for (int t = 0; t < tags; t++) {
        writer.add(tag(id, item, t, ("value" + random.nextInt(5000)).getBytes()));
        rowIds.add(id);
      }
    }
    List<StagedFile> files = writer.finish();
    assertThat(files).hasSize(1);

    int groups = 0;
    int row = 0;
    try (ParquetFileReader reader =
        ParquetFileReader.open(new LocalInputFile(files.get(0).path()))) {
      for (BlockMetaData block : reader.getFooter().getBlocks()) {
        BloomFilter written = chunkFilter(reader, block, "id");
        assertThat(written).isNotNull();
        // parquet-java's filter for the same column chunk: sized from the hint, every value.
        BlockSplitBloomFilter expected = new BlockSplitBloomFilter(
            BlockSplitBloomFilter.optimalNumOfBits(distinct, ColumnLayout.BLOOM_FILTER_FPP) / 8,
            ColumnLayout.MAX_BLOOM_FILTER_BYTES);
        for (long i = 0; i < block.getRowCount(); i++, row++) {
          Binary id = Binary.fromConstantByteArray(rowIds.get(row));
          expected.insertHash(expected.hash(id));
          assertThat(written.findHash(written.hash(id))).isTrue();
        }
        assertThat(bytes(written)).isEqualTo(bytes(expected));
        groups++;
      }
    }
    assertThat(row).isEqualTo(rowIds.size());
    assertThat(groups).as("row groups").isGreaterThan(1);
  }

  /**
   * {@code tags.tag_value} has no bound on its distinct values: the writer counts them per row
   * group, and the filter is parquet-java's for that exact count with every value inserted.
   */
  @Test
  void tagValueFilterIsSizedForEachRowGroupsDistinctValues(@TempDir Path dir) throws Exception {
    Random random = new Random(9);
    PartitionFileWriter writer = new PartitionFileWriter(ExportTable.TAGS, new HeightRange(0, 99),
        dir, "job", 100, 1_000_000, Compression.ZSTD, 3L << 20, 30_000);
    List<byte[]> rowValues = new ArrayList<>();
    for (int item = 0; item < 30_000; item++) {
      byte[] id = new byte[32];
      random.nextBytes(id);
      ByteBuffer.wrap(id).putInt(item);
      for (int t = 0; t < 4; t++) {
        // Mostly distinct and long, so each row group's values outgrow the 2 MiB dictionary
        // page and the chunk keeps its filter (parquet-java drops the filter of a chunk whose
        // pages are all dictionary-encoded); every item's fourth tag takes one of 50 values.
        byte[] value = ("value-" + random.nextInt(t == 3 ? 50 : 100_000_000) + "-"
            + "x".repeat(60 + random.nextInt(40))).getBytes();
        writer.add(tag(id, item, t, value));
        rowValues.add(value);
      }
    }
    List<StagedFile> files = writer.finish();

    int groups = 0;
    int row = 0;
    try (ParquetFileReader reader =
        ParquetFileReader.open(new LocalInputFile(files.get(0).path()))) {
      for (BlockMetaData block : reader.getFooter().getBlocks()) {
        BloomFilter written = chunkFilter(reader, block, "tag_value");
        assertThat(written).as("filter of row group %d", groups).isNotNull();
        List<Binary> values = new ArrayList<>();
        for (long i = 0; i < block.getRowCount(); i++, row++) {
          values.add(Binary.fromConstantByteArray(rowValues.get(row)));
        }
        long distinct = values.stream().distinct().count();
        BlockSplitBloomFilter expected = new BlockSplitBloomFilter(
            BlockSplitBloomFilter.optimalNumOfBits(distinct, ColumnLayout.BLOOM_FILTER_FPP) / 8,
            ColumnLayout.MAX_BLOOM_FILTER_BYTES);
        for (Binary value : values) {
          expected.insertHash(expected.hash(value));
          assertThat(written.findHash(written.hash(value))).isTrue();
        }
        assertThat(bytes(written)).isEqualTo(bytes(expected));
        groups++;
      }
    }
    assertThat(row).isEqualTo(rowValues.size());
    assertThat(groups).as("row groups").isGreaterThan(1);
  }

  private static Record tag(byte[] id, int item, int tagIndex, byte[] value) {
    Record r = GenericRecord.create(ExportTable.TAGS.schema());
    r.set(0, 7L);
    r.set(1, ByteBuffer.wrap(id));
    r.set(2, tagIndex);
    r.set(3, 1000L + item);
    r.set(4, ByteBuffer.wrap(("name" + tagIndex).getBytes()));
    r.set(5, ByteBuffer.wrap(value));
    r.set(6, true);
    return r;
  }

  /** The filter parquet-java's reader finds for one column chunk, or null. */
  private static BloomFilter chunkFilter(ParquetFileReader reader, BlockMetaData block,
      String column) throws java.io.IOException {
    ColumnChunkMetaData chunk = block.getColumns().stream()
        .filter(c -> c.getPath().toDotString().equals(column)).findFirst().orElseThrow();
    return reader.readBloomFilter(chunk);
  }

  private static byte[] bytes(BloomFilter filter) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    filter.writeTo(out);
    return out.toByteArray();
  }
}
