package io.arexport.verify;

import io.arexport.Cancellation;
import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import io.arexport.RuntimeFailureException;
import io.arexport.StateConflictException;
import io.arexport.schema.ExportTable;
import io.arexport.warehouse.ReplacedFiles;
import io.arexport.warehouse.WarehouseLayout;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Compares the warehouse with the source, table by table and partition directory by partition
 * directory, over a height range (issue 4, {@code arexport verify}).
 *
 * <p>For each table, every partition directory that overlaps the range is one unit: its rows in
 * the source (verify's own SQL, {@link SourceSide}) against the rows of its Parquet files (footer
 * counts, and with {@code deep} a {@link Digest} of every value, {@link PartitionFiles}). A
 * directory that extends beyond the range is verified whole. Heights of the range that no
 * directory covers must have no source rows. Directories must lie within one aligned partition of
 * {@code heightPartitionSize} (so a range exported in several runs, e.g. 1000-1499 then 1500-1999,
 * verifies fine) and must not overlap each other. When the table has Iceberg metadata, its
 * current snapshot must list exactly the files counted, with their row counts and sizes.
 *
 * <p>Findings go to a {@link VerifyListener} as they are found; memory holds one row, one
 * partition's file list and the snapshot's entries for the range (one per file), never a row
 * set. The warehouse and the databases are only read; verify takes no lock, but refuses to run
 * while an export or metadata run holds the warehouse lock (its results would be transient).
 */
public final class Verifier {
  private final Clock clock;
  private final Cancellation cancellation;

  public Verifier(Clock clock, Cancellation cancellation) {
    this.clock = clock;
    this.cancellation = cancellation;
  }

  public VerifySummary run(VerifyRequest request, VerifyListener listener) {
    Instant started = clock.instant();
    WarehouseLayout layout = new WarehouseLayout(request.warehouseDir());
    if (!Files.isDirectory(layout.root())) {
      throw new InvalidInputException("warehouseDir is not a directory: " + layout.root());
    }
    Tally tally = new Tally(listener);
    Map<String, VerifySummary.TableTotals> totals = new LinkedHashMap<>();
    try (SourceSide source = SourceSide.open(request)) {
      checkNotLocked(layout);
      if (Files.exists(layout.stateDir().resolve("pending-commit.json"))) {
        tally.accept(new Finding(Finding.Kind.PENDING_COMMIT, null, null,
            ".arexport/pending-commit.json", null, null, "a partition commit was interrupted"
                + " (.arexport/pending-commit.json); the next export or metadata run on this"
                + " warehouse completes or undoes it"));
      }
      Set<String> replaced = ReplacedFiles.load(layout).paths();
      for (ExportTable table : ExportTable.values()) {
        TableRun run = new TableRun(request, layout, source, table, replaced, tally);
        totals.put(table.tableName(), run.verify());
      }
    }
    return new VerifySummary(totals, tally.differences, tally.notes,
        Duration.between(started, clock.instant()).toMillis());
  }

  /** One table's pass over the range. */
  private final class TableRun {
    private final VerifyRequest request;
    private final WarehouseLayout layout;
    private final SourceSide source;
    private final ExportTable table;
    private final Tally tally;
    private final PartitionFiles partitionFiles;
    private final Set<String> replaced;
    private VerifySummary.TableTotals totals = new VerifySummary.TableTotals(0, 0, 0, 0, 0);
    private IcebergSnapshotFiles iceberg;

    TableRun(VerifyRequest request, WarehouseLayout layout, SourceSide source, ExportTable table,
        Set<String> replaced, Tally tally) {
      this.request = request;
      this.layout = layout;
      this.source = source;
      this.table = table;
      this.replaced = replaced;
      this.tally = tally;
      this.partitionFiles = new PartitionFiles(table, layout, replaced, tally, cancellation);
    }

