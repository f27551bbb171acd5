package io.arexport.cli;

import io.arexport.export.ExportRequest;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How {@code export} and {@code sync} write, declared once for both. ({@code --no-iceberg} is
 * not here: its help says when each command commits.)
 */
final class ExportWriteOptions {
  @Option(names = {"--maxFileRows", "--max-file-rows"}, paramLabel = "N", defaultValue = "1000000",
      description = "Maximum rows per Parquet file; larger partitions are split"
          + " (default: ${DEFAULT-VALUE}).")
  long maxFileRows;

  @Option(names = {"--stagingDir", "--staging-dir"}, paramLabel = "DIR",
      defaultValue = "data/staging", description = "Where jobs write before publishing"
          + " (default: ${DEFAULT-VALUE}).")
  Path stagingDir;

  @Option(names = "--compression", paramLabel = "CODEC", defaultValue = "zstd",
      description = "Parquet compression: zstd, snappy, gzip or uncompressed"
          + " (default: ${DEFAULT-VALUE}).")
  String compression;

  @Option(names = "--threads", paramLabel = "N",
      description = "Partitions staged at once, each with its own SQLite snapshot and Parquet"
          + " writer; published in height order (default: half the number of cores, at least 1 and at"
          + " most 4: each partition keeps a reader and a writer thread busy and adds about 50 MiB"
          + " of memory).")
  Integer threads;

  /** {@code --threads}, or {@link ExportRequest#defaultThreads()}. */
  int threads() {
    return threads != null ? threads : ExportRequest.defaultThreads();
  }
}
