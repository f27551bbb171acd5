package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/parquet-export-v2}, run by bash beside a stub {@code arexport} that records its
 * arguments: without {@code --verify-count} it execs the export unchanged; with it, it runs the
 * export without the flag and then {@code verify} with the export's range, partition size, L1
 * flags, databases, warehouse and output options only, quoting intact, passing statuses and
 * signals on. The real commands behind it are tested elsewhere.
 */
class ParquetExportV2ScriptTest {
  private static final String STUB = """
      #!/usr/bin/env bash
      { printf 'CALL'; for a in "$@"; do printf ' <%s>' "$a"; done; printf '\\n'; } >> "$STUB_LOG"
      if [ "$1" = export ] && [ -n "${STUB_SLEEP:-}" ]; then
        trap 'echo "export got TERM" >> "$STUB_LOG"; kill "$sleeper"; exit 1' TERM
        sleep "$STUB_SLEEP" &
        sleeper=$!
        echo started >> "$STUB_LOG"
        wait "$sleeper"
      fi
      for a in "$@"; do
        if [ "$a" = --json ]; then printf '{\n  "%s" : "summary"\n}\n' "$1"; fi
      done
      case "$1" in
        export) exit "${STUB_EXPORT_STATUS:-0}" ;;
        verify) exit "${STUB_VERIFY_STATUS:-0}" ;;
      esac
      """;

  @TempDir Path dir;
  Path script;
  Path log;

  @BeforeEach
  void install() throws IOException {
    Path scripts = Files.createDirectories(dir.resolve("scripts"));
    script = scripts.resolve("parquet-export-v2");
    Files.copy(Path.of("scripts", "parquet-export-v2"), script, StandardCopyOption.COPY_ATTRIBUTES);
    Path stub = scripts.resolve("arexport");
    Files.writeString(stub, STUB);
    Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    log = dir.resolve("calls.log");
  }

  @Test
  void withoutVerifyCountTheArgumentsGoToExportUnchanged() throws Exception {
    int status = run(Map.of(), "--startHeight", "1", "--endHeight", "2", "--coreDb",
        "/a path/with 'quotes'.db", "--resume");

    assertThat(status).isZero();
    assertThat(calls()).containsExactly(
        "CALL <export> <--startHeight> <1> <--endHeight> <2> <--coreDb> </a path/with 'quotes'.db>"
            + " <--resume>");
  }

  @Test
  void verifyCountRunsVerifyWithTheSameRangePathsAndFlags() throws Exception {
    int status = run(Map.of(), "--startHeight", "1000", "--end-height=2000",
        "--heightPartitionSize", "500", "--maxFileRows", "7", "--includeL1Transactions",
        "--include-l1-tags", "--coreDb", "/db dir/core.db", "--bundles-db=/db dir/b$x.db",
        "--stagingDir", "/staging", "--compression=gzip", "--resume", "--no-iceberg",
        "--verify-count", "--datasets-dir", "/wh/default dir", "--json", "--stacktrace");

    assertThat(status).isZero();
    assertThat(calls()).containsExactly(
        "CALL <export> <--startHeight> <1000> <--end-height=2000> <--heightPartitionSize> <500>"
            + " <--maxFileRows> <7> <--includeL1Transactions> <--include-l1-tags> <--coreDb>"
            + " </db dir/core.db> <--bundles-db=/db dir/b$x.db> <--stagingDir> </staging>"
            + " <--compression=gzip> <--resume> <--no-iceberg> <--datasets-dir>"
            + " </wh/default dir> <--json> <--stacktrace>",
        "CALL <verify> <--startHeight> <1000> <--end-height=2000> <--heightPartitionSize> <500>"
            + " <--includeL1Transactions> <--include-l1-tags> <--coreDb> </db dir/core.db>"
            + " <--bundles-db=/db dir/b$x.db> <--datasets-dir> </wh/default dir> <--json>"
            + " <--stacktrace>");
  }

