package io.arexport.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SampleDatabases.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's databases are only read (contract section 1): after an export, and after a failed
 * one, core.db and bundles.db have the same bytes and modification time as before. (SQLite itself
 * may create the empty -wal/-shm files every WAL reader uses; the database files stay as they are.)
 */
class SourceUntouchedTest {

  @Test
  void exportNeverWritesTheSourceDatabases(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(work.resolve("sources"), work);
    SampleDatabases.generate(Spec.small(), paths.coreDb(), paths.bundlesDb());
    String core = fingerprint(paths.coreDb());
    String bundles = fingerprint(paths.bundlesDb());

    Cli.Result ok = Cli.run(paths.export(100, 349, 50, "--includeL1Transactions",
        "--includeL1Tags"));
    Cli.Result bad = Cli.run(paths.export(100, 349, 50, "--compression", "nope"));

    assertThat(ok.status()).as(ok.err()).isZero();
    assertThat(bad.status()).isEqualTo(2);
    assertThat(fingerprint(paths.coreDb())).isEqualTo(core);
    assertThat(fingerprint(paths.bundlesDb())).isEqualTo(bundles);
  }

  /**
   * As a live gateway leaves them: a writer holds its connection, with committed changes still in
   * the -wal file. Every command that opens the sources (export, verify, status, sync) leaves the
   * database and its WAL byte for byte as they were: a read-only connection neither writes nor
   * checkpoints (the -shm index, which readers mark, is not compared).
   */
  @Test
  void noCommandWritesTheDatabasesOrTheirWal(@TempDir Path work) throws Exception {
    ExportArgs paths = ExportArgs.of(work.resolve("sources"), work);
    SampleDatabases.generate(Spec.small(), paths.coreDb(), paths.bundlesDb());
    try (Connection gateway = DriverManager.getConnection("jdbc:sqlite:" + paths.coreDb());
        Statement sql = gateway.createStatement()) {
      sql.execute("PRAGMA journal_mode=WAL");
      sql.execute("PRAGMA wal_autocheckpoint=0");
      sql.execute("UPDATE stable_blocks SET block_timestamp = block_timestamp + 1"
          + " WHERE height = 100");
      Path wal = Path.of(paths.coreDb() + "-wal");
      assertThat(Files.size(wal)).as("the gateway's change is in the WAL").isPositive();
      String core = fingerprint(paths.coreDb());
      String coreWal = fingerprint(wal);
      String bundles = fingerprint(paths.bundlesDb());

      String[] source = {"--coreDb", paths.coreDb().toString(), "--bundlesDb",
          paths.bundlesDb().toString()};
      List<String[]> commands = List.of(
          paths.export(100, 349, 50, "--includeL1Transactions", "--includeL1Tags"),
          concat(new String[] {"verify", "--startHeight", "100", "--endHeight", "349",
              "--heightPartitionSize", "50", "--includeL1Transactions", "--includeL1Tags",
              "--deep", "--warehouseDir", paths.warehouseDir().toString()}, source),
          concat(new String[] {"status", "--warehouseDir", paths.warehouseDir().toString(),
              "--stagingDir", paths.stagingDir().toString()}, source),
          concat(new String[] {"sync", "--heightPartitionSize", "50", "--includeL1Transactions",
              "--includeL1Tags", "--warehouseDir", paths.warehouseDir().toString(),
              "--stagingDir", paths.stagingDir().toString()}, source));
      for (String[] command : commands) {
        Cli.Result result = Cli.run(command);
        assertThat(result.status()).as(command[0] + ": " + result.err()).isZero();
        assertThat(fingerprint(paths.coreDb())).as(command[0]).isEqualTo(core);
        assertThat(fingerprint(wal)).as(command[0] + ", the WAL").isEqualTo(coreWal);
        assertThat(fingerprint(paths.bundlesDb())).as(command[0]).isEqualTo(bundles);
      }
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static String fingerprint(Path file) throws Exception {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    return HexFormat.of().formatHex(digest) + " " + Files.getLastModifiedTime(file);
  }
}
