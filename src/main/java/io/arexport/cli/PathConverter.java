package io.arexport.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Every {@link Path} option: an empty value is refused instead of becoming {@code Path.of("")},
 * the current directory (an unset shell variable, {@code --warehouseDir "$WH"}, would otherwise
 * export into wherever cron happens to run).
 */
final class PathConverter implements CommandLine.ITypeConverter<Path> {
  @Override
  public Path convert(String value) {
    if (value.isBlank()) {
      throw new CommandLine.TypeConversionException(
          "an empty path (an unset variable?) is not accepted");
    }
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a path: "
          + e.getReason());
    }
  }
}
