package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * An {@link Error} that escapes a command (picocli lets errors through its exception handler) is
 * reported as every internal error is: one line naming it, the hint, exit 4; no trace.
 */
class ExitCodesTest {
  @Test
  void anErrorIsOneLineNamingItAndExitFour() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int status = new ExitCodes(err).handleError(new OutOfMemoryError("Java heap space"), null);
    assertThat(status).isEqualTo(ExitCodes.INTERNAL_ERROR).isEqualTo(4);
    assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).containsExactly(
        "arexport: internal error: java.lang.OutOfMemoryError: Java heap space",
        "arexport: this is a bug; rerun with --stacktrace and report the trace");
  }
}