    VerifySummary.TableTotals verify() {
      HeightRange range = request.range();
      List<Map.Entry<HeightRange, Path>> dirs = new ArrayList<>();
      for (Map.Entry<HeightRange, Path> dir : layout.partitionDirs(table).entrySet()) {
        if (dir.getKey().overlaps(range)) {
          dirs.add(dir);
        }
      }
      reportStrayEntries();
      HeightRange checked = dirs.isEmpty() ? range : new HeightRange(
          Math.min(range.start(), dirs.get(0).getKey().start()),
          Math.max(range.end(), dirs.stream().mapToLong(d -> d.getKey().end()).max().orElse(0)));
      iceberg = IcebergSnapshotFiles.load(layout, table, checked, tally);

      long p = request.heightPartitionSize();
      // Heights below nextUncovered are covered by a directory already checked.
      long nextUncovered = range.start();
      boolean coveredToEnd = false;
      HeightRange widest = null;
      for (Map.Entry<HeightRange, Path> entry : dirs) {
        cancellation.stopIfRequested("while verifying " + table.tableName() + " ("
            + totals.partitions() + " partitions verified)");
        HeightRange dir = entry.getKey();
        String relative = layout.relative(entry.getValue());
        if (!coveredToEnd && dir.start() > nextUncovered) {
          checkGap(new HeightRange(nextUncovered, Math.min(dir.start() - 1, range.end())));
        }
        if (widest != null && dir.start() <= widest.end()) {
          finding(Finding.Kind.OVERLAPPING_PARTITIONS, dir, relative, null, null, relative
              + " overlaps " + table.tableName() + "/data/" + widest.directoryName()
              + ": rows of heights " + dir.start() + "-" + Math.min(dir.end(), widest.end())
              + " may be in both");
        }
        if (Math.floorDiv(dir.start(), p) != Math.floorDiv(dir.end(), p)) {
          finding(Finding.Kind.MISALIGNED_PARTITION, dir, relative, null, null, relative
              + " spans more than one aligned partition of heightPartitionSize " + p
              + " (exported with a larger --heightPartitionSize? verify with the one it was"
              + " exported with)");
        }
        if (!range.contains(dir)) {
          finding(Finding.Kind.PARTITION_BEYOND_RANGE, dir, relative, null, null, relative
              + " extends beyond heights " + range + "; verified whole");
        }
        checkDirectory(dir, entry.getValue());
        source.endSnapshot();
        if (widest == null || dir.end() > widest.end()) {
          widest = dir;
        }
        if (dir.end() >= range.end()) {
          coveredToEnd = true;
        } else {
          nextUncovered = Math.max(nextUncovered, dir.end() + 1);
        }
      }
      if (!coveredToEnd && nextUncovered <= range.end()) {
        checkGap(new HeightRange(nextUncovered, range.end()));
      }
      if (iceberg != null) {
        reportSnapshotLeftovers();
      }
      return totals;
    }

    private void checkDirectory(HeightRange dir, Path path) {
      boolean deep = request.deep();
      Digest expectedDigest = deep ? source.digest(table, dir, cancellation) : null;
      long expected = deep ? expectedDigest.rows() : source.count(table, dir);
      PartitionFiles.Result found = partitionFiles.read(path, dir, deep);
      String relative = layout.relative(path);
      boolean matches = expected == found.rows();
      if (!matches) {
        finding(Finding.Kind.ROW_COUNT, dir, relative, expected, found.rows(), table.tableName()
            + " " + dir.directoryName() + ": expected " + expected + " rows (source), found "
            + found.rows() + " in " + found.files().size() + " file"
            + (found.files().size() == 1 ? "" : "s"));
      } else if (deep && !expectedDigest.sameAs(found.digest())) {
        matches = false;
        finding(Finding.Kind.CHECKSUM, dir, relative, expected, found.digest().rows(),
            table.tableName() + " " + dir.directoryName() + ": " + expected + " rows on both"
                + " sides but their values differ (digest " + expectedDigest.hex()
                + " expected, " + found.digest().hex() + " found)");
      } else if (deep && found.digest().rows() != found.rows()) {
        // Footers count rows that could not be read back (reported as unreadable).
        matches = false;
      }
      if (iceberg != null) {
        compareWithSnapshot(dir, found.files());
      }
      PartitionCheck check = new PartitionCheck(table.tableName(), dir, true, expected,
          found.rows(), found.files().size(), deep ? expectedDigest.hex() : null,
          deep ? found.digest().hex() : null, matches);
      totals = totals.plus(check);
      tally.listener.checked(check);
    }

    /** Heights no directory covers: the source must have no rows there. */
    private void checkGap(HeightRange gap) {
      if (source.count(table, gap) == 0) {
        source.endSnapshot();
        return;
      }
      // Name each aligned partition that should exist.
      long from = gap.start();
      while (true) {
        HeightRange partition = gap.alignedPartitionAt(from, request.heightPartitionSize());
        long expected = source.count(table, partition);
        if (expected > 0) {
          String relative = layout.relative(layout.partitionDir(table, partition));
          finding(Finding.Kind.MISSING_PARTITION, partition, relative, expected, 0L,
              table.tableName() + " " + partition.directoryName() + ": expected " + expected
                  + " rows (source), found no partition directory");
          PartitionCheck check = new PartitionCheck(table.tableName(), partition, false,
              expected, 0, 0, null, null, false);
          totals = totals.plus(check);
          tally.listener.checked(check);
        }
        if (partition.end() >= gap.end()) {
          break;
        }
        from = partition.end() + 1;
        cancellation.stopIfRequested("while verifying " + table.tableName());
      }
      source.endSnapshot();
    }

