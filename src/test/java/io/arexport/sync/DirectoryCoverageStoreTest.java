package io.arexport.sync;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arexport.RuntimeFailureException;
import io.arexport.StateConflictException;
import io.arexport.warehouse.WarehouseLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sync record that does not parse is a conflict to resolve; one that cannot be read is not. */
class DirectoryCoverageStoreTest {
  @Test
  void aRecordThatDoesNotParseIsAStateConflictThatSaysWhatToDo(@TempDir Path warehouse)
      throws Exception {
    DirectoryCoverageStore store = new DirectoryCoverageStore(new WarehouseLayout(warehouse));
    Files.createDirectories(store.recordFile().getParent());
    for (String content : new String[] {"{", "{\"version\":1}", "\u00ff\u00fe not json"}) {
      Files.writeString(store.recordFile(), content,
          java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThatThrownBy(store::recorded).as(content)
          .isInstanceOf(StateConflictException.class)
          .hasMessageContaining("(corrupt?)").hasMessageEndingWith("partition directories")
          .hasCauseInstanceOf(Exception.class);
    }
  }

  @Test
  void aRecordThatCannotBeReadIsARuntimeFailure(@TempDir Path warehouse) throws Exception {
    DirectoryCoverageStore store = new DirectoryCoverageStore(new WarehouseLayout(warehouse));
    Files.createDirectories(store.recordFile());
    assertThatThrownBy(store::recorded).isInstanceOf(RuntimeFailureException.class)
        .hasMessageStartingWith("cannot read " + store.recordFile() + ": ")
        .hasMessageNotContaining("corrupt");
  }
}
