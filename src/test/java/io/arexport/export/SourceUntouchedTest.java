package io.arexport.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SampleDatabases.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
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

  private static String fingerprint(Path file) throws Exception {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    return HexFormat.of().formatHex(digest) + " " + Files.getLastModifiedTime(file);
  }
}
