package io.arexport.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalLocationTest {
  @Test
  void theThreeLocalSpellingsNameOneFileAndNothingIsDecoded() {
    for (String location : new String[] {"file:/srv/a b/x%20y/f.parquet",
        "file:///srv/a b/x%20y/f.parquet", "/srv/a b/x%20y/f.parquet",
        "file://localhost/srv/a b/x%20y/f.parquet",
        "file:/srv/a b/./t/../x%20y/f.parquet"}) {
      assertThat(LocalLocation.path(location)).as(location)
          .contains(Path.of("/srv/a b/x%20y/f.parquet"));
    }
  }

  @Test
  void otherLocationsAreNotLocalFiles() {
    for (String location : new String[] {"s3://bucket/t/f.parquet",
        "http://127.0.0.1:4000/local/f.parquet", "file://host/srv/f.parquet",
        "relative/f.parquet", "file:relative", ""}) {
      assertThat(LocalLocation.path(location)).as(location).isEmpty();
    }
  }

  @Test
  void namesAnExistingFileThroughAnotherSpellingOrALink(@TempDir Path dir) throws Exception {
    Path table = Files.createDirectories(dir.resolve("with space").resolve("blocks"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), table.getParent());
    assertThat(LocalLocation.names("file://" + table, table)).isTrue();
    assertThat(LocalLocation.names("file:" + link.resolve("blocks"), table)).isTrue();
    assertThat(LocalLocation.names("file:" + dir.resolve("with%20space/blocks"), table))
        .isFalse();
    assertThat(LocalLocation.names("file:" + dir.resolve("gone"), dir.resolve("gone"))).isFalse();
  }
}
