package io.arexport.verify;

import io.arexport.Cancellation;
import io.arexport.HeightRange;
import io.arexport.RuntimeFailureException;
import io.arexport.StateConflictException;
import io.arexport.schema.ExportTable;
import io.arexport.warehouse.PartitionCommitter;
import io.arexport.warehouse.ReplacedFiles;
import io.arexport.warehouse.WarehouseLayout;
import io.arexport.warehouse.WarehouseLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The warehouse directory (contract sections 3-5) as verify reads it: partition directories
 * {@code <table>/data/height=S-E/}, their Parquet files ({@link PartitionFiles}), and, when a
 * table has Iceberg metadata, its current snapshot, which must list exactly the files counted.
 */
final class DirectorySide implements WarehouseSide {
  private final WarehouseLayout layout;
  private final Consumer<Finding> findings;
  private final Cancellation cancellation;
  private Set<String> replaced;

  private DirectorySide(WarehouseLayout layout, Consumer<Finding> findings,
      Cancellation cancellation) {
    this.layout = layout;
    this.findings = findings;
    this.cancellation = cancellation;
  }

  static WarehouseSide open(VerifyRequest request, Consumer<Finding> findings,
      Cancellation cancellation) {
    WarehouseLayout layout = new WarehouseLayout(request.warehouseDir());
    layout.requireExistingDirectory();
    return new DirectorySide(layout, findings, cancellation);
  }

  @Override
  public void beforeTables() {
    checkNotLocked(layout);
    if (Files.exists(PartitionCommitter.journalFile(layout))) {
      Optional<String> unusable = PartitionCommitter.pendingCommitProblem(layout);
      findings.accept(new Finding(Finding.Kind.PENDING_COMMIT, null, null,
          ".arexport/pending-commit.json", null, null, unusable.isEmpty()
              ? "a partition commit was interrupted (.arexport/pending-commit.json); the next"
                  + " export, sync or metadata run on this warehouse completes or undoes it"
              : "a partition commit was interrupted and its journal is unusable ("
                  + unusable.get() + "): export, sync and metadata stop (exit 3) until it is"
                  + " removed; " + PartitionCommitter.UNUSABLE_JOURNAL_REMEDY));
    }
    replaced = ReplacedFiles.load(layout).paths();
  }

  @Override
  public TableSide table(ExportTable table) {
    return new DirectoryTable(table);
  }

  @Override
  public void close() {}

  private final class DirectoryTable implements TableSide {
    private final ExportTable table;
    private final PartitionFiles partitionFiles;
    private IcebergSnapshotFiles iceberg;

    DirectoryTable(ExportTable table) {
      this.table = table;
      this.partitionFiles = new PartitionFiles(table, layout, replaced, findings, cancellation);
    }

    @Override
    public List<Map.Entry<HeightRange, String>> partitions(HeightRange range) {
      List<Map.Entry<HeightRange, String>> dirs = new ArrayList<>();
      for (Map.Entry<HeightRange, Path> dir : layout.partitionDirs(table).entrySet()) {
        if (dir.getKey().overlaps(range)) {
          dirs.add(Map.entry(dir.getKey(), layout.relative(dir.getValue())));
        }
      }
      return dirs;
    }

    @Override
    public void begin(HeightRange checked) {
      reportStrayEntries();
      iceberg = IcebergSnapshotFiles.load(layout, table, checked, findings);
    }

    @Override
    public Contents read(HeightRange dir, String location, boolean deep) {
      PartitionFiles.Result found = partitionFiles.read(layout.resolve(location), dir, deep);
      if (iceberg != null) {
        compareWithSnapshot(dir, found.files());
      }
      return new Contents(found.rows(), found.files().size(), found.digest());
    }

    @Override
    public String expectedLocation(HeightRange partition) {
      return layout.relative(layout.partitionDir(table, partition));
    }

    @Override
    public String missingPartitionWording() {
      return "no partition directory";
    }

    @Override
    public void end() {
      if (iceberg != null) {
        reportSnapshotLeftovers();
      }
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
      findings.accept(new Finding(kind, table.tableName(),
          partition == null ? null : partition.toString(), path, expected, found, message));
    }
  }

  /**
   * Refuses to verify while an export or metadata run holds the warehouse lock: it is moving
   * files, so counts would be transient. Probes with a shared lock on a read-only channel, which
   * needs no write access, and releases it at once (a long verify must not block exports).
   */
  private static void checkNotLocked(WarehouseLayout layout) {
    WarehouseLock.State lock;
    try {
      lock = WarehouseLock.probe(layout);
    } catch (RuntimeFailureException e) {
      return; // An unreadable lock file does not stop a read-only check.
    }
    if (lock.held()) {
      throw new StateConflictException(lock.describe(layout) + "; verify when it has finished");
    }
  }
}
