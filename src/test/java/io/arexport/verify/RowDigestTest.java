package io.arexport.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.schema.ExportTable;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.relocated.com.google.common.hash.Hashing;
import org.junit.jupiter.api.Test;

/** The per-row hash and the order-independent digest that {@code verify --deep} compares. */
class RowDigestTest {

  /**
   * A row's hash is MurmurHash3 x64 128, seed "arex", of its canonical encoding (docs/verify.md),
   * checked against another implementation (Guava's, as Iceberg bundles it): digests from
   * different arexport versions stay comparable, and a change of hash or seed fails here.
   */
  @Test
  void aRowsHashIsMurmur3OfItsCanonicalEncoding() {
    SplittableRandom random = new SplittableRandom(4);
    RowDigester digester = new RowDigester(ExportTable.TAGS);
    for (int length = 0; length <= 40; length++) {
      byte[] value = new byte[length];
      for (int i = 0; i < length; i++) {
        value[i] = (byte) random.nextInt(256);
      }
      Digest digest = new Digest();
      String tagValue = new String(value, StandardCharsets.ISO_8859_1);
      digester.add(tag(length, "id", length, "name", tagValue), digest);

      byte[] guava = Hashing.murmur3_128(0x61726578).hashBytes(digester.lastEncoding()).asBytes();
      ByteBuffer expected = ByteBuffer.wrap(guava).order(ByteOrder.LITTLE_ENDIAN);
      long h1 = expected.getLong();
      long h2 = expected.getLong();
      // One row: the sums and the XOR are the row's own hash.
      assertThat(digest.hex()).as("value of %d bytes", length)
          .isEqualTo(String.format("%016x%016x%016x", h1, h2, h1));
    }
  }

  /**
   * The canonical encoding, byte for byte as docs/verify.md describes it (a golden vector): a
   * marker per column (0 null, 1 a value), integers as 8 big-endian bytes whatever their width,
   * binary as a 4-byte big-endian length and the bytes, booleans as one byte. A change of the
   * encoding would make digests of different releases incomparable; it fails here.
   */
  @Test
  void theCanonicalEncodingOfATagRowIsTheDocumentedBytes() {
    Record row = GenericRecord.create(ExportTable.TAGS.schema());
    row.set(0, 7L);
    row.set(1, ByteBuffer.wrap(new byte[] {(byte) 0xab, (byte) 0xcd}));
    row.set(2, 2);
    row.set(3, null);
    row.set(4, ByteBuffer.wrap("n".getBytes(StandardCharsets.UTF_8)));
    row.set(5, ByteBuffer.wrap(new byte[0]));
    row.set(6, true);
    RowDigester digester = new RowDigester(ExportTable.TAGS);
    digester.add(row, new Digest());
    assertThat(java.util.HexFormat.of().formatHex(digester.lastEncoding())).isEqualTo(
        "01" + "0000000000000007" // height, long
        + "01" + "00000002" + "abcd" // id, binary
        + "01" + "0000000000000002" // tag_index, an int encoded as 8 bytes
        + "00" // indexed_at, null
        + "01" + "00000001" + "6e" // tag_name "n"
        + "01" + "00000000" // tag_value, empty
        + "01" + "01"); // is_data_item, true
  }

  @Test
  void digestDoesNotDependOnRowOrderButOnEveryRowAndValue() {
    Record[] rows = {tag(1, "a", 0, "n", "v"), tag(1, "a", 1, "n", "w"), tag(2, "b", 0, "x", "")};
    Digest forward = digest(rows[0], rows[1], rows[2]);
    Digest backward = digest(rows[2], rows[1], rows[0]);
    assertThat(forward.sameAs(backward)).isTrue();
    assertThat(forward.hex()).isEqualTo(backward.hex());

    // A duplicated row changes the digest even with the row count kept (XOR alone would not).
    Digest duplicated = digest(rows[0], rows[0], rows[2]);
    assertThat(duplicated.rows()).isEqualTo(forward.rows());
    assertThat(duplicated.sameAs(forward)).isFalse();
    // Same count and same XOR (pairs cancel in a XOR), different rows: the sums tell them apart.
    Digest pairs = digest(rows[0], rows[1], rows[1], rows[1]);
    Digest otherPairs = digest(rows[0], rows[1], rows[2], rows[2]);
    assertThat(pairs.rows()).isEqualTo(otherPairs.rows());
    assertThat(pairs.hex().substring(32)).isEqualTo(otherPairs.hex().substring(32));
    assertThat(pairs.sameAs(otherPairs)).isFalse();
    // One flipped bit of one value.
    Digest flipped = digest(rows[0], rows[1], tag(2, "b", 0, "x", "\u0001"));
    assertThat(flipped.sameAs(forward)).isFalse();
  }

  @Test
  void encodingIsUnambiguous() {
    // Bytes moved from one column to the next, and null against empty, encode differently.
    assertThat(digest(tag(1, "ab", 0, "c", "d")).sameAs(digest(tag(1, "a", 0, "bc", "d"))))
        .isFalse();
    Record withNull = tag(1, "a", 0, "n", "v");
    withNull.set(3, null);
    Record withZero = tag(1, "a", 0, "n", "v");
    withZero.set(3, 0L);
    assertThat(digest(withNull).sameAs(digest(withZero))).isFalse();
    Record emptyId = tag(1, "", 0, "n", "v");
    Record nullId = tag(1, "", 0, "n", "v");
    nullId.set(1, null);
    assertThat(digest(emptyId).sameAs(digest(nullId))).isFalse();
  }

  @Test
  void intAndLongAndDecimalRepresentationsOfOneValueAgree() {
    // The source side maps int columns to Long, the Parquet reader to Integer: same encoding.
    Record fromSource = GenericRecord.create(ExportTable.TRANSACTIONS.schema());
    Record fromParquet = GenericRecord.create(ExportTable.TRANSACTIONS.schema());
    fromSource.set(0, ByteBuffer.wrap(new byte[] {1}));
    fromParquet.set(0, ByteBuffer.wrap(new byte[] {1}));
    fromSource.set(2, 7L);
    fromParquet.set(2, 7);
    fromSource.set(5, new BigDecimal("00012"));
    fromParquet.set(5, BigDecimal.valueOf(12));
    fromSource.set(9, "text/plain");
    fromParquet.set(9, "text/plain");
    RowDigester digester = new RowDigester(ExportTable.TRANSACTIONS);
    Digest a = new Digest();
    Digest b = new Digest();
    digester.add(fromSource, a);
    byte[] sourceEncoding = digester.lastEncoding();
    digester.add(fromParquet, b);
    assertThat(digester.lastEncoding()).isEqualTo(sourceEncoding);
    assertThat(a.sameAs(b)).isTrue();
  }

  private static Record tag(long height, String id, int index, String name, String value) {
    Record r = GenericRecord.create(ExportTable.TAGS.schema());
    r.set(0, height);
    r.set(1, ByteBuffer.wrap(id.getBytes(StandardCharsets.UTF_8)));
    r.set(2, index);
    r.set(3, 1000L);
    r.set(4, ByteBuffer.wrap(name.getBytes(StandardCharsets.UTF_8)));
    r.set(5, ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)));
    r.set(6, true);
    return r;
  }

  private static Digest digest(Record... rows) {
    RowDigester digester = new RowDigester(ExportTable.TAGS);
    Digest digest = new Digest();
    for (Record row : rows) {
      digester.add(row, digest);
    }
    return digest;
  }
}
