package io.arexport.parquet;

import org.apache.parquet.column.values.bloomfilter.BlockSplitBloomFilter;
import org.apache.parquet.io.api.Binary;

/**
 * The bloom filter of one column chunk whose number of distinct values is not known beforehand
 * ({@code tags.tag_value}): the values' hashes are counted exactly while the chunk is written,
 * and the filter is made at the end, sized for that count as parquet-java sizes a filter for a
 * given number of distinct values ({@link BlockSplitBloomFilter#optimalNumOfBits}, the same hash
 * and algorithm), each distinct hash inserted once.
 *
 * <p>Why not parquet-java's adaptive filter: it inserts every value into each of its candidate
 * filters (five, from 1 MiB down to 64 KiB) and probes the largest one to estimate the count,
 * six random memory accesses per value across 2 MiB of filters, about three times what this one
 * costs (docs/performance.md). Here a value costs one probe of a hash set, and the filter is never
 * larger than the count needs (the adaptive one is at least its smallest candidate).
 *
 * <p>Memory stays bounded: once the count reaches the size at which the filter is {@code
 * maxBytes} anyway, the set is replaced by that filter and later hashes go straight into it.
 */
final class CountedBloomFilter implements ChunkBloomFilter {
  private static final int INITIAL_SLOTS = 1 << 12;

  private final double fpp;
  private final int maxBytes;
  /** The count from which the filter has {@code maxBytes}: no set is kept beyond it. */
  private final long saturationCount;
  // Any filter hashes a value the same way (XXH64, seed 0); this one only hashes.
  private final BlockSplitBloomFilter hasher = new BlockSplitBloomFilter(32);
  private Binary last;
  // Open addressing, linear probing; 0 marks an empty slot, so the hash 0 is tracked apart.
  private long[] slots = new long[INITIAL_SLOTS];
  private int size;
  private boolean hasZero;
  private BlockSplitBloomFilter saturated;

  CountedBloomFilter(double fpp, int maxBytes) {
    this.fpp = fpp;
    this.maxBytes = maxBytes;
    this.saturationCount = saturationCount(fpp, maxBytes);
  }

  /** The smallest count whose filter has {@code maxBytes} (a binary search over the count). */
  static long saturationCount(double fpp, int maxBytes) {
    long low = 1;
    long high = 1L << 32;
    while (low < high) {
      long middle = (low + high) >>> 1;
      if (BlockSplitBloomFilter.optimalNumOfBits(middle, fpp) / 8 > maxBytes / 2) {
        high = middle;
      } else {
        low = middle + 1;
      }
    }
    return low;
  }

  @Override
  public void add(Binary value) {
    if (!value.equals(last)) {
      addHash(hasher.hash(value));
      last = value;
    }
  }

  /** Adds the hash of one value ({@link BlockSplitBloomFilter#hash}). */
  void addHash(long hash) {
    if (saturated != null) {
      saturated.insertHash(hash);
      return;
    }
    if (hash == 0) {
      if (!hasZero) {
        hasZero = true;
        grown();
      }
      return;
    }
    int mask = slots.length - 1;
    int i = spread(hash) & mask;
    while (slots[i] != 0) {
      if (slots[i] == hash) {
        return;
      }
      i = (i + 1) & mask;
    }
    slots[i] = hash;
    size++;
    grown();
  }

  /** How many distinct hashes were added. */
  long distinct() {
    return size + (hasZero ? 1 : 0);
  }

  private void grown() {
    if (distinct() >= saturationCount) {
      saturated = filterOf(saturationCount);
      insertAll(saturated);
      slots = null;
    } else if (size * 2L > slots.length) {
      rehash(slots.length * 2);
    }
  }

  private void rehash(int length) {
    long[] old = slots;
    slots = new long[length];
    int mask = length - 1;
    for (long hash : old) {
      if (hash != 0) {
        int i = spread(hash) & mask;
        while (slots[i] != 0) {
          i = (i + 1) & mask;
        }
        slots[i] = hash;
      }
    }
  }

  /** The filter of the hashes added so far. */
  @Override
  public BlockSplitBloomFilter finish() {
    if (saturated != null) {
      return saturated;
    }
    BlockSplitBloomFilter filter = filterOf(distinct());
    insertAll(filter);
    return filter;
  }

  private BlockSplitBloomFilter filterOf(long distinct) {
    return new BlockSplitBloomFilter(
        BlockSplitBloomFilter.optimalNumOfBits(Math.max(1, distinct), fpp) / 8, maxBytes);
  }

  private void insertAll(BlockSplitBloomFilter filter) {
    if (hasZero) {
      filter.insertHash(0);
    }
    for (long hash : slots) {
      if (hash != 0) {
        filter.insertHash(hash);
      }
    }
  }

  // The bloom filter uses the hash's bits; the set takes its slot from a mix of all of them.
  private static int spread(long hash) {
    long h = hash * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 32);
  }
}