  /** In catalog mode verify must check the catalog, not a directory warehouse by default. */
  @Test
  void catalogOptionsReachVerify() throws Exception {
    int status = run(Map.of(), "--startHeight", "1", "--endHeight", "2", "--verify-count",
        "--catalog-type", "jdbc", "--catalog-uri=jdbc:postgresql://db/ice",
        "--catalog-warehouse", "s3://b/p", "--catalog-name=ario", "--namespace", "ns",
        "--catalog-property", "jdbc.user=u", "--catalog-config=/etc/c.properties");

    assertThat(status).isZero();
    assertThat(calls()).element(1).isEqualTo(
        "CALL <verify> <--startHeight> <1> <--endHeight> <2> <--catalog-type> <jdbc>"
            + " <--catalog-uri=jdbc:postgresql://db/ice> <--catalog-warehouse> <s3://b/p>"
            + " <--catalog-name=ario> <--namespace> <ns> <--catalog-property> <jdbc.user=u>"
            + " <--catalog-config=/etc/c.properties>");
  }

  /** The flags' explicit-value form ({@code =true}, {@code =false}) reaches verify as given. */
  @Test
  void flagsWithAValueReachVerifyWithIt() throws Exception {
    int status = run(Map.of(), "--startHeight", "1", "--endHeight", "2",
        "--includeL1Transactions=true", "--include-l1-tags=false", "--verify-count");

    assertThat(status).isZero();
    assertThat(calls()).last().isEqualTo("CALL <verify> <--startHeight> <1> <--endHeight> <2>"
        + " <--includeL1Transactions=true> <--include-l1-tags=false>");
  }

  @Test
  void aFailedExportIsNotVerifiedAndItsStatusIsKept() throws Exception {
    int status = run(Map.of("STUB_EXPORT_STATUS", "3"), "--startHeight", "1", "--endHeight",
        "2", "--verify-count");

    assertThat(status).isEqualTo(3);
    assertThat(calls()).hasSize(1);
  }

  @Test
  void verifyStatusIsTheScriptsStatus() throws Exception {
    int status = run(Map.of("STUB_VERIFY_STATUS", "1"), "--verify-count", "--startHeight", "1",
        "--endHeight", "2");

    assertThat(status).isEqualTo(1);
    assertThat(calls()).hasSize(2);
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "SIG{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"TERM", "INT", "HUP"})
  void aStopSignalToTheScriptReachesTheRunningExport(String signal) throws Exception {
    Process process = start(Map.of("STUB_SLEEP", "30"), "--startHeight", "1", "--endHeight",
        "2", "--verify-count");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!(Files.exists(log) && Files.readString(log).contains("started"))) {
      assertThat(System.nanoTime()).as("stub export started").isLessThan(deadline);
      Thread.sleep(20);
    }
    // To bash, not to the export: the script passes it on (a terminal that closes sends HUP).
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
        .inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();

    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(1);
    assertThat(Files.readString(log)).contains("export got TERM").doesNotContain("<verify>");
  }

  @Test
  void verifyCountWithJsonPrintsOneDocument() throws Exception {
    int status = run(Map.of("STUB_VERIFY_STATUS", "1"), "--startHeight", "1", "--endHeight",
        "2", "--verify-count", "--json");

    assertThat(status).as("verify's status").isEqualTo(1);
    com.fasterxml.jackson.databind.JsonNode document =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature
                .FAIL_ON_TRAILING_TOKENS)
            .readTree(Files.readString(dir.resolve("output.txt")));
    assertThat(document.get("export").get("export").asText()).isEqualTo("summary");
    assertThat(document.get("verify").get("verify").asText()).isEqualTo("summary");

    int failed = run(Map.of("STUB_EXPORT_STATUS", "3"), "--startHeight", "1", "--endHeight",
        "2", "--verify-count", "--json");
    assertThat(failed).isEqualTo(3);
    com.fasterxml.jackson.databind.JsonNode exportOnly =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(Files.readString(dir.resolve("output.txt")));
    assertThat(exportOnly.get("export").asText()).as("the export's own document, as it is")
        .isEqualTo("summary");
    assertThat(exportOnly.has("verify")).isFalse();
  }

  private int run(Map<String, String> env, String... args) throws Exception {
    Process process = start(env, args);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return process.exitValue();
  }

  private Process start(Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("output.txt").toFile());
    builder.environment().put("STUB_LOG", log.toString());
    builder.environment().putAll(env);
    return builder.start();
  }

  private List<String> calls() throws IOException {
    return Files.readAllLines(log).stream().filter(l -> l.startsWith("CALL")).toList();
  }
}
