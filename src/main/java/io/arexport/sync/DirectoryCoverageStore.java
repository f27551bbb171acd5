package io.arexport.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import io.arexport.RuntimeFailureException;
import io.arexport.StateConflictException;
import io.arexport.fs.DurableFiles;
import io.arexport.parquet.FooterRows;
import io.arexport.schema.ExportTable;
import io.arexport.warehouse.PartitionCommitter;
import io.arexport.warehouse.WarehouseLayout;
import io.arexport.warehouse.WarehouseLock;
import io.arexport.warehouse.WarehouseLockedException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Coverage of a directory warehouse: the union of
 * <ul>
 *   <li>every partition directory of every table. A partition is published for all three tables
 *       in one commit (see {@code PartitionCommitter}), so a directory {@code height=S-E} of any
 *       table proves that all of {@code S-E} was exported; and
 *   <li>the heights recorded in {@code .arexport/exported-heights.json} by earlier syncs. A
 *       table-partition without rows has no file, so a partition without rows in any table leaves
 *       no directory at all; only this record says it was exported.
 * </ul>
 * The record is written (temp file, fsync, rename) after an export of a range succeeded, so it
 * never claims a height that is not published; a crash before it only loses the claim for
 * partitions without rows, which a later sync exports again (cheaply: there is nothing to
 * read). A warehouse without the record (written by {@code export} or an older version) falls
 * back to its directories alone.
 */
public final class DirectoryCoverageStore implements CoverageStore {
  static final String RECORD = "exported-heights.json";

  private final WarehouseLayout layout;
  private final Path file;

  public DirectoryCoverageStore(WarehouseLayout layout) {
    this.layout = layout;
    this.file = layout.stateDir().resolve(RECORD);
  }

  /** The record file, {@code <warehouse>/.arexport/exported-heights.json}. */
  public Path recordFile() {
    return file;
  }

  @Override
  public Coverage covered() {
    return directories().plus(recorded());
  }

  /** The heights of the partition directories alone. */
  public Coverage directories() {
    List<HeightRange> ranges = new ArrayList<>();
    for (ExportTable table : ExportTable.values()) {
      ranges.addAll(layout.partitionDirs(table).keySet());
    }
    return Coverage.of(ranges);
  }

  /** The heights in the record alone; empty when there is no record. */
  public Coverage recorded() {
    return read().map(CoverageRecord::heights).orElse(Coverage.EMPTY);
  }

  @Override
  public long rows(ExportTable table, HeightRange partition) {
    FooterRows footers = FooterRows.local();
    long rows = 0;
    // Every directory inside it: exports that started mid-partition cut it into several.
    for (var dir : layout.partitionDirs(table).entrySet()) {
      if (!partition.contains(dir.getKey())) {
        continue;
      }
      for (Path file : WarehouseLayout.parquetFiles(dir.getValue())) {
        try {
          rows += footers.rows(file);
        } catch (IOException e) {
          throw new RuntimeFailureException("cannot read the footer of " + file + ": "
              + e.getMessage(), e);
        }
      }
    }
    return rows;
  }

  @Override
  public Optional<ExportSettings> recordedSettings() {
    return read().map(CoverageRecord::settings);
  }

  @Override
  public void record(HeightRange exported, ExportSettings settings) {
    CoverageRecord next = CoverageRecord.after(recorded(), exported, settings);
    try {
      Files.createDirectories(file.getParent());
      DurableFiles.writeAtomically(file, next.json(true).getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return layout.root().toString();
  }

  @Override
  public String resetHint() {
    return "delete " + file;
  }

  /** The warehouse lock: a sync that finds it held waits (--watch) or exits 3. */
  @Override
  public void checkNoWriter() {
    WarehouseLock.State lock = WarehouseLock.probe(layout);
    if (lock.held()) {
      throw new WarehouseLockedException(lock.describe(layout));
    }
  }

  /** Under the warehouse lock, as an export recovers it when it opens the warehouse. */
  @Override
  public void recoverInterruptedCommit() {
    if (!Files.exists(PartitionCommitter.journalFile(layout))) {
      return;
    }
    try (WarehouseLock lock = WarehouseLock.acquire(layout,
        "arexport sync (pid " + ProcessHandle.current().pid() + ", recovering a commit)")) {
      layout.requireNotOwnedByACatalog();
      new PartitionCommitter(layout).recover();
    }
  }

  private Optional<CoverageRecord> read() {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    String json;
    try {
      json = Files.readString(file);
    } catch (CharacterCodingException e) {
      throw corrupt(e);
    } catch (IOException e) {
      // Reading failed, not the record: nothing to delete.
      throw new RuntimeFailureException("cannot read " + file + ": " + e.getMessage(), e);
    }
    try {
      return Optional.of(CoverageRecord.parse(json));
    } catch (JsonProcessingException | IllegalArgumentException | InvalidInputException e) {
      throw corrupt(e);
    }
  }

  private StateConflictException corrupt(Exception e) {
    return new StateConflictException("cannot read " + file + " (corrupt?): "
        + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
        + "; delete it to fall back to the partition directories", e);
  }
}
