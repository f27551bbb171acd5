package io.arexport.cli;

import io.arexport.HeightRange;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options that say which rows an export covers, shared by {@code export} and {@code verify}
 * so that both accept the same spellings (the seed's camelCase and kebab-case) and defaults.
 */
final class SourceRangeOptions {
  @Option(names = {"--startHeight", "--start-height"}, required = true, paramLabel = "HEIGHT",
      description = "First block height (inclusive).")
  long startHeight;

  @Option(names = {"--endHeight", "--end-height"}, required = true, paramLabel = "HEIGHT",
      description = "Last block height (inclusive).")
  long endHeight;

  @Option(names = {"--heightPartitionSize", "--height-partition-size"}, paramLabel = "N",
      defaultValue = "1000", description = "Heights per partition, aligned to multiples of N"
          + " (default: ${DEFAULT-VALUE}).")
  long heightPartitionSize;

  @Option(names = {"--includeL1Transactions", "--include-l1-transactions"},
      description = "L1 transactions too (data items always).")
  boolean includeL1Transactions;

  @Option(names = {"--includeL1Tags", "--include-l1-tags"},
      description = "L1 transaction tags too (data-item tags always).")
  boolean includeL1Tags;

  @Option(names = {"--coreDb", "--core-db"}, paramLabel = "FILE",
      defaultValue = "data/sqlite/core.db",
      description = "Gateway core.db (default: ${DEFAULT-VALUE}).")
  Path coreDb;

  @Option(names = {"--bundlesDb", "--bundles-db"}, paramLabel = "FILE",
      defaultValue = "data/sqlite/bundles.db",
      description = "Gateway bundles.db (default: ${DEFAULT-VALUE}).")
  Path bundlesDb;

  @Option(names = {"--warehouseDir", "--warehouse-dir", "--datasets-dir"}, paramLabel = "DIR",
      defaultValue = "data/datasets/default",
      description = "The warehouse (default: ${DEFAULT-VALUE}).")
  Path warehouseDir;

  HeightRange range() {
    return new HeightRange(startHeight, endHeight);
  }
}
