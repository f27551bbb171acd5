package io.arexport.warehouse;

import io.arexport.HeightRange;
import io.arexport.RuntimeFailureException;
import io.arexport.StateConflictException;
import io.arexport.fs.DurableFiles;
import io.arexport.schema.ExportTable;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one exported partition into the warehouse so that it is all-or-nothing across a crash.
 *
 * <p>Before anything moves, the plan (every staged file and its target, every old file it
 * replaces) is written to a journal, {@code .arexport/pending-commit.json}. Then the files move
 * (a directory rename when the partition is new), replaced files are deleted (or, when Iceberg
 * metadata still references them, listed in {@link ReplacedFiles}), and the caller advances its
 * checkpoint before calling {@link #finish()}, which drops the journal. Whoever takes the
 * warehouse lock next calls {@link #recover()}: it completes an interrupted commit from the
 * journal, or, if the staged files are gone, undoes it, so readers never keep both the old and
 * the new copy of a partition, nor half of the new one.
 */
public final class PartitionCommitter {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionCommitter.class);

  private static final String JOURNAL_FILE = "pending-commit.json";

  private final WarehouseLayout layout;
  private final Path journal;

  public PartitionCommitter(WarehouseLayout layout) {
    this.layout = layout;
    this.journal = journalFile(layout);
  }

  /**
   * One staged file and where it goes (warehouse-relative). Recovery deletes {@code from} and
   * creates {@code to}, so a damaged journal naming anything but a staged data file and its place
   * in a partition directory is refused.
   */
  record Move(String from, String to) {
    Move {
      WarehouseLayout.requireDataFile("move target", to);
      // Staged as <job directory>/<table>/height=S-E/<name>, published as <table>/data/...
      String[] target = to.split("/");
      Path source = from == null ? null : Path.of(from);
      int n = source == null ? 0 : source.getNameCount();
      if (source == null || !source.isAbsolute() || !source.normalize().equals(source) || n < 3
          || !source.getName(n - 3).toString().equals(target[0])
          || !source.getName(n - 2).toString().equals(target[2])
          || !source.getName(n - 1).toString().equals(target[3])) {
        throw new IllegalArgumentException("move source " + from + " is not the staged file "
            + target[0] + "/" + target[2] + "/" + target[3] + " of a job directory");
      }
    }
  }

  /** The journal's content; a damaged one is refused (see {@link Move}). */
  record PendingCommit(String partition, List<Move> moves, List<String> replaced,
      List<String> targetDirs) {
    PendingCommit {
      if (partition == null || moves == null || replaced == null || targetDirs == null
          || moves.contains(null)) {
        throw new IllegalArgumentException(
            "it lacks one of \"partition\", \"moves\", \"replaced\", \"targetDirs\"");
      }
      replaced.forEach(path -> WarehouseLayout.requireDataFile("replaced file", path));
      targetDirs.forEach(dir -> WarehouseLayout.requirePartitionDir("target directory", dir));
    }
  }

  /**
   * Publishes {@code staged} (per table, the staged partition directory and its files) as
   * partition {@code partition}, replacing whatever the warehouse held inside that range.
   *
   * @return true when replaced files stay on disk, listed in {@link ReplacedFiles}, until an
   *     Iceberg commit drops them from the current snapshot (the caller should run it promptly)
   */
  public boolean commit(HeightRange partition, Map<ExportTable, StagedPartition> staged) {
    List<Move> moves = new ArrayList<>();
    List<String> replaced = new ArrayList<>();
    List<String> targetDirs = new ArrayList<>();
    for (ExportTable table : ExportTable.values()) {
      Path targetDir = layout.partitionDir(table, partition);
      // Every existing partition directory inside the new range holds rows the new files hold now.
      for (Path dir : layout.partitionDirs(table).entrySet().stream()
          .filter(e -> partition.contains(e.getKey())).map(Map.Entry::getValue).toList()) {
        for (Path old : WarehouseLayout.parquetFiles(dir)) {
          replaced.add(layout.relative(old));
        }
      }
      StagedPartition files = staged.get(table);
      if (files != null && !files.files().isEmpty()) {
        targetDirs.add(layout.relative(targetDir));
        for (Path file : files.files()) {
          moves.add(new Move(file.toAbsolutePath().toString(),
              layout.relative(targetDir.resolve(file.getFileName().toString()))));
        }
      }
    }
    PendingCommit pending = new PendingCommit(partition.toString(), moves, replaced, targetDirs);
    Json.write(journal, pending);
    try {
      applyMoves(pending, staged);
    } catch (RuntimeException e) {
      undoMoves(pending, e);
      throw e;
    }
    return applyReplacements(pending);
  }

  /**
   * After a move failed (disk full, read-only filesystem, I/O error) while this process is alive:
   * removes the new files already moved in, so every table of the partition shows its old files
   * only, as before the commit, instead of a mix until the next run. The checkpoint was not
   * advanced, so a resume exports the partition again. If the undo fails too, the journal stays
   * and the next run completes the commit instead.
   */
  private void undoMoves(PendingCommit pending, RuntimeException failure) {
    try {
      for (Move move : pending.moves()) {
        Path to = layout.resolve(move.to());
        DurableFiles.deleteIfExists(to.resolveSibling(".tmp-" + to.getFileName()));
        // Target names carry this run's id: an existing target is one this commit moved in.
        DurableFiles.deleteIfExists(to);
      }
      for (String dir : pending.targetDirs()) {
        Path target = layout.resolve(dir);
        if (Files.isDirectory(target)) {
          deleteIfEmpty(target);
        }
      }
      finish();
    } catch (RuntimeException undo) {
      failure.addSuppressed(undo);
      LOG.warn("partition {}: could not undo the failed commit ({}); the next run completes it",
          pending.partition(), undo.getMessage());
    }
  }

  /** Drops the journal once the caller has recorded the partition as done. */
  public void finish() {
    DurableFiles.deleteIfExists(journal);
  }

  /** Where a partition commit is journaled while it runs (and after a crash, until recovered). */
  public static Path journalFile(WarehouseLayout layout) {
    return layout.stateDir().resolve(JOURNAL_FILE);
  }

  /**
   * Why the interrupted commit's journal cannot be completed (it does not parse: every export
   * and metadata run then stops with exit 3 until it is dealt with), or empty when there is none
   * or it reads.
   */
  public static Optional<String> pendingCommitProblem(WarehouseLayout layout) {
    Path journal = journalFile(layout);
    if (!Files.exists(journal)) {
      return Optional.empty();
    }
    try {
      Json.read(journal, PendingCommit.class);
      return Optional.empty();
    } catch (StateConflictException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** What to do about a journal that cannot be read: the moves it held are unknown. */
  public static final String UNUSABLE_JOURNAL_REMEDY = "remove it, then run arexport verify over"
      + " the exported range and export again the partitions it reports";

  /** Completes or undoes a commit that a crash interrupted; no-op when there is none. */
  public void recover() {
    if (!Files.exists(journal)) {
      return;
    }
    PendingCommit pending;
    try {
      pending = Json.read(journal, PendingCommit.class);
    } catch (StateConflictException e) {
      throw new StateConflictException(e.getMessage() + "; " + UNUSABLE_JOURNAL_REMEDY, e);
    }
    boolean complete = true;
    for (Move move : pending.moves()) {
      complete &= Files.exists(Path.of(move.from())) || Files.exists(layout.resolve(move.to()));
    }
    if (complete) {
      LOG.warn("completing the interrupted commit of partition {}", pending.partition());
      for (Move move : pending.moves()) {
        // Across filesystems a file is copied, renamed into place, then its staged copy deleted;
        // a crash before that deletion leaves both, and the published one is complete.
        if (Files.exists(layout.resolve(move.to()))) {
          DurableFiles.deleteIfExists(Path.of(move.from()));
        }
      }
      applyMoves(pending, Map.of());
      applyReplacements(pending);
    } else {
      // Staged files are gone (staging deleted by hand): keep the old files, drop the new half.
      LOG.warn("undoing the interrupted commit of partition {}: its staged files are gone",
          pending.partition());
      for (Move move : pending.moves()) {
        DurableFiles.deleteIfExists(layout.resolve(move.to()));
      }
      // A directory the commit created and now holds nothing would count as an exported
      // partition (sync's coverage); a partition without rows has no directory.
      for (String dir : pending.targetDirs()) {
        Path target = layout.resolve(dir);
        if (Files.isDirectory(target)) {
          deleteIfEmpty(target);
        }
      }
    }
    finish();
  }

  private void applyMoves(PendingCommit pending, Map<ExportTable, StagedPartition> staged) {
    Set<Path> touchedDirs = new LinkedHashSet<>();
    for (ExportTable table : staged.keySet()) {
      StagedPartition files = staged.get(table);
      Path targetDir = layout.dataDir(table).resolve(files.directory().getFileName());
      if (!files.files().isEmpty() && !Files.exists(targetDir)) {
        renameDirectory(files.directory(), targetDir);
      }
    }
    for (Move move : pending.moves()) {
      Path from = Path.of(move.from());
      Path to = layout.resolve(move.to());
      if (Files.exists(from)) {
        try {
          Files.createDirectories(to.getParent());
        } catch (IOException e) {
          throw new RuntimeFailureException("cannot create " + to.getParent() + ": " + e, e);
        }
        DurableFiles.moveFile(from, to);
        touchedDirs.add(to.getParent());
      }
    }
    for (Path dir : touchedDirs) {
      DurableFiles.fsyncDirectory(dir);
    }
  }

  /** A new partition appears all at once: its staged directory is renamed into place. */
  private static void renameDirectory(Path stagedDir, Path targetDir) {
    try {
      Files.createDirectories(targetDir.getParent());
      Files.move(stagedDir, targetDir, StandardCopyOption.ATOMIC_MOVE);
      DurableFiles.fsyncDirectory(targetDir.getParent());
    } catch (AtomicMoveNotSupportedException e) {
      // Another filesystem: the per-file moves copy and rename instead.
    } catch (IOException e) {
      throw new RuntimeFailureException(
          "cannot move " + stagedDir + " to " + targetDir + ": " + e.getMessage(), e);
    }
  }

  /** Deletes or lists the replaced files; true when some are listed, awaiting Iceberg. */
  private boolean applyReplacements(PendingCommit pending) {
    List<String> kept = new ArrayList<>();
    Set<Path> oldDirs = new LinkedHashSet<>();
    for (String relative : pending.replaced()) {
      Path file = layout.resolve(relative);
      oldDirs.add(file.getParent());
      ExportTable table = ExportTable.byName(relative.substring(0, relative.indexOf('/')));
      if (layout.hasIcebergMetadata(table)) {
        kept.add(relative);
      } else {
        DurableFiles.deleteIfExists(file);
      }
    }
    if (!kept.isEmpty()) {
      ReplacedFiles.load(layout).addAll(kept);
    }
    for (Path dir : oldDirs) {
      if (!pending.targetDirs().contains(layout.relative(dir))) {
        deleteIfEmpty(dir);
      }
    }
    return !kept.isEmpty();
  }

  /** Removes a partition directory that no longer holds any file. */
  public static void deleteIfEmpty(Path dir) {
    try (Stream<Path> children = Files.list(dir)) {
      if (children.findAny().isEmpty()) {
        Files.deleteIfExists(dir);
      }
    } catch (IOException e) {
      // Not empty or already gone: leave it.
    }
  }
}
