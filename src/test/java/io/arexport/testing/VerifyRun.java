package io.arexport.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arexport.HeightRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs {@code arexport verify} in-process over an {@link ExportArgs} setup and reads its JSON
 * report, for the reliability tests that check a warehouse after crashes, full disks and live
 * writers.
 */
public final class VerifyRun {
  private static final ObjectMapper JSON = new ObjectMapper();

  private VerifyRun() {}


  /** What one verify run reported. */
  public record Report(int status, JsonNode json, String out, String err) {
    /** True when verify exited 0 and reported no difference. */
    public boolean ok() {
      return status == 0 && json != null && json.path("ok").asBoolean(false);
    }

    /** {@code table partition} of every difference, e.g. {@code "tags 200-249"}. */
    public Set<String> differingPartitions() {
      Set<String> partitions = new TreeSet<>();
      if (json != null) {
        for (JsonNode finding : json.path("findings")) {
          if (finding.path("severity").asText().equals("difference")) {
            partitions.add(finding.path("table").asText() + " " + finding.path("partition").asText());
          }
        }
      }
      return partitions;
    }

    /** Every difference's message, for assertion descriptions. */
    public List<String> differences() {
      List<String> messages = new ArrayList<>();
      if (json != null) {
        for (JsonNode finding : json.path("findings")) {
          if (finding.path("severity").asText().equals("difference")) {
            messages.add(finding.path("kind").asText() + ": " + finding.path("message").asText());
          }
        }
      }
      return messages;
    }

    @Override
    public String toString() {
      return "verify exit " + status + ", differences " + differences() + ", stderr: " + err;
    }
  }

  /**
   * {@code verify --json [--deep]} of {@code range} with the export's partition size and L1 flags.
   */
  public static Report run(ExportArgs paths, HeightRange range, long partitionSize,
      boolean includeL1Transactions, boolean includeL1Tags, boolean deep) {
    List<String> args = new ArrayList<>(List.of("verify",
        "--startHeight", Long.toString(range.start()), "--endHeight", Long.toString(range.end()),
        "--heightPartitionSize", Long.toString(partitionSize),
        "--coreDb", paths.coreDb().toString(), "--bundlesDb", paths.bundlesDb().toString(),
        "--warehouseDir", paths.warehouseDir().toString(), "--json"));
    if (includeL1Transactions) {
      args.add("--includeL1Transactions");
    }
    if (includeL1Tags) {
      args.add("--includeL1Tags");
    }
    if (deep) {
      args.add("--deep");
    }
    Cli.Result result = Cli.run(args.toArray(String[]::new));
    JsonNode json = null;
    try {
      json = result.out().isBlank() ? null : JSON.readTree(result.out());
    } catch (Exception e) {
      // Left null: the assertion on ok() fails and prints the raw output.
    }
    return new Report(result.status(), json, result.out(), result.err());
  }
}
