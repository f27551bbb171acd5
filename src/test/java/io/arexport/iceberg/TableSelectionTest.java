package io.arexport.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arexport.InvalidInputException;
import io.arexport.schema.ExportTable;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --tables} of metadata and maintain. */
class TableSelectionTest {
  @Test
  void notGivenSelectsAllThreeUnnamed() {
    TableSelection all = TableSelection.parse(null);
    assertThat(all.tables()).containsExactly(ExportTable.values());
    assertThat(all.named()).isFalse();
  }

  @Test
  void namedTablesKeepTheirOrderWithoutDuplicatesOrSpaces() {
    TableSelection named = TableSelection.parse(List.of(" tags", "blocks", "tags "));
    assertThat(named.tables()).containsExactly(ExportTable.TAGS, ExportTable.BLOCKS);
    assertThat(named.named()).isTrue();
  }

  /** picocli turns "--tables ," into an empty list: named, but no table, which is refused. */
  @Test
  void anEmptyListIsRefusedNotTakenAsAll() {
    assertThatThrownBy(() -> TableSelection.parse(List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--tables names no table (expected blocks, transactions and/or tags)");
  }

  @Test
  void anUnknownTableIsRefusedByName() {
    assertThatThrownBy(() -> TableSelection.parse(List.of("blocks", "tag")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("tag");
  }
}
