package io.arexport.parquet;

import java.nio.file.Path;
import org.apache.parquet.io.LocalInputFile;

/**
 * A local Parquet file for parquet-java's readers that names itself by its path: parquet-java
 * puts the input file into its messages ("... is not a Parquet file"), and its own {@code
 * LocalInputFile} has no {@code toString}, so operators read {@code LocalInputFile@290d210d}.
 */
public final class LocalParquetFile extends LocalInputFile {
  private final Path path;

  public LocalParquetFile(Path path) {
    super(path);
    this.path = path;
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
