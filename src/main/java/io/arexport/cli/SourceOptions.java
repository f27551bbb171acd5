package io.arexport.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Which source rows an export covers and where they go, declared once for {@code export},
 * {@code verify} and {@code sync} so that all three accept the same spellings (the seed's
 * camelCase and kebab-case), defaults and help, and a command line moves from one to another
 * unchanged.
 */
final class SourceOptions {
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
