package io.arexport.warehouse;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arexport.RuntimeFailureException;
import io.arexport.StateConflictException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A state file that does not parse is a conflict (exit 3); one that cannot be read is not. */
class JsonTest {
  @Test
  void contentThatDoesNotParseIsAStateConflictNamingTheFile(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve(".checkpoint"), "{\"jobId\": tru");
    assertThatThrownBy(() -> Json.read(file, Checkpoint.class))
        .isInstanceOf(StateConflictException.class)
        .hasMessageStartingWith("cannot read " + file + " (corrupt or truncated): ")
        .hasCauseInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class);
  }

  /** Reading failed (here: a directory in the file's place), not the content: exit 1, cause kept. */
  @Test
  void aFileThatCannotBeReadIsARuntimeFailure(@TempDir Path dir) throws Exception {
    Path notAFile = Files.createDirectory(dir.resolve(".checkpoint"));
    assertThatThrownBy(() -> Json.read(notAFile, Checkpoint.class))
        .isInstanceOf(RuntimeFailureException.class)
        .hasMessageStartingWith("cannot read " + notAFile + ": ")
        .hasMessageNotContaining("corrupt")
        .hasCauseInstanceOf(java.io.IOException.class);
  }
}
