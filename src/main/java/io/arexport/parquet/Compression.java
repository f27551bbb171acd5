package io.arexport.parquet;

import io.arexport.InvalidInputException;
import java.util.Locale;

/** Parquet compression codecs offered by {@code --compression}. */
public enum Compression {
  ZSTD, SNAPPY, GZIP, UNCOMPRESSED;

  /** The codec name Iceberg's Parquet writer expects. */
  String icebergName() {
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
