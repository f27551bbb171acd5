package io.arexport.warehouse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Data files that a re-export replaced but that the current Iceberg snapshot still references, so
 * they must stay on disk until the next metadata commit drops them ({@code
 * .arexport/replaced-files.json}, warehouse-relative paths). Only tables with Iceberg metadata
 * ever have entries: elsewhere replaced files are deleted at once.
 */
public final class ReplacedFiles {
  private final Path file;
  private final TreeSet<String> paths;

  private ReplacedFiles(Path file, TreeSet<String> paths) {
    this.file = file;
    this.paths = paths;
  }

  public static ReplacedFiles load(WarehouseLayout layout) {
    Path file = layout.stateDir().resolve("replaced-files.json");
    TreeSet<String> paths = new TreeSet<>();
    if (Files.exists(file)) {
      paths.addAll(Json.read(file, Stored.class).files());
    }
    return new ReplacedFiles(file, paths);
  }

  /** Warehouse-relative paths of the replaced files still on disk. */
  public TreeSet<String> paths() {
    return new TreeSet<>(paths);
  }

  public boolean contains(String relativePath) {
    return paths.contains(relativePath);
  }

  public void addAll(Collection<String> relativePaths) {
    if (paths.addAll(relativePaths)) {
      save();
    }
  }

  public void removeAll(Collection<String> relativePaths) {
    if (paths.removeAll(relativePaths)) {
      save();
    }
  }

  private void save() {
    Json.write(file, new Stored(List.copyOf(paths)));
  }

  /** The file's content; a damaged one (no list, or a path not a data file's) is refused. */
  private record Stored(List<String> files) {
    Stored {
      if (files == null) {
        throw new IllegalArgumentException("no \"files\" list");
      }
      files.forEach(path -> WarehouseLayout.requireDataFile("replaced file", path));
    }
  }
}
