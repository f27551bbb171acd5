package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The terminal width from {@code COLUMNS}: a positive number, anything else is ignored. */
class TerminalTest {
  @Test
  void columnsComeFromTheEnvironment() {
    assertThat(Terminal.columns(Map.of("COLUMNS", "132"))).hasValue(132);
    assertThat(Terminal.columns(Map.of("COLUMNS", " 90 "))).hasValue(90);
    assertThat(Terminal.columnsOrDefault(Map.of("COLUMNS", "100"))).isEqualTo(100);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "0", "-80", "wide", "80x24", "99999999999"})
  void unusableColumnsAreIgnored(String value) {
    OptionalInt columns = Terminal.columns(Map.of("COLUMNS", value));
    // Without COLUMNS, the launcher's property decides; tests run without it.
    assertThat(columns).isEqualTo(Terminal.columns(Map.of()));
    assertThat(Terminal.columnsOrDefault(Map.of("COLUMNS", value)))
        .isEqualTo(Terminal.columns(Map.of()).orElse(Terminal.DEFAULT_COLUMNS));
  }

  @Test
  void helpNarrowerThanPicocliAllowsIsWidenedNotRefused() {
    io.arexport.testing.Cli.Result help = io.arexport.testing.Cli.run(
        Map.of("COLUMNS", "30"), "--help");

    assertThat(help.status()).isZero();
    assertThat(help.out().lines().mapToInt(String::length).max().orElse(0))
        .isLessThanOrEqualTo(Terminal.MIN_HELP_COLUMNS);
  }
}
