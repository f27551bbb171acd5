package io.arexport.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * stopped. A one-shot sync that loses such a race exits 3 (see its test).
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
      awaitUpload(catalog, watcher, "height=100-149/");

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

  /**
   * A one-shot sync publishes 100-149 and is held after uploading its blocks of 150-199, while an
   * {@code export} of 150-199 (no sync record) commits that partition. Released, the sync exits 3
   * naming 150-199, records the 100-149 it published (the blocks table's exported-heights
   * property, read with Iceberg's client), drops its job and gives no resume advice. The next
   * sync plans from the catalog: 150-199 counts as exported, 200-349 is exported.
   */
  @Test
  void aOneShotSyncThatLosesTheRaceExitsThreeAndTheNextSyncPlansFromTheCatalog(
      @TempDir Path work, S3ProxyService s3, RestCatalogService rest) throws Exception {
    ServiceCatalog catalog = ServiceCatalog.rest(rest, s3);
    Path loserStaging = work.resolve("loser");
    AtomicBoolean release = new AtomicBoolean();
    Cancellation cancellation = () -> release.getAndSet(false);
    CompletableFuture<Cli.Result> loser = CompletableFuture.supplyAsync(() -> Cli.run(
        cancellation, Map.of("AREXPORT_FAULT_POINT", "catalog-uploaded:4"),
        sync(catalog, loserStaging, "--threads", "1")));
    awaitUpload(catalog, loser, "height=150-199/");
    Cli.Result winner = Cli.run(catalog.with(io.arexport.testing.ExportArgs.of(sources,
        work.resolve("winner")).export(150, 199, 50, "--includeL1Transactions",
        "--includeL1Tags")));
    assertThat(winner.status()).as(winner.err()).isZero();
    release.set(true);

    Cli.Result lost = loser.get(120, TimeUnit.SECONDS);
    assertThat(lost.status()).as(lost.err()).isEqualTo(3);
    ServiceCatalogExportTest.assertNoSecret(catalog, lost.out(), lost.err());
    List<String> lines = lost.errLines();
    assertThat(lines.stream().filter(l -> l.contains("was changed by another writer")))
        .as(lost.err()).hasSize(1);
    assertThat(lines.get(lines.size() - 1)).startsWith("arexport: partition 150-199 of table "
        + catalog.namespace() + ".blocks was changed by another writer")
        .contains("this sync's job for heights 100-349 is dropped");
    assertThat(lost.err()).as("no resume advice for a dropped job")
        .doesNotContain("staging kept", "--resume");
    assertThat(jobDirectories(loserStaging)).as("the job was dropped").isZero();
    assertThat(CatalogCrashTest.journals(loserStaging)).as("no upload journal left").isEmpty();
    JsonNode recorded = new ObjectMapper().readTree(catalog.load("blocks").properties()
        .get(CatalogCoverage.PROPERTY));
    assertThat(recorded.get("ranges")).hasSize(1);
    assertThat(recorded.get("ranges").get(0).get("start").asLong()).isEqualTo(100);
    assertThat(recorded.get("ranges").get(0).get("end").asLong()).isEqualTo(149);
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 199));
    assertThat(catalog.unreferencedObjects()).as("the loser's uploads are gone").isEmpty();

    Cli.Result next = Cli.run(sync(catalog, loserStaging, "--json"));
    assertThat(next.status()).as(next.err()).isZero();
    JsonNode summary = new ObjectMapper().readTree(next.out());
    assertThat(summary.get("runs")).hasSize(1);
    assertThat(summary.get("runs").get(0).get("startHeight").asLong()).isEqualTo(200);
    assertThat(summary.get("runs").get(0).get("endHeight").asLong()).isEqualTo(349);
    CatalogExportTest.assertEqualsSource(sources, catalog::load, new HeightRange(100, 349));
    assertThat(catalog.unreferencedObjects()).isEmpty();
  }

  /** Waits until a blocks upload into {@code partitionDirectory} is in the bucket (then held). */
  private static void awaitUpload(ServiceCatalog catalog, CompletableFuture<Cli.Result> watcher,
      String partitionDirectory) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      if (watcher.isDone()) {
        throw new AssertionError("the watcher ended early: " + watcher.get().err());
      }
      try {
        if (catalog.dataObjects("blocks").stream().anyMatch(k -> k.contains(partitionDirectory))) {
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
