package io.arexport.cli;

import java.util.Map;
import java.util.OptionalInt;

/**
 * What is known about the terminal: whether stderr is one (live progress bar or plain lines) and
 * how many columns it has (help text and the progress bar are fitted to it).
 */
final class Terminal {
  /** Picocli refuses narrower help; a narrower terminal wraps what does not fit. */
  static final int MIN_HELP_COLUMNS = 55;
  /** Width of the progress bar when the terminal's is unknown. */
  static final int DEFAULT_COLUMNS = 80;

  private Terminal() {}

  /**
   * Java cannot test stderr for a terminal itself; the launcher script passes {@code
   * -Darexport.stderrIsTerminal=true|false} from {@code [ -t 2 ]}. Without it, a console on the
   * JVM is taken as a sign of an interactive run.
   */
  static boolean stderrIsTerminal() {
    String property = System.getProperty("arexport.stderrIsTerminal");
    if (property != null && !property.isBlank()) {
      return Boolean.parseBoolean(property);
    }
    return System.console() != null;
  }

  /**
   * The terminal's width: {@code COLUMNS} from the environment when set (the POSIX override, as
   * for {@code ls}), else what the launcher script read with {@code stty size}
   * ({@code -Darexport.terminalColumns}); empty when neither says.
   */
  static OptionalInt columns(Map<String, String> env) {
    OptionalInt fromEnv = positive(env.get("COLUMNS"));
    return fromEnv.isPresent() ? fromEnv : positive(System.getProperty("arexport.terminalColumns"));
  }

  /** {@link #columns} or {@link #DEFAULT_COLUMNS}. */
  static int columnsOrDefault(Map<String, String> env) {
    return columns(env).orElse(DEFAULT_COLUMNS);
  }

  private static OptionalInt positive(String text) {
    if (text == null) {
      return OptionalInt.empty();
    }
    try {
      int value = Integer.parseInt(text.trim());
      return value > 0 ? OptionalInt.of(value) : OptionalInt.empty();
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }
}
