package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL driver logs through java.util.logging, straight to stderr: a malformed URL made
 * it print a warning with the URL as typed, password included, before arexport's own error line.
 * Run in a JVM of its own, since java.util.logging's console handler is made once per JVM.
 */
class DriverLoggingTest {
  @Test
  void aUrlThePostgresDriverRefusesGivesOneLineWithoutTheSecret(@TempDir Path work)
      throws Exception {
    Path warehouse = Files.createDirectories(work.resolve("warehouse"));
    for (List<String> logging : List.of(List.<String>of(),
        List.of("-Dlogback.configurationFile=" + Files.writeString(work.resolve("logback.xml"),
            "<configuration/>")))) {
      try (ChildJvm status = ChildJvm.start(logging, Map.of(), work, "status",
          "--warehouseDir", warehouse.toString(), "--catalog-type", "jdbc", "--catalog-uri",
          "jdbc:postgresql://127.0.0.1:1/db/x/y?password=SECRETX1",
          "--catalog-warehouse", work.resolve("lake").toString())) {
        assertThat(status.waitFor(60)).isEqualTo(2);
        assertThat(status.err().lines().toList()).as(logging.toString()).singleElement()
            .asString().contains("the PostgreSQL driver does not accept this URL")
            .doesNotContain("SECRETX1");
        assertThat(status.out()).isEmpty();
      }
    }
  }
}
