package io.arexport.export;

import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import io.arexport.catalog.CatalogSpec;
import io.arexport.catalog.Secrets;
import io.arexport.parquet.Compression;
import io.arexport.schema.ExportTable;
import io.arexport.warehouse.JobParameters;
import io.arexport.warehouse.WarehouseLayout;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A validated export request: everything {@link Exporter} needs, nothing about the CLI. {@code
 * threads} is how many partitions are staged at once; it is not a job parameter (a resume may use
 * another number), since the output does not depend on it. Build one with {@link #builder}: the
 * components are many and mostly have defaults; the compact constructor is the one place that
 * validates and normalizes them.
 */
public record ExportRequest(
    HeightRange range,
    long heightPartitionSize,
    long maxFileRows,
    boolean includeL1Transactions,
    boolean includeL1Tags,
    Path coreDb,
    Path bundlesDb,
    Path stagingDir,
    Path warehouseDir,
    boolean resume,
    Compression compression,
    boolean commitIceberg,
    int threads,
    CatalogSpec catalog) {

  /** More partitions in flight than this only costs memory. */
  public static final int MAX_THREADS = 64;

  /**
   * The most partitions the default runs at once, whatever the cores: each adds about 50 MiB of
   * memory, and at 4 the process stays under 512 MiB (docs/performance.md, "Memory"), so a run
   * with no option fits a 512 MiB limit on any machine; more is an explicit {@code --threads}.
   */
  public static final int MAX_DEFAULT_THREADS = 4;

  /** The builder's defaults, the same as the CLI's. */
  public static final long DEFAULT_HEIGHT_PARTITION_SIZE = 1000;

  public static final long DEFAULT_MAX_FILE_ROWS = 1_000_000;

  public ExportRequest {
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(coreDb, "coreDb");
    Objects.requireNonNull(bundlesDb, "bundlesDb");
    Objects.requireNonNull(stagingDir, "stagingDir");
    Objects.requireNonNull(warehouseDir, "warehouseDir");
    Objects.requireNonNull(compression, "compression");
    if (heightPartitionSize < 1) {
      throw new InvalidInputException(
          "heightPartitionSize must be at least 1: " + heightPartitionSize);
    }
    if (threads < 1 || threads > MAX_THREADS) {
      throw new InvalidInputException(
          "threads must be between 1 and " + MAX_THREADS + ": " + threads);
    }
    if (maxFileRows < 1) {
      throw new InvalidInputException("maxFileRows must be at least 1: " + maxFileRows);
    }
    coreDb = coreDb.toAbsolutePath().normalize();
    bundlesDb = bundlesDb.toAbsolutePath().normalize();
    stagingDir = stagingDir.toAbsolutePath().normalize();
    if (catalog == null) {
      catalog = CatalogSpec.DIRECTORY;
    }
    catalog.requireApartFrom(coreDb, bundlesDb);
    if (!commitIceberg && !catalog.isDirectory()) {
      // It would be silently ignored (and the summary would say the metadata was committed).
      throw new InvalidInputException("--no-iceberg does not apply to a "
          + catalog.type().optionValue() + " catalog: there the Iceberg commit is the publish");
    }
    if (catalog.isDirectory() && CatalogSpec.namesObjectStore(warehouseDir.toString())) {
      // A Path keeps one slash of "s3://": put it back for the message, and hide user-info.
      String given = warehouseDir.toString().replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*):/(?!/)",
          "$1://");
      throw new InvalidInputException("--warehouseDir " + Secrets.redactGiven(given)
          + " is an object store,"
          + " which has no atomic rename: use --catalog-type rest or jdbc with"
          + " --catalog-warehouse (docs/lakehouse.md)");
    }
    warehouseDir = warehouseDir.toAbsolutePath().normalize();
    if (catalog.isDirectory()) {
      new WarehouseLayout(warehouseDir).requireNotInsideAnotherWarehouse();
      for (ExportTable table : ExportTable.values()) {
        Path tableDir = warehouseDir.resolve(table.tableName());
        if (stagingDir.startsWith(tableDir)) {
          // Staged files there are the table's to every reader that globs it, and to verify.
          throw new InvalidInputException("--stagingDir " + stagingDir + " is inside table "
              + table.tableName() + " of the warehouse " + warehouseDir + ": staged files would"
              + " be read as the table's; put it outside the tables' directories"
              + " (the default data/staging is beside data/datasets)");
        }
      }
    }
  }

  /**
   * Where the run publishes, as its job parameters record it: the warehouse directory, or the
   * catalog destination (without secrets) in catalog mode.
   */
  String destinationId() {
    return catalog.isDirectory() ? warehouseDir.toString() : catalog.jobDestination();
  }

  /** The parameters a resumed job must share with this request. */
  public JobParameters jobParameters() {
    return new JobParameters(range.start(), range.end(), heightPartitionSize, maxFileRows,
        includeL1Transactions, includeL1Tags, coreDb.toString(), bundlesDb.toString(),
        destinationId());
  }

  /**
   * A request for {@code range} of the gateway databases {@code coreDb} and {@code bundlesDb};
   * {@link Builder#stagingDir} and {@link Builder#warehouseDir} must be set too. Defaults:
   * partitions of {@value #DEFAULT_HEIGHT_PARTITION_SIZE} heights, files of at most {@value
   * #DEFAULT_MAX_FILE_ROWS} rows, data items only (no L1 transactions or tags), a new job (no
   * resume), zstd, Iceberg metadata committed, {@link #defaultThreads()} threads, directory
   * mode.
   */
  public static Builder builder(HeightRange range, Path coreDb, Path bundlesDb) {
    return new Builder(range, coreDb, bundlesDb);
  }

  /** {@link #defaultThreads(int)} of this machine's cores, as the JVM counts them. */
  public static int defaultThreads() {
    return defaultThreads(Runtime.getRuntime().availableProcessors());
  }

  /**
   * The default of {@code --threads} on {@code cores} cores: half of them, at least one and at
   * most {@value #MAX_DEFAULT_THREADS}. Each partition in flight keeps two threads busy, its SQLite
   * reader and its Parquet writer, so half as many partitions as cores already use them all; more
   * only make the threads compete for the cores and their caches (measured on 2 cores: {@code
   * --threads 2} took 1.06× the wall time and 1.19× the CPU of {@code --threads 1};
   * docs/performance.md). The cap keeps a run with no option under 512 MiB on any machine.
   */
  static int defaultThreads(int cores) {
    return Math.max(1, Math.min(cores / 2, MAX_DEFAULT_THREADS));
  }

  /** Sets the components of an {@link ExportRequest}; {@link #build} validates them. */
  public static final class Builder {
    private final HeightRange range;
    private final Path coreDb;
    private final Path bundlesDb;
    private Path stagingDir;
    private Path warehouseDir;
    private long heightPartitionSize = DEFAULT_HEIGHT_PARTITION_SIZE;
    private long maxFileRows = DEFAULT_MAX_FILE_ROWS;
    private boolean includeL1Transactions;
    private boolean includeL1Tags;
    private boolean resume;
    private Compression compression = Compression.ZSTD;
    private boolean commitIceberg = true;
    private int threads = defaultThreads();
    private CatalogSpec catalog = CatalogSpec.DIRECTORY;

    private Builder(HeightRange range, Path coreDb, Path bundlesDb) {
      this.range = range;
      this.coreDb = coreDb;
      this.bundlesDb = bundlesDb;
    }

    /** Where the job writes before publishing (required). */
    public Builder stagingDir(Path dir) {
      this.stagingDir = dir;
      return this;
    }

    /**
     * The warehouse directory (required); unused in catalog mode, where the catalog says where
     * the tables live.
     */
    public Builder warehouseDir(Path dir) {
      this.warehouseDir = dir;
      return this;
    }

    public Builder heightPartitionSize(long heights) {
      this.heightPartitionSize = heights;
      return this;
    }

    public Builder maxFileRows(long rows) {
      this.maxFileRows = rows;
      return this;
    }

    public Builder includeL1Transactions(boolean include) {
      this.includeL1Transactions = include;
      return this;
    }

    public Builder includeL1Tags(boolean include) {
      this.includeL1Tags = include;
      return this;
    }

    public Builder resume(boolean resume) {
      this.resume = resume;
      return this;
    }

    public Builder compression(Compression compression) {
      this.compression = compression;
      return this;
    }

    public Builder commitIceberg(boolean commit) {
      this.commitIceberg = commit;
      return this;
    }

    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /** Where to publish: {@link CatalogSpec#DIRECTORY} (the default) or a catalog. */
    public Builder catalog(CatalogSpec catalog) {
      this.catalog = catalog;
      return this;
    }

    /** The request; throws {@link InvalidInputException} naming the first bad value. */
    public ExportRequest build() {
      return new ExportRequest(range, heightPartitionSize, maxFileRows, includeL1Transactions,
          includeL1Tags, coreDb, bundlesDb, stagingDir, warehouseDir, resume, compression,
          commitIceberg, threads, catalog);
    }
  }
}
