package io.arexport.sync;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.arexport.HeightRange;
import java.util.List;

/**
 * What the syncs of a warehouse recorded: the heights they exported and the L1 flags they
 * exported them with, and the one JSON form both stores keep it in (the directory warehouse's
 * {@code .arexport/exported-heights.json}, a catalog's blocks-table property), so the two can
 * never drift apart. Unknown fields are ignored, so a later version may add some.
 */
public record CoverageRecord(Coverage heights, ExportSettings settings) {
  private static final ObjectMapper JSON = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final ObjectMapper INDENTED = JSON.copy()
      .enable(SerializationFeature.INDENT_OUTPUT);

  /** The record after an export of {@code exported} with {@code settings}. */
  public static CoverageRecord after(Coverage recorded, HeightRange exported,
      ExportSettings settings) {
    return new CoverageRecord(recorded.plus(exported), settings);
  }

  /**
   * Parses the JSON form.
   *
   * @throws JsonProcessingException if {@code json} is not JSON of this shape (the caller names
   *     the file or property it came from)
   * @throws IllegalArgumentException if it has no {@code ranges}
   * @throws io.arexport.InvalidInputException if a range is not one; the stores report all three
   *     as a corrupt record
   */
  public static CoverageRecord parse(String json) throws JsonProcessingException {
    Stored stored = JSON.readValue(json, Stored.class);
    if (stored.ranges() == null) {
      throw new IllegalArgumentException("no \"ranges\"");
    }
    return new CoverageRecord(
        Coverage.of(stored.ranges().stream().map(r -> new HeightRange(r.start(), r.end()))
            .toList()),
        ExportSettings.stored(stored.includeL1Transactions(), stored.includeL1Tags(),
            stored.heightPartitionSize()));
  }

  /** The JSON form; {@code indented} for a file an operator may read. */
  public String json(boolean indented) {
    Stored stored = new Stored(Stored.FORMAT_VERSION, settings.includeL1Transactions(),
        settings.includeL1Tags(), settings.storedPartitionSize(),
        heights.ranges().stream().map(r -> new StoredRange(r.start(), r.end())).toList());
    try {
      return (indented ? INDENTED : JSON).writeValueAsString(stored);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a coverage record as JSON", e);
    }
  }

  /**
   * The JSON shape, version 1; {@code heightPartitionSize} was added later (absent in older
   * records, and ignored by older versions).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Stored(int formatVersion, boolean includeL1Transactions, boolean includeL1Tags,
      Long heightPartitionSize, List<StoredRange> ranges) {
    static final int FORMAT_VERSION = 1;
  }

  record StoredRange(long start, long end) {}
}
