package io.arexport.serve;

import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A Parquet {@link InputFile} read over HTTP the way remote readers (DuckDB httpfs, PyIceberg's
 * fsspec) read: the size from HEAD, then only {@code Range} GETs for exactly the bytes the reader
 * asks for. Every response must be 206 with the matching {@code Content-Range} and length, or the
 * read fails; the ranges asked are recorded.
 */
final class HttpRangeInputFile implements InputFile {
  private final HttpClient client;
  private final URI uri;
  private final long length;
  final List<String> ranges = new CopyOnWriteArrayList<>();

  HttpRangeInputFile(HttpClient client, URI uri) throws IOException, InterruptedException {
    this.client = client;
    this.uri = uri;
    HttpResponse<Void> head = client.send(HttpRequest.newBuilder(uri)
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.discarding());
    if (head.statusCode() != 200) {
      throw new IOException("HEAD " + uri + ": " + head.statusCode());
    }
    this.length = Long.parseLong(head.headers().firstValue("Content-Length").orElseThrow());
  }

  @Override
  public long getLength() {
    return length;
  }

  /** Bytes {@code [first, first + count)} from one Range request. */
  private byte[] fetch(long first, int count) throws IOException {
    String range = "bytes=" + first + "-" + (first + count - 1);
    ranges.add(range);
    HttpResponse<byte[]> response;
    try {
      response = client.send(HttpRequest.newBuilder(uri).header("Range", range)
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    String contentRange = "bytes " + first + "-" + (first + count - 1) + "/" + length;
    if (response.statusCode() != 206
        || !contentRange.equals(response.headers().firstValue("Content-Range").orElse(null))
        || response.body().length != count) {
      throw new IOException("GET " + uri + " " + range + ": " + response.statusCode() + " "
          + response.headers().firstValue("Content-Range").orElse("no Content-Range") + ", "
          + response.body().length + " bytes");
    }
    return response.body();
  }

  @Override
  public SeekableInputStream newStream() {
    return new SeekableInputStream() {
      private long position;

      @Override
      public long getPos() {
        return position;
      }

      @Override
      public void seek(long newPosition) {
        position = newPosition;
      }

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] bytes, int offset, int count) throws IOException {
        if (count == 0) {
          return 0;
        }
        if (position >= length) {
          return -1;
        }
        int n = (int) Math.min(count, length - position);
        readFully(bytes, offset, n);
        return n;
      }

      @Override
      public void readFully(byte[] bytes) throws IOException {
        readFully(bytes, 0, bytes.length);
      }

      @Override
      public void readFully(byte[] bytes, int offset, int count) throws IOException {
        if (count == 0) {
          return;
        }
        if (position + count > length) {
          throw new EOFException("read past the end of " + uri);
        }
        System.arraycopy(fetch(position, count), 0, bytes, offset, count);
        position += count;
      }

      @Override
      public int read(ByteBuffer buffer) throws IOException {
        if (!buffer.hasRemaining()) {
          return 0;
        }
        if (position >= length) {
          return -1;
        }
        int n = (int) Math.min(buffer.remaining(), length - position);
        buffer.put(fetch(position, n));
        position += n;
        return n;
      }

      @Override
      public void readFully(ByteBuffer buffer) throws IOException {
        int n = buffer.remaining();
        if (position + n > length) {
          throw new EOFException("read past the end of " + uri);
        }
        if (n > 0) {
          buffer.put(fetch(position, n));
          position += n;
        }
      }
    };
  }
}
