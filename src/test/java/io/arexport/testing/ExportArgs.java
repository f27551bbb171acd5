package io.arexport.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The paths of one export setup (sources, staging, warehouse) and the {@code arexport export}
 * command lines over them, for {@link Cli} and {@link ChildJvm}.
 */
public record ExportArgs(Path coreDb, Path bundlesDb, Path stagingDir, Path warehouseDir) {

  /** Sources {@code core.db}/{@code bundles.db} in {@code sources}; staging and warehouse in {@code work}. */
  public static ExportArgs of(Path sources, Path work) {
    return new ExportArgs(sources.resolve("core.db"), sources.resolve("bundles.db"),
        work.resolve("staging"), work.resolve("warehouse"));
  }

  /** {@code export --startHeight S --endHeight E --heightPartitionSize P <paths> extra...}. */
  public String[] export(long start, long end, long partitionSize, String... extra) {
    List<String> args = new ArrayList<>(List.of("export",
        "--startHeight", Long.toString(start), "--endHeight", Long.toString(end),
        "--heightPartitionSize", Long.toString(partitionSize),
        "--coreDb", coreDb.toString(), "--bundlesDb", bundlesDb.toString(),
        "--stagingDir", stagingDir.toString(), "--warehouseDir", warehouseDir.toString()));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }
}
