package io.arexport.testing;

import static org.apache.parquet.filter2.predicate.FilterApi.binaryColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.eq;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.compat.RowGroupFilter;
import org.apache.parquet.filter2.compat.RowGroupFilter.FilterLevel;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.api.Binary;

/**
 * Benchmark helper (scripts/bench-export): what {@code WHERE id = X} over a whole table costs a
 * reader that prunes row groups with parquet-java's own filter (the one Iceberg's and Spark's
 * Parquet readers use), with and without the bloom filter level. Prints the files and bytes such
 * a reader reads: each footer, the bloom filters it consults, and the {@code id} column chunks of
 * the row groups it cannot skip.
 *
 * <pre>java -cp ... io.arexport.testing.PointLookup WAREHOUSE TABLE ID_HEX</pre>
 */
public final class PointLookup {
  private PointLookup() {}

  public static void main(String[] args) throws Exception {
    Path tableDir = Path.of(args[0]).resolve(args[1]);
    byte[] id = HexFormat.of().parseHex(args[2].toLowerCase());
    List<Path> files;
    try (Stream<Path> paths = Files.walk(tableDir)) {
      files = paths.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
    }
    long tableBytes = 0;
    for (Path file : files) {
      tableBytes += Files.size(file);
    }
    System.out.printf("%s: %d files, %d bytes%n", args[1], files.size(), tableBytes);
    for (boolean bloom : new boolean[] {false, true}) {
      List<FilterLevel> levels = bloom
          ? List.of(FilterLevel.STATISTICS, FilterLevel.DICTIONARY, FilterLevel.BLOOMFILTER)
          : List.of(FilterLevel.STATISTICS, FilterLevel.DICTIONARY);
      long bytes = 0;
      int filesRead = 0;
      for (Path file : files) {
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
          bytes += footerBytes(file);
          List<BlockMetaData> blocks = reader.getFooter().getBlocks();
          List<BlockMetaData> kept = RowGroupFilter.filterRowGroups(levels,
              FilterCompat.get(eq(binaryColumn("id"), Binary.fromConstantByteArray(id))),
              blocks, reader);
          for (BlockMetaData block : blocks) {
            ColumnChunkMetaData idChunk = block.getColumns().stream()
                .filter(c -> c.getPath().toDotString().equals("id")).findFirst().orElseThrow();
            if (bloom && idChunk.getBloomFilterOffset() >= 0) {
              bytes += Math.max(0, idChunk.getBloomFilterLength());
            }
            if (kept.contains(block)) {
              bytes += idChunk.getTotalSize();
            }
          }
          if (!kept.isEmpty()) {
            filesRead++;
          }
        }
      }
      System.out.printf("  %-28s row groups read in %d of %d files, %d bytes read%n",
          bloom ? "statistics+dictionary+bloom:" : "statistics+dictionary:", filesRead,
          files.size(), bytes);
    }
  }

  /** The footer and its 8-byte trailer (length and magic), which every reader reads. */
  private static long footerBytes(Path file) throws Exception {
    try (var channel = Files.newByteChannel(file)) {
      java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate(8)
          .order(java.nio.ByteOrder.LITTLE_ENDIAN);
      channel.position(channel.size() - 8);
      channel.read(tail);
      return tail.getInt(0) + 8L;
    }
  }
}
