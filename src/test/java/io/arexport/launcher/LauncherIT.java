package io.arexport.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/arexport}, the launcher, run by bash on the packaged jar in a copy of the
 * project layout ({@code scripts/}, {@code target/}, {@code testdata/}): it makes the class-data
 * archive of the build once, uses it on later runs, makes a new one when the jar is newer, and
 * still runs the command when no archive can be made; stdout carries only the command's output.
 * It also chooses the heap: fixed and sized by {@code --threads} for export and sync, small and
 * growing for the other commands.
 */
class LauncherIT {
  @TempDir Path root;
  Path target;

  @BeforeEach
  void layOut() throws IOException {
    Files.createDirectories(root.resolve("scripts"));
    Files.copy(Path.of("scripts", "arexport"), root.resolve("scripts/arexport"),
        StandardCopyOption.COPY_ATTRIBUTES);
    target = Files.createDirectories(root.resolve("target"));
    Files.copy(Path.of("target", "arexport.jar"), target.resolve("arexport.jar"));
    Files.createDirectories(root.resolve("testdata"));
    for (String db : List.of("core.db", "bundles.db")) {
      Files.copy(Path.of("testdata", db), root.resolve("testdata").resolve(db));
    }
  }

  @Test
  void theFirstRunMakesTheArchiveAndLaterRunsUseIt() throws Exception {
    Result first = run(Map.of(), "--version");
    assertThat(first.status()).isZero();
    assertThat(first.stdout()).startsWith("arexport ");
    assertThat(first.stderr()).contains("preparing the class-data archive");
    List<Path> archives = archives();
    assertThat(archives).hasSize(1);
    assertThat(Files.size(archives.get(0))).isGreaterThan(1 << 20);
    // No temporary archive is left behind.
    try (Stream<Path> files = Files.list(target)) {
      assertThat(files.map(Path::getFileName).map(Path::toString))
          .noneMatch(name -> name.endsWith(".tmp"));
    }

    // -Xshare:on makes the JVM fail instead of running without the archive: it is valid and used.
    Result second = run(Map.of("AREXPORT_JAVA_OPTS", "-Xshare:on"), "--version");
    assertThat(second.status()).isZero();
    assertThat(second.stdout()).isEqualTo(first.stdout());
    assertThat(second.stderr()).doesNotContain("preparing");
    assertThat(archives()).isEqualTo(archives);
  }

  @Test
  void runsThroughASymlinkOnThePath() throws Exception {
    // README: ln -s "$PWD/scripts/arexport" ~/.local/bin/arexport
    Path bin = Files.createDirectories(root.resolve("elsewhere/bin"));
    Path link = Files.createSymbolicLink(bin.resolve("arexport"),
        root.resolve("scripts/arexport"));

    Result result = run(link, Map.of("AREXPORT_CDS", "off"), "--version");

    assertThat(result.status()).as(result.stderr()).isZero();
    assertThat(result.stdout()).startsWith("arexport ");
    assertThat(root.resolve("elsewhere/target")).doesNotExist();
  }

  @Test
  void aNewerJarGetsANewArchive() throws Exception {
    assertThat(run(Map.of(), "--version").status()).isZero();
    Path archive = archives().get(0);
    FileTime before = Files.getLastModifiedTime(archive);
    Files.setLastModifiedTime(target.resolve("arexport.jar"),
        FileTime.from(Instant.now().plusSeconds(5)));

    Result rebuilt = run(Map.of("AREXPORT_JAVA_OPTS", "-Xshare:on"), "--version");
    assertThat(rebuilt.status()).isZero();
    assertThat(rebuilt.stderr()).contains("preparing the class-data archive");
    assertThat(rebuilt.stdout()).startsWith("arexport ").doesNotContain("warning");
    assertThat(Files.getLastModifiedTime(archive)).isGreaterThan(before);
  }

