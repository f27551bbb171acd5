package io.arexport.export;

import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import io.arexport.schema.ExportTable;
import io.arexport.warehouse.PartitionCommitter;
import io.arexport.warehouse.StagedPartition;
import io.arexport.warehouse.WarehouseLayout;
import io.arexport.warehouse.WarehouseLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Directory mode (contract section 4): the warehouse directory is the truth. Publishing a
 * partition is {@link PartitionCommitter}'s journaled rename into the warehouse, under the
 * warehouse lock; the run ends with the Iceberg commit of the tables that have metadata. A
 * partition that replaced files of such a table is committed to Iceberg at once, so the replaced
 * files are deleted then (and the snapshots listing them expired), not at the end of the run.
 */
public final class DirectoryPublisher implements PartitionPublisher {
  private final WarehouseLayout layout;
  private final WarehouseLock lock;
  private final PartitionCommitter committer;
  private final IcebergSync icebergSync;
  private final boolean commitIceberg;
  /** An Iceberg commit already ran during this run (after a replacing partition). */
  private boolean icebergCommitted;

  private DirectoryPublisher(WarehouseLayout layout, WarehouseLock lock,
      PartitionCommitter committer, IcebergSync icebergSync, boolean commitIceberg) {
    this.layout = layout;
    this.lock = lock;
    this.committer = committer;
    this.icebergSync = icebergSync;
    this.commitIceberg = commitIceberg;
  }

  /**
   * The opener of directory mode: checks that the closing Iceberg commit will be possible (before
   * anything is replaced), creates the warehouse, takes its lock and completes or undoes a
   * partition commit a crash interrupted.
   */
  public static PartitionPublisher.Opener opener(IcebergSync icebergSync) {
    return (request, holder) -> {
      if (request.commitIceberg()) {
        icebergSync.checkBeforeExport(request.warehouseDir(), request.heightPartitionSize(),
            request.range());
      }
      WarehouseLayout layout = new WarehouseLayout(request.warehouseDir());
      requireWritableDirectory(layout.root(), "warehouseDir");
      WarehouseLock lock = WarehouseLock.acquire(layout, holder);
      try {
        layout.requireNotOwnedByACatalog();
        PartitionCommitter committer = new PartitionCommitter(layout);
        committer.recover();
        return new DirectoryPublisher(layout, lock, committer, icebergSync,
            request.commitIceberg());
      } catch (RuntimeException | Error e) {
        lock.close();
        throw e;
      }
    };
  }

  @Override
  public List<PublishedPartition> publishedPartitions(HeightRange heights) {
    List<PublishedPartition> partitions = new ArrayList<>();
    for (ExportTable table : ExportTable.values()) {
      for (Map.Entry<HeightRange, Path> dir : layout.partitionDirs(table).entrySet()) {
        if (dir.getKey().overlaps(heights)) {
          partitions.add(new PublishedPartition(table, dir.getKey(), dir.getValue().toString()));
        }
      }
    }
    return partitions;
  }

  @Override
  public void publish(HeightRange partition, Map<ExportTable, StagedPartition> staged) {
    boolean replacedAwaitIceberg = committer.commit(partition, staged);
    if (replacedAwaitIceberg && commitIceberg) {
      // Files this partition replaced are still in the current Iceberg snapshot: commit now, so
      // they are deleted at once (Parquet-glob readers must not see two copies for a whole run)
      // and the snapshots that list them are expired in that same commit. Before the checkpoint
      // advances: a crash here leaves them listed in replaced-files.json for the next commit.
      icebergCommitted |= icebergSync.syncExistingTables(layout);
    }
  }

  @Override
  public void checkpointed(HeightRange partition) {
    committer.finish();
  }

  @Override
  public boolean finishRun() {
    boolean committedNow = commitIceberg && icebergSync.syncExistingTables(layout);
    return committedNow || icebergCommitted;
  }

  @Override
  public String destination() {
    return layout.root().toString();
  }

  @Override
  public void close() {
    lock.close();
  }

  /** Creates {@code dir} (and its parents) after {@link #requireCreatableDirectory}. */
  static void requireWritableDirectory(Path dir, String option) {
    requireCreatableDirectory(dir, option);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new InvalidInputException(option + " cannot be created: " + dir + " ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
    }
  }

  /**
   * Checks, creating nothing, that {@code dir} is a writable directory or can be made one: its
   * nearest existing ancestor is a writable directory. So a run refused later (an unusable
   * warehouse, an unreachable catalog) leaves no empty directory behind.
   */
  static void requireCreatableDirectory(Path dir, String option) {
    Path existing = dir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    String what = option + " " + dir;
    if (existing == null) {
      throw new InvalidInputException(what + " cannot be created: no parent directory exists");
    }
    String where = existing.equals(dir.toAbsolutePath()) ? ""
        : " cannot be created: " + existing;
    if (!Files.isDirectory(existing)) {
      throw new InvalidInputException(what + where + " is not a directory");
    }
    if (!Files.isWritable(existing)) {
      throw new InvalidInputException(what + where + " is not writable");
    }
  }
}
