package io.arexport.cli;

/** Whether stderr is a terminal, which decides between a live progress bar and plain lines. */
final class Terminal {
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
}
