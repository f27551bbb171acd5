package io.arexport.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class CompressionTest {
  /** The resume command repeats the option: it must parse again whatever the JVM's locale. */
  @Test
  void theOptionValueRoundTripsUnderATurkishLocale() {
    Locale before = Locale.getDefault();
    try {
      Locale.setDefault(Locale.forLanguageTag("tr-TR"));
      for (Compression compression : Compression.values()) {
        assertThat(compression.optionValue()).matches("[a-z]+");
        assertThat(Compression.parse(compression.optionValue())).isEqualTo(compression);
      }
      assertThat(Compression.GZIP.optionValue()).isEqualTo("gzip");
    } finally {
      Locale.setDefault(before);
    }
  }
}
