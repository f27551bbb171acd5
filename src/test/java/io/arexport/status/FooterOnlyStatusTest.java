package io.arexport.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SourceOracle;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Status reads Parquet footers only, never data: over a warehouse of many small files (tiny
 * partitions, 10 rows per file), every byte it reads from each file lies in the file's footer
 * (the footer length comes from the file's own last 8 bytes), and its row counts still equal the
 * source's. No timing: reading the footer alone is what makes it fast on 10,000 files.
 */
class FooterOnlyStatusTest {
  private static final List<String> TABLES = List.of("blocks", "transactions", "tags");

  @Test
  void readsOnlyFootersOfEveryFile(@TempDir Path sources, @TempDir Path work) throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
    ExportArgs paths = ExportArgs.of(sources, work);
    HeightRange range = new HeightRange(100, 349);
    Cli.Result export = Cli.run(paths.export(range.start(), range.end(), 25,
        "--includeL1Transactions", "--includeL1Tags", "--maxFileRows", "10"));
    assertThat(export.status()).as(export.err()).isZero();

    List<Path> files;
    try (Stream<Path> walk = Files.walk(paths.warehouseDir())) {
      files = walk.filter(p -> p.toString().endsWith(".parquet")).toList();
    }
    assertThat(files.size()).as("many small files").isGreaterThan(200);

    Map<Path, Long> lowestRead = new ConcurrentHashMap<>();
    Map<Path, Long> bytesRead = new ConcurrentHashMap<>();
    StatusReader reader = new StatusReader(Clock.systemUTC(),
        file -> new RecordingFile(file, lowestRead, bytesRead), (p, s) -> "resume");
    WarehouseStatus status = reader.read(new StatusRequest(paths.warehouseDir(),
        paths.stagingDir(), paths.coreDb(), paths.bundlesDb()));

    assertThat(lowestRead.keySet()).as("every file's footer was read")
        .containsExactlyInAnyOrderElementsOf(files.stream().map(Path::toAbsolutePath).toList());
    for (Path file : files) {
      long size = Files.size(file);
      long footerStart = size - 8 - footerLength(file);
      assertThat(lowestRead.get(file.toAbsolutePath())).as("lowest byte read of " + file)
          .isGreaterThanOrEqualTo(footerStart);
      assertThat(bytesRead.get(file.toAbsolutePath())).as("bytes read of " + file)
          .isLessThanOrEqualTo(size - footerStart);
    }
    try (SourceOracle oracle = new SourceOracle(paths.coreDb(), paths.bundlesDb())) {
      long total = 0;
      for (String table : TABLES) {
        assertThat(status.tables().get(table).rows()).as(table + " rows")
            .isEqualTo(oracle.count(table, range, true, true));
        total += status.tables().get(table).files();
      }
      assertThat(total).isEqualTo(files.size());
    }
  }

  /** The footer length a Parquet file records in its last 8 bytes (length, then "PAR1"). */
  private static long footerLength(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      channel.read(tail, channel.size() - 8);
      assertThat(new String(tail.array(), 4, 4, java.nio.charset.StandardCharsets.US_ASCII))
          .isEqualTo("PAR1");
      return Integer.toUnsignedLong(tail.getInt(0));
    }
  }

  /** An InputFile that records, per file, the lowest position read and the bytes read. */
  private record RecordingFile(Path path, Map<Path, Long> lowestRead, Map<Path, Long> bytesRead)
      implements InputFile {
    @Override
    public long getLength() throws IOException {
      return Files.size(path);
    }

    @Override
    public SeekableInputStream newStream() throws IOException {
      FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
      Path key = path.toAbsolutePath();
      return new SeekableInputStream() {
        private long position;

        private int readAt(ByteBuffer buffer) throws IOException {
          lowestRead.merge(key, position, Math::min);
          int read = channel.read(buffer, position);
          if (read > 0) {
            position += read;
            bytesRead.merge(key, (long) read, Long::sum);
          }
          return read;
        }

        @Override
        public long getPos() {
          return position;
        }

        @Override
        public void seek(long newPos) {
          position = newPos;
        }

        @Override
        public int read() throws IOException {
          ByteBuffer one = ByteBuffer.allocate(1);
          return readAt(one) <= 0 ? -1 : one.get(0) & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
          return length == 0 ? 0 : readAt(ByteBuffer.wrap(bytes, offset, length));
        }

        @Override
        public void readFully(byte[] bytes) throws IOException {
          readFully(ByteBuffer.wrap(bytes));
        }

        @Override
        public void readFully(byte[] bytes, int start, int len) throws IOException {
          readFully(ByteBuffer.wrap(bytes, start, len));
        }

        @Override
        public int read(ByteBuffer buffer) throws IOException {
          return readAt(buffer);
        }

        @Override
        public void readFully(ByteBuffer buffer) throws IOException {
          while (buffer.hasRemaining()) {
            if (readAt(buffer) < 0) {
              throw new EOFException(path.toString());
            }
          }
        }

        @Override
        public void close() throws IOException {
          channel.close();
        }
      };
    }
  }
}