  /**
   * An archive records the jar's path: a checkout moved (or copied with its target/) must make
   * its own, not warn on every run that the old one cannot be mapped.
   */
  @Test
  void aMovedCheckoutGetsItsOwnArchive() throws Exception {
    assertThat(run(Map.of(), "--version").status()).isZero();
    Path moved = Files.createDirectories(root.resolve("moved"));
    for (String dir : List.of("scripts", "target", "testdata")) {
      Files.move(root.resolve(dir), moved.resolve(dir));
    }
    target = moved.resolve("target");
    Path launcher = moved.resolve("scripts/arexport");

    Result first = run(launcher, Map.of(), "--version");
    assertThat(first.status()).as(first.stderr()).isZero();
    assertThat(first.stderr()).contains("preparing the class-data archive")
        .doesNotContain("Unable to use shared archive");
    Result second = run(launcher, Map.of("AREXPORT_JAVA_OPTS", "-Xshare:on"), "--version");
    assertThat(second.status()).as(second.stderr()).isZero();
    assertThat(second.stderr()).isEmpty();
    assertThat(archives()).hasSize(2);
  }

  @Test
  void withoutTheSampleDataOrWithCdsOffTheCommandRunsWithoutAnArchive() throws Exception {
    Result off = run(Map.of("AREXPORT_CDS", "off"), "--version");
    assertThat(off.status()).isZero();
    assertThat(off.stdout()).startsWith("arexport ");
    assertThat(archives()).isEmpty();

    for (String db : List.of("core.db", "bundles.db")) {
      Files.delete(root.resolve("testdata").resolve(db));
    }
    Result noSample = run(Map.of(), "--version");
    assertThat(noSample.status()).isZero();
    assertThat(noSample.stdout()).isEqualTo(off.stdout());
    assertThat(archives()).isEmpty();
  }

  @Test
  void aFailedTrainingIsNotRepeatedForTheSameJar() throws Exception {
    // A sample the training export refuses: no archive can be made from it.
    Files.writeString(root.resolve("testdata/core.db"), "not a SQLite database");
    Result first = run(Map.of(), "--version");
    assertThat(first.status()).isZero();
    assertThat(first.stderr()).contains("preparing the class-data archive");
    assertThat(archives()).isEmpty();

    Result second = run(Map.of(), "--version");
    assertThat(second.status()).isZero();
    assertThat(second.stdout()).isEqualTo(first.stdout());
    assertThat(second.stderr()).doesNotContain("preparing");
    assertThat(archives()).isEmpty();
  }

  @Test
  void exportAndSyncGetAFixedHeapSizedByTheirThreadsOtherCommandsOneThatGrows() throws Exception {
    // 128 MiB plus 40 MiB per partition in flight, committed and touched at start-up.
    assertThat(heapFlags("export", "--threads", "2", "--help"))
        .containsExactly("-XX:+AlwaysPreTouch", "-XX:InitialHeapSize=" + mib(208),
            "-XX:MaxHeapSize=" + mib(208));
    assertThat(heapFlags("export", "--threads=4", "--help"))
        .containsExactly("-XX:+AlwaysPreTouch", "-XX:InitialHeapSize=" + mib(288),
            "-XX:MaxHeapSize=" + mib(288));
    assertThat(heapFlags("sync", "--threads", "1", "--help"))
        .containsExactly("-XX:+AlwaysPreTouch", "-XX:InitialHeapSize=" + mib(168),
            "-XX:MaxHeapSize=" + mib(168));
    // Without --threads (or with one the export will refuse): the export's default, half the
    // cores as nproc counts them, at least 1 and at most 4.
    Process nproc = new ProcessBuilder("nproc").start();
    int cores = Integer.parseInt(new String(nproc.getInputStream().readAllBytes()).trim());
    long threads = Math.max(1, Math.min(cores / 2, 4));
    for (String[] args : List.of(new String[] {"export", "--help"},
        new String[] {"export", "--threads", "many", "--help"})) {
      assertThat(heapFlags(args)).as(String.join(" ", args))
          .containsExactly("-XX:+AlwaysPreTouch", "-XX:InitialHeapSize=" + mib(128 + 40 * threads),
              "-XX:MaxHeapSize=" + mib(128 + 40 * threads));
    }
    // On many cores (GNU nproc counts OMP_NUM_THREADS of them) the default stops at 4 partitions,
    // under 512 MiB; a --threads given explicitly is taken as it is.
    Map<String, String> manyCores =
        Map.of("AREXPORT_JAVA_OPTS", "-XX:+PrintCommandLineFlags", "OMP_NUM_THREADS", "32");
    assertThat(heapFlags(manyCores, "export", "--help"))
        .containsExactly("-XX:+AlwaysPreTouch", "-XX:InitialHeapSize=" + mib(288),
            "-XX:MaxHeapSize=" + mib(288));
    assertThat(heapFlags(manyCores, "sync", "--threads", "16", "--help"))
        .containsExactly("-XX:+AlwaysPreTouch", "-XX:InitialHeapSize=" + mib(768),
            "-XX:MaxHeapSize=" + mib(768));
    // Other commands start small and may grow to 320 MiB.
    assertThat(heapFlags("status", "--help"))
        .containsExactly("-XX:InitialHeapSize=" + mib(32), "-XX:MaxHeapSize=" + mib(320));
    // A heap bound of the operator's own replaces the launcher's.
    assertThat(heapFlags(Map.of("AREXPORT_JAVA_OPTS", "-Xmx1g -XX:+PrintCommandLineFlags"),
        "export", "--threads", "2", "--help"))
        .contains("-XX:MaxHeapSize=" + mib(1024)).doesNotContain("-XX:+AlwaysPreTouch");
  }

