package io.arexport.parquet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.InputFile;

/**
 * Row counts of Parquet files from their footers alone ({@code status}, {@code sync}): {@link
 * ParquetFileReader#open} reads the footer (the file's last 8 bytes, then the footer they point
 * to) and the row groups' counts are in it, so no data page is ever read, however large the file.
 *
 * <p>The read options are built once: {@code ParquetFileReader.open(file)} without them builds a
 * Hadoop {@code Configuration} per file, parsing Hadoop's default XML resources each time, which
 * cost more than reading the footer.
 */
public final class FooterRows {
  private final Function<Path, InputFile> files;
  private final ParquetReadOptions options = ParquetReadOptions.builder().build();

  /** @param files how a file is opened (tests wrap it to see which bytes are read) */
  public FooterRows(Function<Path, InputFile> files) {
    this.files = files;
  }

  public static FooterRows local() {
    return new FooterRows(LocalParquetFile::new);
  }

  public long rows(Path file) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(files.apply(file), options)) {
      long rows = 0;
      for (BlockMetaData block : reader.getFooter().getBlocks()) {
        rows += block.getRowCount();
      }
      return rows;
    }
  }
}
