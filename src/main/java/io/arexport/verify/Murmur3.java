package io.arexport.verify;

/**
 * MurmurHash3 x64 128-bit (Austin Appleby's reference {@code MurmurHash3_x64_128}), the per-row
 * hash of {@link RowDigester}. Not cryptographic: it detects corruption and loss, not an attacker
 * who crafts colliding rows. Checked against Guava's {@code Hashing.murmur3_128} by the tests.
 */
final class Murmur3 {
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;

  private Murmur3() {}

  /** Hashes {@code data[0..length)}; writes h1 to {@code out[0]} and h2 to {@code out[1]}. */
  static void hash128(byte[] data, int length, long seed, long[] out) {
    long h1 = seed;
    long h2 = seed;
    int blocks = length >>> 4;
    for (int i = 0; i < blocks; i++) {
      long k1 = littleEndianLong(data, i << 4);
      long k2 = littleEndianLong(data, (i << 4) + 8);
      k1 *= C1;
      k1 = Long.rotateLeft(k1, 31);
      k1 *= C2;
      h1 ^= k1;
      h1 = Long.rotateLeft(h1, 27);
      h1 += h2;
      h1 = h1 * 5 + 0x52dce729;
      k2 *= C2;
      k2 = Long.rotateLeft(k2, 33);
      k2 *= C1;
      h2 ^= k2;
      h2 = Long.rotateLeft(h2, 31);
      h2 += h1;
      h2 = h2 * 5 + 0x38495ab5;
    }
    int tail = blocks << 4;
    long k1 = 0;
    long k2 = 0;
    switch (length & 15) {
      case 15: k2 ^= (data[tail + 14] & 0xffL) << 48; // fall through
      case 14: k2 ^= (data[tail + 13] & 0xffL) << 40; // fall through
      case 13: k2 ^= (data[tail + 12] & 0xffL) << 32; // fall through
      case 12: k2 ^= (data[tail + 11] & 0xffL) << 24; // fall through
      case 11: k2 ^= (data[tail + 10] & 0xffL) << 16; // fall through
      case 10: k2 ^= (data[tail + 9] & 0xffL) << 8; // fall through
      case 9:
        k2 ^= data[tail + 8] & 0xffL;
        k2 *= C2;
        k2 = Long.rotateLeft(k2, 33);
        k2 *= C1;
        h2 ^= k2;
        // fall through
      case 8: k1 ^= (data[tail + 7] & 0xffL) << 56; // fall through
      case 7: k1 ^= (data[tail + 6] & 0xffL) << 48; // fall through
      case 6: k1 ^= (data[tail + 5] & 0xffL) << 40; // fall through
      case 5: k1 ^= (data[tail + 4] & 0xffL) << 32; // fall through
      case 4: k1 ^= (data[tail + 3] & 0xffL) << 24; // fall through
      case 3: k1 ^= (data[tail + 2] & 0xffL) << 16; // fall through
      case 2: k1 ^= (data[tail + 1] & 0xffL) << 8; // fall through
      case 1:
        k1 ^= data[tail] & 0xffL;
        k1 *= C1;
        k1 = Long.rotateLeft(k1, 31);
        k1 *= C2;
        h1 ^= k1;
        break;
      default:
        break;
    }
    h1 ^= length;
    h2 ^= length;
    h1 += h2;
    h2 += h1;
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 += h2;
    h2 += h1;
    out[0] = h1;
    out[1] = h2;
  }

  private static long littleEndianLong(byte[] data, int offset) {
    return (data[offset] & 0xffL)
        | (data[offset + 1] & 0xffL) << 8
        | (data[offset + 2] & 0xffL) << 16
        | (data[offset + 3] & 0xffL) << 24
        | (data[offset + 4] & 0xffL) << 32
        | (data[offset + 5] & 0xffL) << 40
        | (data[offset + 6] & 0xffL) << 48
        | (data[offset + 7] & 0xffL) << 56;
  }

  private static long fmix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
