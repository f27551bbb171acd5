package io.arexport.parquet;

import org.apache.parquet.column.values.bloomfilter.BlockSplitBloomFilter;
import org.apache.parquet.column.values.bloomfilter.BloomFilter;
import org.apache.parquet.io.api.Binary;

/**
 * The bloom filter of one column chunk, filled by {@link FlatParquetWriter} rather than
 * parquet-java: a run of equal values (an id repeated on each of its tags) is hashed once.
 */
interface ChunkBloomFilter {
  /** Adds one value of the chunk. */
  void add(Binary value);

  /** The filter of the values added, to be written with the chunk. */
  BloomFilter finish();

  /** A filter whose size is known before the chunk is written (from a distinct-value bound). */
  static ChunkBloomFilter sized(BlockSplitBloomFilter filter) {
    return new ChunkBloomFilter() {
      private Binary last;

      @Override
      public void add(Binary value) {
        if (!value.equals(last)) {
          filter.insertHash(filter.hash(value));
          last = value;
        }
      }

      @Override
      public BloomFilter finish() {
        return filter;
      }
    };
  }
}
