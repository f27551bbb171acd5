package io.arexport.cli;

import io.arexport.HeightRange;
import picocli.CommandLine.Option;

/**
 * The options that say which rows an export covers, shared by {@code export} and {@code verify}
 * so that both accept the same spellings (the seed's camelCase and kebab-case) and defaults: the
 * required height range plus {@link SourceOptions} ({@code sync} uses those alone).
 */
final class SourceRangeOptions extends SourceOptions {
  @Option(names = {"--startHeight", "--start-height"}, required = true, paramLabel = "HEIGHT",
      description = "First block height (inclusive).")
  long startHeight;

  @Option(names = {"--endHeight", "--end-height"}, required = true, paramLabel = "HEIGHT",
      description = "Last block height (inclusive).")
  long endHeight;

  HeightRange range() {
    return new HeightRange(startHeight, endHeight);
  }
}
