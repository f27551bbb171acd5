package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/test-parquet-export} deletes its WORK_DIR on every run, so it must refuse one it
 * did not make: a warehouse, a home directory or any directory with other files survives. Run by
 * bash beside a stub {@code arexport} that records its calls and fails the export (the script
 * then stops there; the real run is CI's sample smoke run).
 */
class TestParquetExportScriptTest {
  private static final String STUB = """
      #!/usr/bin/env bash
      echo "CALL $1" >> "$STUB_LOG"
      [ "$1" = export ] && exit 7
      exit 0
      """;

  @TempDir Path dir;
  Path script;
  Path log;

  record Run(int status, String output) {}

  @BeforeEach
  void install() throws IOException {
    Path scripts = Files.createDirectories(dir.resolve("scripts"));
    script = scripts.resolve("test-parquet-export");
    Files.copy(Path.of("scripts", "test-parquet-export"), script,
        StandardCopyOption.COPY_ATTRIBUTES);
    Path stub = scripts.resolve("arexport");
    Files.writeString(stub, STUB);
    Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path testdata = Files.createDirectories(dir.resolve("testdata"));
    Files.writeString(testdata.resolve("core.db"), "core");
    Files.writeString(testdata.resolve("bundles.db"), "bundles");
    log = dir.resolve("calls.log");
  }

  @Test
  void aDirectoryItDidNotMakeIsRefusedAndKept() throws Exception {
    Path precious = Files.createDirectories(dir.resolve("data/datasets/keep"));
    Files.writeString(precious.resolve("file.txt"), "important");
    Path work = dir.resolve("data");

    Run run = run(work.toString());

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.output().lines().toList()).singleElement().asString()
        .contains(work.toString()).contains("was not made by this script");
    assertThat(precious.resolve("file.txt")).hasContent("important");
    assertThat(log).doesNotExist();
  }

  @Test
  void itsOwnOrAnEmptyDirectoryIsMadeAnew() throws Exception {
    Path work = dir.resolve("it's mine");
    Files.createDirectories(work);

    Run first = run(work.toString());
    assertThat(first.status()).as(first.output()).isEqualTo(7);
    assertThat(work.resolve(".test-parquet-export")).exists();
    assertThat(work.resolve("sqlite/core.db")).hasContent("core");
    Files.writeString(work.resolve("left-over.txt"), "from the last run");

    Run second = run(work.toString());
    assertThat(second.status()).as(second.output()).isEqualTo(7);
    assertThat(work.resolve("left-over.txt")).doesNotExist();
    assertThat(Files.readAllLines(log)).containsExactly("CALL export", "CALL export");
  }

  @Test
  void optionsAreUsageNotPaths() throws Exception {
    Run help = run("--help");
    assertThat(help.status()).isZero();
    assertThat(help.output()).startsWith("usage: scripts/test-parquet-export [WORK_DIR]");

    for (List<String> args : List.of(List.of("--bogus"), List.of("a", "b"), List.of(""))) {
      Run refused = run(args.toArray(String[]::new));
      assertThat(refused.status()).as(args.toString()).isEqualTo(2);
      assertThat(refused.output().lines().toList()).as(args.toString()).singleElement()
          .asString().startsWith("test-parquet-export: ");
    }
    assertThat(log).doesNotExist();
    assertThat(dir.resolve("--bogus")).doesNotExist();
    assertThat(dir.resolve("a")).doesNotExist();
  }

  private Run run(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(List.of(args));
    Path output = dir.resolve("output.txt");
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().put("STUB_LOG", log.toString());
    Process process = builder.start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
  }
}
