package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.Cancellation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link GracefulStop#onSignal} with the JVM's exit and halt recorded instead of done: a command
 * that has not opted in ends as the JVM would (exit with hooks, 128 + signal), a signal after the
 * command returned does nothing, a stop request waits for the command, a second signal or an
 * expired grace halts. The whole path through a real process is {@code GracefulStopTest}.
 */
class GracefulStopHookTest {
  private static final int SIGTERM = 15;

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final List<String> ended = new ArrayList<>();

  private GracefulStop stop(Duration grace) {
    return new GracefulStop(new PrintStream(err, true, StandardCharsets.UTF_8), grace,
        status -> ended.add("exit " + status), status -> ended.add("halt " + status));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aCommandThatDidNotOptInEndsAsTheJvmWould() {
    stop(Duration.ofSeconds(8)).onSignal(SIGTERM);

    assertThat(ended).containsExactly("exit 143");
    assertThat(err()).isEmpty();
  }

  @Test
  void aSignalAfterTheCommandReturnedDoesNothing() {
    GracefulStop stop = stop(Duration.ofSeconds(8));
    Cancellation cancellation = stop.cooperate();
    stop.finished();

    stop.onSignal(SIGTERM);

    assertThat(cancellation.requested()).isFalse();
    assertThat(ended).isEmpty();
    assertThat(err()).isEmpty();
  }

  @Test
  void aStopRequestWaitsForTheCommandAndLeavesTheExitToMain() throws Exception {
    GracefulStop stop = stop(Duration.ofSeconds(30));
    Cancellation cancellation = stop.cooperate();

    CompletableFuture<Void> handler = CompletableFuture.runAsync(() -> stop.onSignal(SIGTERM));
    while (!cancellation.requested()) {
      Thread.sleep(5);
    }
    assertThat(handler).isNotDone();
    stop.finished();
    handler.get(10, TimeUnit.SECONDS);

    assertThat(ended).as("Main exits with the command's status").isEmpty();
    assertThat(err()).startsWith("arexport: stop requested");
  }

  @Test
  void aSecondSignalOrAnExpiredGraceHalts() throws Exception {
    GracefulStop patient = stop(Duration.ofSeconds(30));
    patient.cooperate();
    CompletableFuture<Void> first = CompletableFuture.runAsync(() -> patient.onSignal(SIGTERM));
    while (!err().contains("stop requested")) {
      Thread.sleep(5);
    }
    patient.onSignal(SIGTERM);
    assertThat(ended).containsExactly("halt 1");
    assertThat(err()).contains("second stop request");
    patient.finished();
    first.get(10, TimeUnit.SECONDS);

    ended.clear();
    GracefulStop hurried = stop(Duration.ofMillis(50));
    hurried.cooperate();
    hurried.onSignal(SIGTERM);
    assertThat(ended).containsExactly("halt 1");
    assertThat(err()).contains("no safe point reached within");
  }
}
