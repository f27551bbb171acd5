package io.arexport.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code sync}'s source, partitioning and warehouse options: those of {@link SourceRangeOptions}
 * (same names, defaults and help) without the required height range, which sync works out
 * itself. Declared again rather than inherited so that {@code export}'s help keeps the range
 * first (picocli lists a superclass's options before the subclass's); {@code
 * SyncOptionsTest} fails if the two drift apart.
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
