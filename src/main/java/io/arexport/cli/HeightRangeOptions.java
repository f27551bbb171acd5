package io.arexport.cli;

import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import picocli.CommandLine.Option;

/**
 * The required height range of {@code export} and {@code verify}, in the seed's camelCase and
 * kebab-case; declared before {@link SourceOptions} so that the range leads their help. ({@code
 * sync} declares its own: optional, with defaults it works out.)
 */
final class HeightRangeOptions {
  @Option(names = {"--startHeight", "--start-height"}, required = true, paramLabel = "HEIGHT",
      description = "First block height (inclusive).")
  long startHeight;

  @Option(names = {"--endHeight", "--end-height"}, required = true, paramLabel = "HEIGHT",
      description = "Last block height (inclusive).")
  long endHeight;

  /** The range; a negative height is named by its option, which HeightRange cannot know. */
  HeightRange range() {
    if (startHeight < 0) {
      throw new InvalidInputException("--startHeight must not be negative: " + startHeight);
    }
    if (endHeight < 0) {
      throw new InvalidInputException("--endHeight must not be negative: " + endHeight);
    }
    return new HeightRange(startHeight, endHeight);
  }
}