  @Test
  void theLauncherTunesTheJitUnlessTheOperatorDoes() throws Exception {
    // Smaller C2 inlining and half the compile thresholds (docs/performance.md, "JVM").
    assertThat(flags(Map.of("AREXPORT_JAVA_OPTS", "-XX:+PrintCommandLineFlags"), "status",
        "--help"))
        .contains("-XX:FreqInlineSize=100", "-XX:InlineSmallCode=1000",
            "-XX:CompileThresholdScaling=0.500000");
    // An operator's JIT option replaces all three: theirs is the only one the JVM gets.
    assertThat(flags(Map.of("AREXPORT_JAVA_OPTS",
        "-XX:CompileThresholdScaling=2 -XX:+PrintCommandLineFlags"), "status", "--help"))
        .contains("-XX:CompileThresholdScaling=2.000000")
        .noneMatch(flag -> flag.startsWith("-XX:FreqInlineSize=")
            || flag.startsWith("-XX:InlineSmallCode="));
    assertThat(flags(Map.of("AREXPORT_JAVA_OPTS",
        "-XX:FreqInlineSize=325 -XX:+PrintCommandLineFlags"), "status", "--help"))
        .contains("-XX:FreqInlineSize=325")
        .noneMatch(flag -> flag.startsWith("-XX:CompileThresholdScaling=")
            || flag.startsWith("-XX:InlineSmallCode="));
  }

  private static String mib(long mib) {
    return Long.toString(mib << 20);
  }

  private List<String> heapFlags(String... args) throws Exception {
    return heapFlags(Map.of("AREXPORT_JAVA_OPTS", "-XX:+PrintCommandLineFlags"), args);
  }

  /** The heap flags the JVM ran with, as -XX:+PrintCommandLineFlags prints them on stdout. */
  private List<String> heapFlags(Map<String, String> env, String... args) throws Exception {
    return flags(env, args).stream()
        .filter(flag -> flag.equals("-XX:+AlwaysPreTouch")
            || flag.startsWith("-XX:InitialHeapSize=") || flag.startsWith("-XX:MaxHeapSize="))
        .toList();
  }

  /** The flags the JVM ran with, as -XX:+PrintCommandLineFlags prints them on stdout. */
  private List<String> flags(Map<String, String> env, String... args) throws Exception {
    Map<String, String> all = new HashMap<>(env);
    all.put("AREXPORT_CDS", "off");
    Result result = run(all, args);
    // --help exits 0; a --threads the export refuses exits 2 after the JVM printed its flags.
    assertThat(result.status()).as(result.stderr()).isIn(0, 2);
    String flags = result.stdout().lines().filter(line -> line.startsWith("-XX:"))
        .findFirst().orElseThrow(() -> new AssertionError("no flags: " + result.stdout()));
    return List.of(flags.split(" "));
  }

  private List<Path> archives() throws IOException {
    try (Stream<Path> files = Files.list(target)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".jsa")).sorted().toList();
    }
  }

  private record Result(int status, String stdout, String stderr) {}

  private Result run(Map<String, String> env, String... args) throws Exception {
    return run(root.resolve("scripts/arexport"), env, args);
  }

  private Result run(Path launcher, Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", launcher.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("AREXPORT_JAVA_OPTS");
    builder.environment().remove("AREXPORT_CDS");
    builder.environment().putAll(env);
    Path out = root.resolve("stdout.txt");
    Path err = root.resolve("stderr.txt");
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process process = builder.start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("launcher finished").isTrue();
    return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }
}
