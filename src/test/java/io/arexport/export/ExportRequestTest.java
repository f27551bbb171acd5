package io.arexport.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import io.arexport.catalog.CatalogSpec;
import io.arexport.parquet.Compression;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@link ExportRequest.Builder}: its defaults, and that {@code build} validates and normalizes. */
class ExportRequestTest {
  private static ExportRequest.Builder builder() {
    return ExportRequest.builder(new HeightRange(10, 20), Path.of("db/core.db"),
            Path.of("db/bundles.db"))
        .stagingDir(Path.of("staging"))
        .warehouseDir(Path.of("warehouse"));
  }

  @Test
  void defaultsAreTheClisDefaultsAndDirectoryMode() {
    ExportRequest request = builder().build();

    assertThat(request.range()).isEqualTo(new HeightRange(10, 20));
    assertThat(request.heightPartitionSize()).isEqualTo(1000);
    assertThat(request.maxFileRows()).isEqualTo(1_000_000);
    assertThat(request.includeL1Transactions()).isFalse();
    assertThat(request.includeL1Tags()).isFalse();
    assertThat(request.resume()).isFalse();
    assertThat(request.compression()).isEqualTo(Compression.ZSTD);
    assertThat(request.commitIceberg()).isTrue();
    assertThat(request.threads())
        .isEqualTo(ExportRequest.defaultThreads(Runtime.getRuntime().availableProcessors()));
    assertThat(request.catalog()).isSameAs(CatalogSpec.DIRECTORY);
  }

  @Test
  void defaultThreadsAreHalfTheCoresFromOneToFour() {
    assertThat(ExportRequest.defaultThreads(1)).isEqualTo(1);
    assertThat(ExportRequest.defaultThreads(2)).isEqualTo(1);
    assertThat(ExportRequest.defaultThreads(3)).isEqualTo(1);
    assertThat(ExportRequest.defaultThreads(6)).isEqualTo(3);
    assertThat(ExportRequest.defaultThreads(8)).isEqualTo(4);
    // Beyond 8 cores the memory bound wins: 4 partitions keep the process under 512 MiB.
    assertThat(ExportRequest.defaultThreads(9)).isEqualTo(4);
    assertThat(ExportRequest.defaultThreads(128)).isEqualTo(4);
  }

  @Test
  void everySetterReachesItsComponent() {
    ExportRequest request = builder()
        .heightPartitionSize(50)
        .maxFileRows(7)
        .includeL1Transactions(true)
        .includeL1Tags(true)
        .resume(true)
        .compression(Compression.SNAPPY)
        .commitIceberg(false)
        .threads(3)
        .build();

    assertThat(request.heightPartitionSize()).isEqualTo(50);
    assertThat(request.maxFileRows()).isEqualTo(7);
    assertThat(request.includeL1Transactions()).isTrue();
    assertThat(request.includeL1Tags()).isTrue();
    assertThat(request.resume()).isTrue();
    assertThat(request.compression()).isEqualTo(Compression.SNAPPY);
    assertThat(request.commitIceberg()).isFalse();
    assertThat(request.threads()).isEqualTo(3);
  }

  @Test
  void pathsAreAbsoluteAndNormalized() {
    ExportRequest request = ExportRequest.builder(new HeightRange(0, 0), Path.of("a/../core.db"),
            Path.of("bundles.db"))
        .stagingDir(Path.of("./staging"))
        .warehouseDir(Path.of("w/./x"))
        .build();

    Path cwd = Path.of("").toAbsolutePath();
    assertThat(request.coreDb()).isEqualTo(cwd.resolve("core.db"));
    assertThat(request.bundlesDb()).isEqualTo(cwd.resolve("bundles.db"));
    assertThat(request.stagingDir()).isEqualTo(cwd.resolve("staging"));
    assertThat(request.warehouseDir()).isEqualTo(cwd.resolve("w/x"));
  }

  @Test
  void badValuesAreRejectedNamingTheValue() {
    assertThatThrownBy(() -> builder().heightPartitionSize(0).build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("heightPartitionSize")
        .hasMessageContaining(": 0");
    assertThatThrownBy(() -> builder().maxFileRows(0).build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("maxFileRows");
    assertThatThrownBy(() -> builder().threads(ExportRequest.MAX_THREADS + 1).build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("threads");
    assertThatThrownBy(() -> builder().warehouseDir(Path.of("s3://bucket/w")).build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("--warehouseDir s3:");
  }

  @Test
  void theStagingAndWarehouseDirectoriesAreRequired() {
    assertThatThrownBy(() -> ExportRequest.builder(new HeightRange(0, 0), Path.of("c"),
        Path.of("b")).warehouseDir(Path.of("w")).build())
        .isInstanceOf(NullPointerException.class).hasMessage("stagingDir");
    assertThatThrownBy(() -> ExportRequest.builder(new HeightRange(0, 0), Path.of("c"),
        Path.of("b")).stagingDir(Path.of("s")).build())
        .isInstanceOf(NullPointerException.class).hasMessage("warehouseDir");
  }
}
