package io.arexport.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.Cancellation;
import io.arexport.HeightRange;
import io.arexport.testing.Cli;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.services.LakehouseServices;
import io.arexport.testing.services.RestCatalogService;
import io.arexport.testing.services.S3ProxyService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two writers on one REST catalog (data in s3proxy): {@code sync --watch} uploads its version of
 * the first partition and is held before its commit (fault point {@code catalog-uploaded:1})
 * while a one-shot {@code sync} in another staging directory exports the whole range. Released,
 * the watcher's validated commit loses the race: it prints one line, drops its job, backs off,
 * and its next cycle plans from the catalog, finds everything exported and exports nothing (the
 * other writer's partitions count as exported; none is re-exported). The tables equal the SQLite
 * source row for row, no object is left unreferenced, and the watcher ends with exit 0 when
 * stopped.
 */
@ExtendWith(LakehouseServices.class)
class ServiceCatalogWatchRaceTest {
  @TempDir static Path sources;

  @BeforeAll
  static void generate() throws Exception {
    SampleDatabases.generate(SampleDatabases.Spec.small(), sources.resolve("core.db"),
        sources.resolve("bundles.db"));
  }

  private static String[] sync(ServiceCatalog catalog, Path staging, String... extra) {
    List<String> args = new ArrayList<>(List.of("sync", "--heightPartitionSize", "50",
        "--includeL1Transactions", "--includeL1Tags",
        "--coreDb", sources.resolve("core.db").toString(),
        "--bundlesDb", sources.resolve("bundles.db").toString(),
        "--stagingDir", staging.toString()));
    args.addAll(List.of(extra));
    return catalog.with(args.toArray(String[]::new));
  }

  @Test
  void aWatcherThatLosesACommitRaceReplansFromTheCatalog(@TempDir Path work, S3ProxyService s3,
      RestCatalogService rest) throws Exception {
    ServiceCatalog catalog = ServiceCatalog.rest(rest, s3);
    Path watcherStaging = work.resolve("watcher");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicBoolean release = new AtomicBoolean();
    // The held fault point polls the stop request; one "yes" releases it. With --threads 1
    // nothing else polls while it is held (no partition is staged while one is published).
    Cancellation cancellation = () -> stop.get() || release.getAndSet(false);
    CompletableFuture<Cli.Result> watcher = CompletableFuture.supplyAsync(() -> Cli.run(
        cancellation, Map.of("AREXPORT_FAULT_POINT", "catalog-uploaded:1"),
        sync(catalog, watcherStaging, "--watch", "--interval", "1s", "--threads", "1")));
    try {
      awaitUpload(catalog, watcher);

      Cli.Result winner = Cli.run(sync(catalog, work.resolve("winner")));
      assertThat(winner.status()).as(winner.err()).isZero();
      assertThat(winner.out()).startsWith("synced heights 100-349");
      release.set(true);

      // The lost race drops the watcher's job; a few 1 s cycles later it has re-planned.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (jobDirectories(watcherStaging) > 0 && System.nanoTime() < deadline
          && !watcher.isDone()) {
        Thread.sleep(100);
      }
      Thread.sleep(4000);
    } finally {
      stop.set(true);
    }
    Cli.Result watched = watcher.get(120, TimeUnit.SECONDS);
    assertThat(watched.status()).as(watched.err()).isZero();
    ServiceCatalogExportTest.assertNoSecret(catalog, watched.out(), watched.err());
    List<String> races = watched.errLines().stream()
        .filter(l -> l.contains("was changed by another writer")).toList();
    assertThat(races).as(watched.err()).hasSize(1);
    assertThat(races.get(0)).startsWith("arexport: partition 100-149 of table "
        + catalog.namespace() + ".blocks").contains("this sync's job for heights 100-349 is"
        + " dropped", "next cycle in 1.0 s");
    assertThat(jobDirectories(watcherStaging)).as("the job was dropped").isZero();
    assertThat(CatalogCrashTest.journals(watcherStaging)).as("no upload journal left").isEmpty();
    assertThat(watched.out()).as("re-planned: nothing left to export")
        .contains("up to date: warehouse holds up to height 349")
        .doesNotContain("synced heights");

    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 349));
    assertThat(catalog.unreferencedObjects()).as("the loser's uploads are gone").isEmpty();
  }

  @Test
  void aOneShotSyncThatLosesTheRaceExitsThreeAndTheNextSyncPlansFromTheCatalog(
      @TempDir Path work, S3ProxyService s3, RestCatalogService rest) throws Exception {
    ServiceCatalog catalog = ServiceCatalog.rest(rest, s3);
    Path loserStaging = work.resolve("loser");
    AtomicBoolean release = new AtomicBoolean();
    Cancellation cancellation = () -> release.getAndSet(false);
    CompletableFuture<Cli.Result> loser = CompletableFuture.supplyAsync(() -> Cli.run(
        cancellation, Map.of("AREXPORT_FAULT_POINT", "catalog-uploaded:1"),
        sync(catalog, loserStaging, "--threads", "1")));
    awaitUpload(catalog, loser);
    Cli.Result winner = Cli.run(sync(catalog, work.resolve("winner")));
    assertThat(winner.status()).as(winner.err()).isZero();
    release.set(true);

    Cli.Result lost = loser.get(120, TimeUnit.SECONDS);
    assertThat(lost.status()).as(lost.err()).isEqualTo(3);
    ServiceCatalogExportTest.assertNoSecret(catalog, lost.out(), lost.err());
    List<String> lines = lost.errLines();
    assertThat(lines.stream().filter(l -> l.contains("was changed by another writer")))
        .as(lost.err()).hasSize(1);
    assertThat(lines.get(lines.size() - 1)).startsWith("arexport: partition 100-149 of table "
        + catalog.namespace() + ".blocks was changed by another writer")
        .contains("this sync's job for heights 100-349 is dropped");
    assertThat(lost.err()).as("no resume advice for a dropped job")
        .doesNotContain("staging kept", "--resume");
    assertThat(jobDirectories(loserStaging)).as("the job was dropped").isZero();
    assertThat(CatalogCrashTest.journals(loserStaging)).as("no upload journal left").isEmpty();
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 349));
    assertThat(catalog.unreferencedObjects()).as("the loser's uploads are gone").isEmpty();

    Cli.Result next = Cli.run(sync(catalog, loserStaging));
    assertThat(next.status()).as(next.err()).isZero();
    assertThat(next.out()).startsWith("up to date: warehouse holds up to height 349");
  }

  /** Waits until the watcher's first upload of blocks is in the bucket (it is then held). */
  private static void awaitUpload(ServiceCatalog catalog, CompletableFuture<Cli.Result> watcher)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      if (watcher.isDone()) {
        throw new AssertionError("the watcher ended early: " + watcher.get().err());
      }
      try {
        if (!catalog.dataObjects("blocks").isEmpty()) {
          return;
        }
      } catch (NoSuchTableException e) {
        // Not created yet.
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the watcher uploaded nothing in 180 s");
  }

  private static long jobDirectories(Path staging) throws Exception {
    if (!Files.isDirectory(staging)) {
      return 0;
    }
    try (Stream<Path> children = Files.list(staging)) {
      return children.filter(p -> p.getFileName().toString().startsWith("job-")).count();
    }
  }
}
