package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code sync} declares {@code export}'s options again (see {@link SourceOptions}); they must
 * keep the same names, defaults, labels and help, so a command line moves from one to the other
 * unchanged. The height range is the one intended difference: optional for sync.
 */
class SyncOptionsTest {
  private static final List<String> SHARED = List.of("--heightPartitionSize",
      "--includeL1Transactions", "--includeL1Tags", "--coreDb", "--bundlesDb", "--warehouseDir",
      "--maxFileRows", "--stagingDir", "--compression");

  private static final CommandSpec EXPORT = CommandSpec.forAnnotatedObject(new ExportCommand(null));
  private static final CommandSpec SYNC = CommandSpec.forAnnotatedObject(new SyncCommand(null));

  @Test
  void sharedOptionsAreIdenticalToExports() {
    for (String name : SHARED) {
      OptionSpec export = EXPORT.findOption(name);
      OptionSpec sync = SYNC.findOption(name);
      assertThat(sync).as(name).isNotNull();
      assertThat(Arrays.asList(sync.names())).as(name + " names")
          .containsExactlyInAnyOrder(export.names());
      assertThat(sync.defaultValue()).as(name + " default").isEqualTo(export.defaultValue());
      assertThat(sync.paramLabel()).as(name + " label").isEqualTo(export.paramLabel());
      assertThat(sync.description()).as(name + " help").isEqualTo(export.description());
      assertThat(sync.type()).as(name + " type").isEqualTo(export.type());
    }
  }

  @Test
  void theRangeAndTheOtherFlagsHaveExportsNamesAndTheRangeIsOptional() {
    for (String name : List.of("--startHeight", "--endHeight", "--no-iceberg", "--json",
        "--stacktrace")) {
      assertThat(Arrays.asList(SYNC.findOption(name).names())).as(name)
          .containsExactlyInAnyOrder(EXPORT.findOption(name).names());
    }
    assertThat(EXPORT.findOption("--startHeight").required()).isTrue();
    assertThat(SYNC.findOption("--startHeight").required()).isFalse();
    assertThat(SYNC.findOption("--endHeight").required()).isFalse();
  }

  @Test
  void intervalsInShortFormAndIso() {
    DurationConverter converter = new DurationConverter();
    assertThat(converter.convert("90s")).isEqualTo(java.time.Duration.ofSeconds(90));
    assertThat(converter.convert("10m")).isEqualTo(java.time.Duration.ofMinutes(10));
    assertThat(converter.convert("2h")).isEqualTo(java.time.Duration.ofHours(2));
    assertThat(converter.convert("1d")).isEqualTo(java.time.Duration.ofDays(1));
    assertThat(converter.convert("250ms")).isEqualTo(java.time.Duration.ofMillis(250));
    assertThat(converter.convert("PT15M")).isEqualTo(java.time.Duration.ofMinutes(15));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> converter.convert("10 minutes"))
        .hasMessage("'10 minutes' is not a duration (e.g. 30s, 10m, 1h)");
  }
}
