package io.arexport.verify;

import io.arexport.Cancellation;
import io.arexport.HeightRange;
import io.arexport.schema.ExportTable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
  private final WarehouseSide.Opener sides;

  /** The side of a warehouse directory (contract sections 3-5). */
  public static final WarehouseSide.Opener DIRECTORY = DirectorySide::open;

  /**
   * @param sides opens the warehouse side of a request: {@link DirectorySide} for a warehouse
   *     directory, the catalog side of lakehouse mode for catalog tables
   */
  public Verifier(Clock clock, Cancellation cancellation, WarehouseSide.Opener sides) {
    this.clock = clock;
    this.cancellation = cancellation;
    this.sides = sides;
  }

  public VerifySummary run(VerifyRequest request, VerifyListener listener) {
    Instant started = clock.instant();
    Tally tally = new Tally(listener);
    Map<String, VerifySummary.TableTotals> totals = new LinkedHashMap<>();
    // The warehouse side is opened first: a wrong directory or an unreachable catalog fails
    // before the sources are read.
    try (WarehouseSide warehouse = sides.open(request, tally, cancellation);
        SourceSide source = SourceSide.open(request)) {
      listener.started();
      warehouse.beforeTables();
      for (ExportTable table : ExportTable.values()) {
        TableRun run = new TableRun(request, source, table, warehouse.table(table), tally);
        totals.put(table.tableName(), run.verify());
      }
    }
    return new VerifySummary(totals, tally.differences, tally.notes,
        Duration.between(started, clock.instant()).toMillis());
  }

  /** One table's pass over the range, against one {@link WarehouseSide.TableSide}. */
  private final class TableRun {
    private final VerifyRequest request;
    private final SourceSide source;
    private final ExportTable table;
    private final Tally tally;
    private final WarehouseSide.TableSide side;
    private VerifySummary.TableTotals totals = VerifySummary.TableTotals.ZERO;

    TableRun(VerifyRequest request, SourceSide source, ExportTable table,
        WarehouseSide.TableSide side, Tally tally) {
      this.request = request;
      this.source = source;
      this.table = table;
      this.side = side;
      this.tally = tally;
    }

    VerifySummary.TableTotals verify() {
      HeightRange range = request.range();
      List<Map.Entry<HeightRange, String>> dirs = side.partitions(range);
      HeightRange checked = dirs.isEmpty() ? range : new HeightRange(
          Math.min(range.start(), dirs.get(0).getKey().start()),
          Math.max(range.end(), dirs.stream().mapToLong(d -> d.getKey().end()).max().orElse(0)));
      side.begin(checked);

      long p = request.heightPartitionSize();
      // Heights below nextUncovered are covered by a directory already checked.
      long nextUncovered = range.start();
      boolean coveredToEnd = false;
      HeightRange widest = null;
      String widestLocation = null;
      for (Map.Entry<HeightRange, String> entry : dirs) {
        cancellation.stopIfRequested("while verifying " + table.tableName() + " ("
            + totals.partitions() + " partitions verified)");
        HeightRange dir = entry.getKey();
        String relative = entry.getValue();
        if (!coveredToEnd && dir.start() > nextUncovered) {
          checkGap(new HeightRange(nextUncovered, Math.min(dir.start() - 1, range.end())));
        }
        if (widest != null && dir.start() <= widest.end()) {
          finding(Finding.Kind.OVERLAPPING_PARTITIONS, dir, relative, null, null, relative
              + " overlaps " + widestLocation
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
        checkPartition(dir, relative);
        source.endSnapshot();
        if (widest == null || dir.end() > widest.end()) {
          widest = dir;
          widestLocation = relative;
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
      side.end();
      return totals;
    }

    private void checkPartition(HeightRange dir, String relative) {
      boolean deep = request.deep();
      Digest expectedDigest = deep ? source.digest(table, dir, cancellation) : null;
      long expected = deep ? expectedDigest.rows() : source.count(table, dir);
      WarehouseSide.Contents found = side.read(dir, relative, deep);
      boolean matches = expected == found.rows();
      if (!matches) {
        finding(Finding.Kind.ROW_COUNT, dir, relative, expected, found.rows(), table.tableName()
            + " " + dir.directoryName() + ": expected " + expected + " rows (source), found "
            + found.rows() + " in " + found.files() + " file"
            + (found.files() == 1 ? "" : "s"));
      } else if (deep && found.digest().rows() != found.rows()) {
        // Footers count rows that could not be read back: reported as unreadable-file, and not
        // as a checksum too, whose "N rows on both sides" would be untrue.
        matches = false;
      } else if (deep && !expectedDigest.sameAs(found.digest())) {
        matches = false;
        finding(Finding.Kind.CHECKSUM, dir, relative, expected, found.digest().rows(),
            table.tableName() + " " + dir.directoryName() + ": " + expected + " rows on both"
                + " sides but their values differ (digest " + expectedDigest.hex()
                + " expected, " + found.digest().hex() + " found)");
      }
      PartitionCheck check = new PartitionCheck(table.tableName(), dir, true, expected,
          found.rows(), found.files(), deep ? expectedDigest.hex() : null,
          deep ? found.digest().hex() : null, matches);
      totals = totals.plus(check);
      tally.listener.checked(check);
    }

    /** Heights no directory covers: the source must have no rows there. */
    private void checkGap(HeightRange gap) {
      long rows = source.count(table, gap);
      if (rows > 0) {
        findMissing(gap, rows);
      }
      source.endSnapshot();
    }

    /**
     * Names each aligned partition of {@code gap} (which holds {@code rows > 0} source rows, in
     * this snapshot) that should exist. The gap is halved at a partition boundary, one count per
     * half, so an empty stretch costs one count whatever its length: a range to a height far
     * beyond the source's tip costs about 60 counts, not one per partition.
     */
    private void findMissing(HeightRange gap, long rows) {
      long size = request.heightPartitionSize();
      HeightRange first = gap.alignedPartitionAt(gap.start(), size);
      if (first.end() >= gap.end()) {
        finding(Finding.Kind.MISSING_PARTITION, first, side.expectedLocation(first), rows, 0L,
            table.tableName() + " " + first.directoryName() + ": expected " + rows
                + " rows (source), found " + side.missingPartitionWording());
        PartitionCheck check = new PartitionCheck(table.tableName(), first, false, rows, 0, 0,
            null, null, false);
        totals = totals.plus(check);
        tally.listener.checked(check);
        return;
      }
      cancellation.stopIfRequested("while verifying " + table.tableName());
      HeightRange middle = gap.alignedPartitionAt(gap.start() + (gap.end() - gap.start()) / 2,
          size);
      long split = middle.start() > gap.start() ? middle.start() : middle.end() + 1;
      HeightRange left = new HeightRange(gap.start(), split - 1);
      long leftRows = source.count(table, left);
      if (leftRows > 0) {
        findMissing(left, leftRows);
      }
      if (rows > leftRows) {
        findMissing(new HeightRange(split, gap.end()), rows - leftRows);
      }
    }

    private void finding(Finding.Kind kind, HeightRange partition, String path, Long expected,
        Long found, String message) {
      tally.accept(new Finding(kind, table.tableName(),
          partition == null ? null : partition.toString(), path, expected, found, message));
    }
  }

  /** Counts findings by severity and passes them on. */
  static final class Tally implements java.util.function.Consumer<Finding> {
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
