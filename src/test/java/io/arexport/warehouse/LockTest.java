package io.arexport.warehouse;

import static io.arexport.testing.WarehouseAssertions.assertEqualsSource;
import static io.arexport.testing.WarehouseAssertions.jobDirs;
import static io.arexport.testing.WarehouseAssertions.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.testing.ChildJvm;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SampleDatabases.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One export at a time per warehouse (contract section 4): while an export holds the warehouse, a
 * second one fails fast with exit 3 naming the holder's pid and changes nothing; once the holder
 * is killed, its stale lock is taken over and the next export succeeds.
 */
class LockTest {

  @Test
  void secondExportFailsFastThenTakesOverAfterTheHolderDies(@TempDir Path work) throws Exception {
    ExportArgs first = ExportArgs.of(work.resolve("sources"), work);
    SampleDatabases.generate(Spec.small(), first.coreDb(), first.bundlesDb());
    // The second export has its own staging directory, so only the warehouse is shared.
    ExportArgs second = new ExportArgs(first.coreDb(), first.bundlesDb(),
        work.resolve("staging-2"), first.warehouseDir());
    String[] args = first.export(100, 349, 50, "--includeL1Transactions");
    Path lockFile = first.warehouseDir().resolve(".arexport/lock");

    try (ChildJvm holder = ChildJvm.start(List.of(), Map.of("AREXPORT_FAULT_POINT",
        "partition-staged:2"), work, args)) {
      assertThat(holder.awaitErrLine("fault point partition-staged:2 reached", 120))
          .as(holder.err()).isTrue();
      SortedMap<String, String> before = snapshot(first.warehouseDir());
      long started = System.nanoTime();

      Cli.Result blocked = Cli.run(second.export(100, 349, 50, "--includeL1Transactions"));

      assertThat(System.nanoTime() - started).as("fails fast (ns)").isLessThan(10_000_000_000L);
      assertThat(blocked.status()).as(blocked.err()).isEqualTo(3);
      assertThat(blocked.errLines()).hasSize(1);
      assertThat(blocked.errLines().get(0)).contains("pid " + holder.pid())
          .contains(first.warehouseDir().toString());
      assertThat(snapshot(first.warehouseDir())).as("warehouse untouched").isEqualTo(before);
      assertThat(jobDirs(second.stagingDir())).as("no job created").isEmpty();

      holder.kill();
      assertThat(Files.readString(lockFile)).as("stale lock file of the killed holder")
          .contains("pid " + holder.pid());
    }

    Cli.Result next = Cli.run(second.export(100, 349, 50, "--includeL1Transactions"));

    assertThat(next.status()).as(next.err()).isZero();
    assertEqualsSource(first.warehouseDir(), first.coreDb(), first.bundlesDb(),
        new HeightRange(100, 349), true, false);
    assertThat(jobDirs(second.stagingDir())).isEmpty();
  }
}