    private void compareWithSnapshot(HeightRange dir, List<PartitionFiles.DataFile> files) {
      for (PartitionFiles.DataFile file : files) {
        IcebergSnapshotFiles.Entry entry = iceberg.take(file.relative());
        if (entry == null) {
          finding(Finding.Kind.ICEBERG_UNLISTED_FILE, dir, file.relative(), null, file.rows(),
              file.relative() + " (" + file.rows() + " rows) is not in the current Iceberg"
                  + " snapshot (" + iceberg.description() + ")");
        } else if (entry.records() != file.rows() || entry.bytes() != file.bytes()) {
          finding(Finding.Kind.ICEBERG_FILE_STATS, dir, file.relative(), entry.records(),
              file.rows(), iceberg.description() + " records " + file.relative() + " with "
                  + entry.records() + " rows and " + entry.bytes() + " bytes; the file has "
                  + file.rows() + " rows and " + file.bytes() + " bytes");
        }
      }
    }

    private void reportSnapshotLeftovers() {
      for (Map.Entry<String, IcebergSnapshotFiles.Entry> left : iceberg.remaining().entrySet()) {
        String relative = left.getKey();
        String why = replaced.contains(relative)
            ? "a file a re-export replaced (the metadata lags the warehouse: run arexport"
                + " metadata)"
            : Files.exists(layout.resolve(relative))
                ? "on disk but not a counted data file (unreadable, or misnamed)"
                : "not on disk (readers of the snapshot fail or miss rows)";
        HeightRange dir = HeightRange.parseDirectoryName(Path.of(relative).getParent()
            .getFileName().toString());
        finding(Finding.Kind.ICEBERG_EXTRA_FILE, dir, relative, left.getValue().records(), null,
            iceberg.description() + " lists " + relative + " (" + left.getValue().records()
                + " rows): " + why);
      }
    }

    /** Entries of {@code <table>/data/} that are not partition directories. */
    private void reportStrayEntries() {
      Path data = layout.dataDir(table);
      if (!Files.isDirectory(data)) {
        return;
      }
      try (Stream<Path> children = Files.list(data)) {
        for (Path child : children.sorted().toList()) {
          String name = child.getFileName().toString();
          String relative = layout.relative(child);
          if (name.startsWith(".")) {
            finding(Finding.Kind.TEMPORARY_FILE, null, relative, null, null, "hidden entry "
                + relative + " (left by an interrupted write?)");
          } else if (!Files.isDirectory(child) || HeightRange.parseDirectoryName(name) == null) {
            finding(Finding.Kind.UNEXPECTED_FILE, null, relative, null, null, relative
                + " is not a partition directory (height=S-E)");
          }
        }
      } catch (IOException e) {
        throw new RuntimeFailureException("cannot list " + data + ": " + e.getMessage(), e);
      }
    }

    private void finding(Finding.Kind kind, HeightRange partition, String path, Long expected,
        Long found, String message) {
      tally.accept(new Finding(kind, table.tableName(),
          partition == null ? null : partition.toString(), path, expected, found, message));
    }
  }

  /**
   * Refuses to verify while an export or metadata run holds the warehouse lock: it is moving
   * files, so counts would be transient. Probes with a shared lock on a read-only channel, which
   * needs no write access, and releases it at once (a long verify must not block exports).
   */
  private static void checkNotLocked(WarehouseLayout layout) {
    Path file = layout.stateDir().resolve("lock");
    if (!Files.isRegularFile(file)) {
      return;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      FileLock lock;
      try {
        lock = channel.tryLock(0, Long.MAX_VALUE, true);
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock != null) {
        lock.release();
        return;
      }
      String holder = Files.readString(file, StandardCharsets.UTF_8).trim();
      throw new StateConflictException("warehouse " + layout.root() + " is locked by "
          + (holder.isEmpty() ? "another process" : holder) + " (" + file + "); verify when it"
          + " has finished");
    } catch (IOException e) {
      // An unreadable lock file does not stop a read-only check.
    }
  }

  /** Counts findings by severity and passes them on. */
  private static final class Tally implements java.util.function.Consumer<Finding> {
    private final VerifyListener listener;
    private long differences;
    private long notes;

    Tally(VerifyListener listener) {
      this.listener = listener;
    }

    @Override
    public void accept(Finding finding) {
      if (finding.isDifference()) {
        differences++;
      } else {
        notes++;
      }
      listener.found(finding);
    }
  }
}
