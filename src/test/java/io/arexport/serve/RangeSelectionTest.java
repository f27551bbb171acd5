package io.arexport.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Range header values against a 1000-byte file: which bytes a GET sends, per RFC 9110. */
class RangeSelectionTest {
  private static final long SIZE = 1000;

  @ParameterizedTest(name = "{0} -> {1}-{2}")
  @CsvSource(delimiter = '|', value = {
      "bytes=0-0         | 0   | 0",
      "bytes=0-99        | 0   | 99",
      "bytes=100-199     | 100 | 199",
      "bytes=999-999     | 999 | 999",
      "bytes=999-        | 999 | 999",
      "bytes=990-        | 990 | 999",
      "bytes=0-          | 0   | 999",
      "bytes=-1          | 999 | 999",
      "bytes=-100        | 900 | 999",
      "bytes=-1000       | 0   | 999",
      "bytes=-5000       | 0   | 999",
      "bytes=500-5000    | 500 | 999",
      "bytes=0-99999999999999999999999 | 0 | 999",
      "BYTES=10-19       | 10  | 19",
      "' bytes = 10 - 19 ' | 10 | 19",
  })
  void oneSatisfiableRangeSelectsThoseBytes(String header, long first, long last) {
    assertThat(RangeSelection.of(List.of(header), SIZE))
        .isEqualTo(new RangeSelection.Part(first, last));
  }

  @ParameterizedTest(name = "{0} -> 416")
  @CsvSource({
      "bytes=1000-",
      "bytes=1000-1000",
      "bytes=5000-6000",
      "bytes=-0",
      "bytes=99999999999999999999999-",
  })
  void rangeBeyondTheEndIsUnsatisfiable(String header) {
    assertThat(RangeSelection.of(List.of(header), SIZE)).isEqualTo(RangeSelection.UNSATISFIABLE);
  }

  @ParameterizedTest(name = "{0} -> whole file")
  @CsvSource(delimiter = '|', value = {
      "bytes=0-1,5-6",     // several ranges: ignored, whole file (documented choice)
      "bytes=0-1, 2000-",
      "bytes=5-3",         // last < first: invalid
      "bytes=abc",
      "bytes=a-b",
      "bytes=1-x",
      "bytes=-",
      "bytes=",
      "bytes=--5",
      "bytes=+5-10",
      "items=0-1",         // another unit
      "0-1",
      "''",
  })
  void rangeTheServerDoesNotHonourSelectsTheWholeFile(String header) {
    assertThat(RangeSelection.of(List.of(header), SIZE)).isEqualTo(RangeSelection.WHOLE);
  }

  @org.junit.jupiter.api.Test
  void noHeaderSeveralHeadersOrAnEmptyFileSelectTheWholeFile() {
    assertThat(RangeSelection.of(null, SIZE)).isEqualTo(RangeSelection.WHOLE);
    assertThat(RangeSelection.of(List.of(), SIZE)).isEqualTo(RangeSelection.WHOLE);
    assertThat(RangeSelection.of(List.of("bytes=0-1", "bytes=2-3"), SIZE))
        .isEqualTo(RangeSelection.WHOLE);
    assertThat(RangeSelection.of(List.of("bytes=0-1"), 0)).isEqualTo(RangeSelection.WHOLE);
    assertThat(RangeSelection.of(List.of("bytes=-5"), 0)).isEqualTo(RangeSelection.WHOLE);
  }

  @org.junit.jupiter.api.Test
  void partLengthCountsBothEnds() {
    assertThat(new RangeSelection.Part(10, 19).length()).isEqualTo(10);
    assertThat(new RangeSelection.Part(0, 0).length()).isEqualTo(1);
  }
}
