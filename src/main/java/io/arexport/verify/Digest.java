package io.arexport.verify;

/**
 * An order-independent digest of a multiset of rows: the row count, and over the 128-bit hash
 * (h1, h2) of every row, the sums of h1 and of h2 (each mod 2^64) and the XOR of h1. Sums, unlike
 * a XOR alone, change when a row is duplicated; a changed, lost or added row changes the sums
 * unless two 128-bit hashes collide. Rows may be added in any order, so the source side needs no
 * ORDER BY and the two sides need not agree on an order.
 */
public final class Digest {
  private long rows;
  private long sum1;
  private long sum2;
  private long xor;

  void add(long h1, long h2) {
    rows++;
    sum1 += h1;
    sum2 += h2;
    xor ^= h1;
  }

  public long rows() {
    return rows;
  }

  /** The digest as 48 hex digits (sum of h1, sum of h2, XOR of h1), without the count. */
  public String hex() {
    return String.format("%016x%016x%016x", sum1, sum2, xor);
  }

  /** True when both digests cover the same rows (count and all three accumulators agree). */
  boolean sameAs(Digest other) {
    return rows == other.rows && sum1 == other.sum1 && sum2 == other.sum2 && xor == other.xor;
  }

  @Override
  public String toString() {
    return rows + " rows, digest " + hex();
  }
}
