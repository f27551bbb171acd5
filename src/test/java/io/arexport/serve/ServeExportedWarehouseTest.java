package io.arexport.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.testing.Cli;
import io.arexport.testing.SampleDatabases;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A warehouse written by {@code arexport export}, served over HTTP: every visible file downloads
 * byte for byte, nothing under a dot-path does, and an independent Parquet reader (parquet-java)
 * reads every data file through Range requests alone, as a remote engine would, getting the
 * same rows as from the local file. (DuckDB's httpfs extension cannot be downloaded here, so the
 * remote read is done by parquet-java over the same Range protocol httpfs uses.)
 */
class ServeExportedWarehouseTest {
  @TempDir static Path work;
  static Path warehouse;
  static WarehouseServer server;
  static HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void exportAndServe() throws Exception {
    Path core = work.resolve("core.db");
    Path bundles = work.resolve("bundles.db");
    SampleDatabases.generate(new SampleDatabases.Spec(7, 100, 219, 1, 2, 3), core, bundles);
    warehouse = work.resolve("warehouse");
    Cli.Result export = Cli.run("export", "--startHeight", "100", "--endHeight", "219",
        "--heightPartitionSize", "50", "--maxFileRows", "100", "--includeL1Transactions",
        "--includeL1Tags", "--coreDb", core.toString(), "--bundlesDb", bundles.toString(),
        "--stagingDir", work.resolve("staging").toString(),
        "--warehouseDir", warehouse.toString());
    assertThat(export.status()).as(export.err()).isZero();
    server = WarehouseServer.start(new ServeRequest(warehouse, "127.0.0.1", 0,
        "/local/datasets/default"), new PrintStream(OutputStream.nullOutputStream()),
        Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static List<Path> files() throws Exception {
    try (Stream<Path> walk = Files.walk(warehouse)) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    }
  }

  static URI url(Path file) {
    return URI.create(server.baseUri() + "/"
        + warehouse.relativize(file).toString().replace("=", "%3D"));
  }

  static boolean hidden(Path file) {
    for (Path name : warehouse.relativize(file)) {
      if (name.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void everyVisibleFileDownloadsByteForByteAndNoHiddenOneDoes() throws Exception {
    List<Path> files = files();
    assertThat(files).anyMatch(f -> f.toString().endsWith(".parquet"));
    assertThat(files).as("export's own state, e.g. .arexport/lock").anyMatch(f -> hidden(f));

    for (Path file : files) {
      HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(url(file)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      if (hidden(file)) {
        assertThat(response.statusCode()).as(file.toString()).isEqualTo(404);
      } else {
        assertThat(response.statusCode()).as(file.toString()).isEqualTo(200);
        assertThat(response.body()).as(file.toString()).isEqualTo(Files.readAllBytes(file));
      }
    }
  }

  @Test
  void parquetReaderReadsEveryDataFileThroughRangeRequestsAlone() throws Exception {
    List<Path> parquetFiles = files().stream()
        .filter(f -> f.toString().endsWith(".parquet") && !hidden(f)).toList();
    assertThat(parquetFiles).hasSizeGreaterThan(6); // 3 tables x 3 partitions, some split

    for (Path file : parquetFiles) {
      HttpRangeInputFile remote = new HttpRangeInputFile(client, url(file));

      List<String> remoteRows = rows(remote);

      assertThat(remoteRows).as(file.toString()).isNotEmpty()
          .containsExactlyElementsOf(rows(new LocalInputFile(file)));
      long size = Files.size(file);
      // The footer is found from the end first (length and magic: the last 8 bytes).
      assertThat(remote.ranges.get(0)).startsWith("bytes=" + (size - 8) + "-");
      assertThat(remote.ranges).hasSizeGreaterThan(2);
    }
  }

  /** Every row of a Parquet file, rendered by parquet-java's example Group model. */
  private static List<String> rows(InputFile input) throws Exception {
    List<String> rows = new ArrayList<>();
    try (ParquetFileReader reader = ParquetFileReader.open(input)) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      PageReadStore rowGroup;
      while ((rowGroup = reader.readNextRowGroup()) != null) {
        RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema)
            .getRecordReader(rowGroup, new GroupRecordConverter(schema));
        for (long i = 0; i < rowGroup.getRowCount(); i++) {
          rows.add(records.read().toString());
        }
      }
    }
    return rows;
  }
}
