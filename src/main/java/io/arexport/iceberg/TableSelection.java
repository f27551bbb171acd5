package io.arexport.iceberg;

import io.arexport.InvalidInputException;
import io.arexport.schema.ExportTable;
import java.util.List;

/**
 * The tables a {@code --tables blocks,tags} option selects, for the commands that work on some
 * of the three ({@code metadata}, {@code maintain}).
 *
 * @param tables the selected tables in the order named, without duplicates; never empty
 * @param named true when the operator named them, so a table that is not there is an error
 *     (when not named, all three are selected and a missing one is skipped)
 */
record TableSelection(List<ExportTable> tables, boolean named) {

  TableSelection {
    tables = distinct(tables);
  }

  /** Parses the option's values; null (the option not given) selects all three. */
  static TableSelection parse(List<String> option) {
    // picocli gives an empty list for "--tables ,": named, but no table (refused by distinct).
    if (option == null) {
      return new TableSelection(List.of(ExportTable.values()), false);
    }
    return new TableSelection(option.stream().map(String::trim).map(ExportTable::byName)
        .toList(), true);
  }

  /** {@code tables} without duplicates; refused when empty ({@code --tables ,}). */
  static List<ExportTable> distinct(List<ExportTable> tables) {
    List<ExportTable> distinct = List.copyOf(tables.stream().distinct().toList());
    if (distinct.isEmpty()) {
      throw new InvalidInputException("--tables names no table (expected blocks, transactions"
          + " and/or tags)");
    }
    return distinct;
  }
}
