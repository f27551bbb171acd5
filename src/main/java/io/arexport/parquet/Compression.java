package io.arexport.parquet;

import io.arexport.InvalidInputException;
import java.util.Locale;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/** Parquet compression codecs offered by {@code --compression}. */
public enum Compression {
  ZSTD, SNAPPY, GZIP, UNCOMPRESSED;

  /** parquet-java's codec. */
  CompressionCodecName codec() {
    return CompressionCodecName.valueOf(name());
  }

  /** As {@code --compression} takes it; Locale.ROOT, or a Turkish locale would print "gzıp". */
  public String optionValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Compression parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          "unknown compression '" + text + "' (expected zstd, snappy, gzip or uncompressed)");
    }
  }
}
