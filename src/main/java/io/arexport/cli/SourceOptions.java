package io.arexport.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The source, partitioning and warehouse options of every command that exports or checks rows,
 * without a height range: {@code sync} finds its range itself; {@link SourceRangeOptions} adds
 * the required range for {@code export} and {@code verify}.
 */
class SourceOptions {
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
}
