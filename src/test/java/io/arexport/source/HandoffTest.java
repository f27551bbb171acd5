package io.arexport.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class HandoffTest {
  /**
   * A reading thread that could not even queue its failure (out of memory for the batch that
   * would carry it) does not leave the consumer waiting for ever: the consumer takes what was
   * queued, then gets the failure as it was thrown.
   */
  @Test
  @Timeout(30)
  void aFailureThatCouldNotBeQueuedReachesTheConsumerAfterWhatWas() throws Exception {
    Handoff<String> handoff = new Handoff<>(4);
    assertThat(handoff.put("first")).isTrue();
    OutOfMemoryError error = new OutOfMemoryError("Java heap space");
    Thread reader = new Thread(() -> handoff.failUnqueued(error));
    reader.start();
    reader.join();

    assertThat(handoff.take("reading rows")).isEqualTo("first");
    assertThatThrownBy(() -> handoff.take("reading rows")).isSameAs(error);
  }
}
