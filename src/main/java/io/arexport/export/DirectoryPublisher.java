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
 * warehouse lock; the run ends with the Iceberg commit of the tables that have metadata.
 */
public final class DirectoryPublisher implements PartitionPublisher {
  private final WarehouseLayout layout;
  private final WarehouseLock lock;
  private final PartitionCommitter committer;
  private final IcebergSync icebergSync;
  private final boolean commitIceberg;

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
        icebergSync.checkBeforeExport(request.warehouseDir(), request.heightPartitionSize());
      }
      WarehouseLayout layout = new WarehouseLayout(request.warehouseDir());
      requireWritableDirectory(layout.root(), "warehouseDir");
      WarehouseLock lock = WarehouseLock.acquire(layout, holder);
      try {
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
    committer.commit(partition, staged);
  }

  @Override
  public void checkpointed(HeightRange partition) {
    committer.finish();
  }

  @Override
  public boolean finishRun() {
    return commitIceberg && icebergSync.syncExistingTables(layout);
  }

  @Override
  public String destination() {
    return layout.root().toString();
  }

  @Override
  public void close() {
    lock.close();
  }

  /** Creates {@code dir} if needed and checks it can be written, naming the option if not. */
  static void requireWritableDirectory(Path dir, String option) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new InvalidInputException(option + " cannot be created: " + dir + " (" + e + ")");
    }
    if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
      throw new InvalidInputException(option + " is not a writable directory: " + dir);
    }
  }
}
