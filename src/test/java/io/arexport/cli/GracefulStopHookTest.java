package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.Cancellation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The paths of the shutdown hook that return without ending the process: a command that has not
 * opted in (its signal is the JVM's usual shutdown, status 128 + signal, other hooks run), and the
 * ordinary exit after a command returned. The cooperating path ends the process and is tested in
 * a child JVM ({@code GracefulStopTest}).
 */
class GracefulStopHookTest {
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final GracefulStop stop =
      new GracefulStop(new PrintStream(err, true, StandardCharsets.UTF_8), Duration.ofSeconds(8));

  @Test
  void aCommandThatDidNotOptInIsLeftToTheJvm() {
    long started = System.nanoTime();

    stop.onShutdown();

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void anOrdinaryExitAfterTheCommandReturnedRequestsNothing() {
    Cancellation cancellation = stop.cooperate();
    stop.finished(0);

    stop.onShutdown();

    assertThat(cancellation.requested()).isFalse();
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }
}
