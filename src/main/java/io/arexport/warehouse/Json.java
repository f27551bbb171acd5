package io.arexport.warehouse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.arexport.RuntimeFailureException;
import io.arexport.StateConflictException;
import io.arexport.fs.DurableFiles;
import java.io.IOException;
import java.nio.file.Path;

/** Reads and durably writes arexport's small JSON state files (checkpoint, journal). */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private Json() {}

  static void write(Path file, Object value) {
    try {
      DurableFiles.writeAtomically(file, MAPPER.writeValueAsBytes(value));
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot encode " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads a state file; a file that does not parse is a state conflict naming the file. */
  static <T> T read(Path file, Class<T> type) {
    try {
      T value = MAPPER.readValue(file.toFile(), type);
      if (value == null) {
        throw new StateConflictException("cannot use " + file + " (inconsistent): it holds null");
      }
      return value;
    } catch (ValueInstantiationException e) {
      // Parsed, but the values were refused by the record's own checks: say which.
      String reason = e.getCause() != null ? e.getCause().getMessage() : e.getOriginalMessage();
      throw new StateConflictException("cannot use " + file + " (inconsistent): " + reason);
    } catch (JsonProcessingException e) {
      throw new StateConflictException("cannot read " + file + " (corrupt or truncated): "
          + e.getOriginalMessage().lines().findFirst().orElse(""), e);
    } catch (IOException e) {
      // Not the file's content but reading it (permissions, the disk): a runtime failure that a
      // rerun may not meet, and not a reason to remove the file.
      throw new RuntimeFailureException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
