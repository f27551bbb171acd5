package io.arexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code sync} takes {@code export}'s options, so a command line moves from one to the other
 * unchanged: each option the two share is declared once, in a mixin both use, except the few
 * whose help must differ. The height range is the one intended difference in meaning: optional
 * for sync.
 */
class SyncOptionsTest {
  private static final CommandSpec EXPORT = CommandSpec.forAnnotatedObject(new ExportCommand(null));
  private static final CommandSpec SYNC = CommandSpec.forAnnotatedObject(new SyncCommand(null));

  /** Declared by each command itself: sync's range is optional, the others' help differs. */
  private static final Set<String> OWN = Set.of("--startHeight", "--endHeight", "--no-iceberg",
      "--json");

  @Test
  void everySharedOptionComesFromAMixinBothCommandsUse() {
    Map<String, Class<?>> exportMixins = mixinOfEachOption(EXPORT);
    Map<String, Class<?>> syncMixins = mixinOfEachOption(SYNC);
    Set<String> shared = new TreeSet<>(names(EXPORT));
    shared.retainAll(names(SYNC));
    for (String own : OWN) {
      shared.removeAll(Arrays.asList(EXPORT.findOption(own).names()));
    }

    assertThat(shared).contains("--heightPartitionSize", "--includeL1Transactions",
        "--includeL1Tags", "--coreDb", "--bundlesDb", "--warehouseDir", "--maxFileRows",
        "--stagingDir", "--compression", "--threads", "--catalog-type", "--stacktrace",
        "--quiet");
    for (String name : shared) {
      assertThat(syncMixins.get(name)).as(name + " in sync").isNotNull()
          .isEqualTo(exportMixins.get(name));
    }
  }

  @Test
  void syncTakesEveryExportOptionButResume() {
    Set<String> exportOnly = new TreeSet<>(names(EXPORT));
    exportOnly.removeAll(names(SYNC));
    Set<String> syncOnly = new TreeSet<>(names(SYNC));
    syncOnly.removeAll(names(EXPORT));

    assertThat(exportOnly).containsExactlyInAnyOrder("--resume");
    assertThat(syncOnly).containsExactlyInAnyOrder("--fill-gaps", "--fillGaps", "--interval",
        "--watch");
  }

  @Test
  void theOwnOptionsHaveExportsNamesAndTheRangeIsOptional() {
    for (String name : OWN) {
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

  /** Every name (and alias) of every option. */
  private static Set<String> names(CommandSpec command) {
    Set<String> names = new TreeSet<>();
    for (OptionSpec option : command.options()) {
      names.addAll(Arrays.asList(option.names()));
    }
    return names;
  }

  /** The class of the mixin that declares each option; options of the command itself absent. */
  private static Map<String, Class<?>> mixinOfEachOption(CommandSpec command) {
    Map<String, Class<?>> mixins = new HashMap<>();
    for (CommandSpec mixin : command.mixins().values()) {
      for (OptionSpec option : mixin.options()) {
        for (String name : option.names()) {
          mixins.put(name, mixin.userObject().getClass());
        }
      }
    }
    return mixins;
  }
}
