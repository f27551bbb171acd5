package io.arexport.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.arexport.verify.Finding;
import io.arexport.verify.PartitionCheck;
import io.arexport.verify.VerifyListener;
import io.arexport.verify.VerifyRequest;
import io.arexport.verify.VerifySummary;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Verify's report on stdout, written as findings arrive (nothing is collected): text lines, or one
 * JSON document. Text: a header, one {@code DIFF}/{@code NOTE} line per finding, a table of
 * totals and a last line starting {@code verify: OK} or {@code verify: FAILED}. Both begin when
 * the run has {@link #started}: a run refused for bad input prints nothing on stdout.
 */
abstract class VerifyReport implements VerifyListener {
  /** The run ended with a failure (exit status by {@link ExitCodes}); close the report. */
  abstract void aborted(RuntimeException failure);

  abstract void finished(VerifySummary summary);

  static VerifyReport text(PrintStream out, PrintStream err, boolean live, VerifyRequest request) {
    return new Text(out, err, live, request);
  }

  static VerifyReport json(PrintStream out, VerifyRequest request) {
    return new Json(out, request);
  }

  static String mode(VerifyRequest request) {
    return request.deep() ? "deep" : "counts";
  }

  private static final class Text extends VerifyReport {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean live;
    private final VerifyRequest request;
    private boolean started;
    private boolean liveLineShown;

    Text(PrintStream out, PrintStream err, boolean live, VerifyRequest request) {
      this.out = out;
      this.err = err;
      this.live = live;
      this.request = request;
    }

    @Override
    public void started() {
      if (started) {
        return;
      }
      started = true;
      out.printf("verifying heights %s of %s (heightPartitionSize %d, L1 transactions %s,"
              + " L1 tags %s, %s)%n", request.range(), request.destination(),
          request.heightPartitionSize(), request.includeL1Transactions() ? "on" : "off",
          request.includeL1Tags() ? "on" : "off",
          request.deep() ? "deep: every value" : "row counts only");
    }

    @Override
    public void checked(PartitionCheck check) {
      if (live) {
        err.printf("\r  verified %s height=%s: %,d rows\033[K", check.table(), check.partition(),
            check.foundRows());
        liveLineShown = true;
      }
    }

    @Override
    public void found(Finding finding) {
      started();
      clearLiveLine();
      out.println((finding.isDifference() ? "DIFF " : "NOTE ") + finding.kind().code() + ": "
          + finding.message());
    }

    @Override
    void aborted(RuntimeException failure) {
      clearLiveLine();
      out.flush();
    }

    @Override
    void finished(VerifySummary summary) {
      started();
      clearLiveLine();
      out.printf("%-13s %10s %10s %8s %15s %15s %8s%n", "table", "partitions", "matching",
          "missing", "expected rows", "found rows", "files");
      for (Map.Entry<String, VerifySummary.TableTotals> table : summary.tables().entrySet()) {
        VerifySummary.TableTotals t = table.getValue();
        out.printf("%-13s %10d %10d %8d %15d %15d %8d%n", table.getKey(), t.partitions(),
            t.partitionsMatching(), t.missingPartitions(), t.expectedRows(), t.foundRows(),
            t.files());
      }
      if (summary.ok()) {
        out.println("verify: OK, the warehouse matches the source for heights " + request.range()
            + (request.deep() ? " (every value compared)"
                : " (row counts compared; --deep also compares every value)")
            + " in " + SummaryText.duration(java.time.Duration.ofMillis(summary.durationMillis())));
      } else {
        out.println("verify: FAILED, " + summary.differences() + " difference"
            + (summary.differences() == 1 ? "" : "s") + " (DIFF lines above)");
      }
      out.flush();
    }

    private void clearLiveLine() {
      if (liveLineShown) {
        err.print("\r\033[K");
        liveLineShown = false;
      }
    }
  }

  /** One JSON object, streamed: request, findings array, totals, result. */
  private static final class Json extends VerifyReport {
    private final PrintStream out;
    private final VerifyRequest request;
    private final JsonGenerator json;
    private boolean started;

    Json(PrintStream out, VerifyRequest request) {
      this.out = out;
      this.request = request;
      try {
        json = new JsonFactory().createGenerator(out).useDefaultPrettyPrinter();
        json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void started() {
      if (started) {
        return;
      }
      started = true;
      try {
        json.writeStartObject();
        json.writeNumberField("startHeight", request.range().start());
        json.writeNumberField("endHeight", request.range().end());
        json.writeNumberField("heightPartitionSize", request.heightPartitionSize());
        json.writeBooleanField("includeL1Transactions", request.includeL1Transactions());
        json.writeBooleanField("includeL1Tags", request.includeL1Tags());
        json.writeStringField("mode", mode(request));
        json.writeStringField("coreDb", request.coreDb().toString());
        json.writeStringField("bundlesDb", request.bundlesDb().toString());
        json.writeStringField("warehouse", request.destination());
        json.writeArrayFieldStart("findings");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void found(Finding finding) {
      started();
      try {
        json.writeStartObject();
        json.writeStringField("severity", finding.isDifference() ? "difference" : "note");
        json.writeStringField("kind", finding.kind().code());
        optional("table", finding.table());
        optional("partition", finding.partition());
        optional("path", finding.path());
        if (finding.expected() != null) {
          json.writeNumberField("expectedRows", finding.expected());
        }
        if (finding.found() != null) {
          json.writeNumberField("foundRows", finding.found());
        }
        json.writeStringField("message", finding.message());
        json.writeEndObject();
        json.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void optional(String field, String value) throws IOException {
      if (value != null) {
        json.writeStringField(field, value);
      }
    }

    @Override
    void aborted(RuntimeException failure) {
      if (!started) {
        return;
      }
      try {
        json.writeEndArray();
        json.writeStringField("error", String.valueOf(failure.getMessage()));
        json.writeBooleanField("ok", false);
        json.writeEndObject();
        json.flush();
        out.println();
      } catch (IOException | RuntimeException e) {
        // The failure itself is reported on stderr.
      }
    }

    @Override
    void finished(VerifySummary summary) {
      started();
      try {
        json.writeEndArray();
        json.writeObjectFieldStart("tables");
        for (Map.Entry<String, VerifySummary.TableTotals> table : summary.tables().entrySet()) {
          VerifySummary.TableTotals t = table.getValue();
          json.writeObjectFieldStart(table.getKey());
          json.writeNumberField("partitions", t.partitions());
          json.writeNumberField("partitionsMatching", t.partitionsMatching());
          json.writeNumberField("expectedRows", t.expectedRows());
          json.writeNumberField("foundRows", t.foundRows());
          json.writeNumberField("files", t.files());
          json.writeNumberField("missingPartitions", t.missingPartitions());
          json.writeEndObject();
        }
        json.writeEndObject();
        json.writeNumberField("differences", summary.differences());
        json.writeNumberField("notes", summary.notes());
        json.writeNumberField("durationMillis", summary.durationMillis());
        json.writeBooleanField("ok", summary.ok());
        json.writeEndObject();
        json.flush();
        out.println();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
