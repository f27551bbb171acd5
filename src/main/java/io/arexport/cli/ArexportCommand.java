package io.arexport.cli;

import picocli.CommandLine.Command;

/** The top-level {@code arexport} command; work happens in its subcommands. */
@Command(
    name = "arexport",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Exports an AR.IO gateway's SQLite index to height-partitioned Parquet tables"
        + " (blocks, transactions, tags) and Apache Iceberg metadata.",
    subcommands = {ExportCommand.class, SyncCommand.class, StatusCommand.class,
        MetadataCommand.class, MaintainCommand.class, VerifyCommand.class, ServeCommand.class,
        CompletionCommand.class, HelpCommand.class},
    footer = {
        "",
        "Examples:",
        "  # Export heights 1000000-1010000 from data/sqlite into data/datasets/default",
        "  arexport export --startHeight 1000000 --endHeight 1010000",
        "",
        "  # Make them Iceberg tables, then check every value against the gateway",
        "  arexport metadata",
        "  arexport verify --startHeight 1000000 --endHeight 1010000 --deep",
        "",
        "Exit status: 0 ok, 1 runtime failure, 2 usage or invalid input,"
            + " 3 state conflict, 4 internal error.",
        "",
        "Run 'arexport COMMAND --help' (or 'arexport help COMMAND') for a command's options and"
            + " examples."
    })
final class ArexportCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
        "missing command (" + String.join(", ", spec.subcommands().keySet()) + ")");
  }
}
