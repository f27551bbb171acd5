package io.arexport.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.arexport.HeightRange;
import io.arexport.fs.DurableFiles;
import io.arexport.testing.Cli;
import io.arexport.testing.ExportArgs;
import io.arexport.testing.SampleDatabases;
import io.arexport.testing.SampleDatabases.Spec;
import io.arexport.testing.SourceOracle;
import io.arexport.testing.WarehouseAssertions;
import io.arexport.testing.WarehouseReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;

/**
 * Property-based tests (jqwik) of the export contract's invariants over generated option spaces
 * and generated small gateway databases: for any database, range, partition size P (1..200),
 * maxFileRows (1..50) and L1 flags,
 *
 * <ul>
 *   <li><b>coverage and uniqueness</b>: the exported rows are exactly the source rows of the range
 *       (as a multiset: none missing, none twice);
 *   <li><b>ordering</b>: within each table-partition rows are sorted by (height, id unsigned[,
 *       tag_index]), continuing across split files {@code _0, _1, ...}, keys strictly increasing;
 *   <li><b>partition bounds</b>: every directory is an aligned partition of the range
 *       ({@code [kP, kP+P-1]} intersected with it) and holds only rows of its heights;
 *   <li><b>files</b>: none empty, none over maxFileRows, named per the contract (one file, or
 *       split files numbered 0..n-1 of one job).
 * </ul>
 *
 * jqwik prints the seed of a failing try; rerun it with {@code @Property(seed = "...")}.
 */
class ExportPropertiesTest {
  private static final Pattern FILE =
      Pattern.compile("(blocks|transactions|tags)_(\\d+)_(\\d+)_(?:(\\d+)_)?"
          + "(\\d{8}T\\d+_\\d+)\\.parquet");

  /** One generated case: the database spec and the export options. */
  record Case(Spec spec, HeightRange range, long partitionSize, long maxFileRows,
      boolean l1Transactions, boolean l1Tags, int threads) {}

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<Spec> specs = Combinators.combine(
            Arbitraries.longs().between(1, 1_000_000),
            Arbitraries.longs().between(0, 60),
            Arbitraries.integers().between(3, 30),
            Arbitraries.integers().between(1, 2),
            Arbitraries.integers().between(1, 3),
            Arbitraries.integers().between(0, 3))
        .as((seed, start, heights, l1, items, tags) ->
            new Spec(seed, start, start + heights - 1, l1, items, tags));
    return specs.flatMap(spec -> Combinators.combine(
            Arbitraries.longs().between(Math.max(0, spec.startHeight() - 5), spec.endHeight()),
            Arbitraries.longs().between(0, spec.endHeight() - spec.startHeight() + 10),
            // Mostly sizes below the databases' 3-30 heights, so that most tries cut the range
            // into several aligned partitions; now and then one larger than the range.
            Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.longs().between(1, 12)),
                Tuple.of(1, Arbitraries.longs().between(13, 200))),
            Arbitraries.longs().between(1, 50),
            Arbitraries.of(true, false),
            Arbitraries.of(true, false),
            Arbitraries.integers().between(1, 3))
        .as((from, length, p, maxRows, l1Tx, l1Tags, threads) -> new Case(spec,
            new HeightRange(from, from + length), p, maxRows, l1Tx, l1Tags, threads)));
  }

  @Property(tries = 25, shrinking = ShrinkingMode.BOUNDED)
  void exportKeepsTheContractsInvariants(@ForAll("cases") Case c) throws Exception {
    Path work = Files.createTempDirectory("arexport-property-");
    try {
      Path sources = work.resolve("sources");
      SampleDatabases.generate(c.spec(), sources.resolve("core.db"), sources.resolve("bundles.db"));
      ExportArgs paths = ExportArgs.of(sources, work);
      List<String> args = new ArrayList<>(List.of(paths.export(c.range().start(),
          c.range().end(), c.partitionSize(), "--maxFileRows", Long.toString(c.maxFileRows()),
          "--threads", Integer.toString(c.threads()))));
      if (c.l1Transactions()) {
        args.add("--includeL1Transactions");
      }
      if (c.l1Tags()) {
        args.add("--includeL1Tags");
      }

      Cli.Result result = Cli.run(args.toArray(String[]::new));

      assertThat(result.status()).as(c + ": " + result.err()).isZero();
      assertThat(WarehouseAssertions.jobDirs(paths.stagingDir())).isEmpty();
      assertThat(WarehouseAssertions.temporaryFiles(paths.warehouseDir())).isEmpty();
      try (SourceOracle source = new SourceOracle(paths.coreDb(), paths.bundlesDb());
          WarehouseReader parquet = new WarehouseReader()) {
        for (String table : WarehouseAssertions.TABLES) {
          checkTable(c, table, paths.warehouseDir(), source, parquet);
        }
      }
    } finally {
      DurableFiles.deleteTree(work);
    }
  }

  private static void checkTable(Case c, String table, Path warehouse, SourceOracle source,
      WarehouseReader parquet) throws Exception {
    List<String> all = new ArrayList<>();
    for (Map.Entry<HeightRange, List<Path>> dir : WarehouseReader.files(warehouse, table)
        .entrySet()) {
      HeightRange partition = dir.getKey();
      String where = c + " " + table + " " + partition;
      // Computed here, not by the HeightRange method the export's plan uses: a partition starts
      // at a multiple of P or at the range's start, and ends before the next multiple or at
      // the range's end.
      long p = c.partitionSize();
      long alignedStart = partition.start() - Math.floorMod(partition.start(), p);
      assertThat(partition).as("aligned partition, " + where).isEqualTo(new HeightRange(
          Math.max(c.range().start(), alignedStart),
          Math.min(c.range().end(), alignedStart + p - 1)));
      List<Path> files = dir.getValue();
      assertThat(files).as("files, " + where).isNotEmpty();
      String job = null;
      List<String> rows = new ArrayList<>();
      for (int i = 0; i < files.size(); i++) {
        String name = files.get(i).getFileName().toString();
        Matcher m = FILE.matcher(name);
        assertThat(m.matches()).as("file name " + name + ", " + where).isTrue();
        assertThat(m.group(1)).isEqualTo(table);
        assertThat(Long.parseLong(m.group(2))).isEqualTo(partition.start());
        assertThat(Long.parseLong(m.group(3))).isEqualTo(partition.end());
        if (files.size() == 1) {
          assertThat(m.group(4)).as("unsplit file has no index, " + name).isNull();
        } else {
          assertThat(m.group(4)).as("split index of " + name).isEqualTo(Integer.toString(i));
        }
        job = job == null ? m.group(5) : job;
        assertThat(m.group(5)).as("one job per partition, " + name).isEqualTo(job);
        List<String> fileRows = parquet.read(files.get(i), table);
        assertThat(fileRows.size()).as("rows in " + name + ", " + where)
            .isBetween(1, (int) Math.min(Integer.MAX_VALUE, c.maxFileRows()));
        rows.addAll(fileRows);
      }
      String previous = null;
      for (String row : rows) {
        long height = Long.parseLong(key(table, row).split("\\|")[0]);
        assertThat(partition.contains(height)).as("height " + height + " in " + where).isTrue();
        String key = sortKey(table, row);
        if (previous != null) {
          assertThat(key).as("keys strictly increasing, " + where).isGreaterThan(previous);
        }
        previous = key;
      }
      all.addAll(rows);
    }
    assertThat(all).as(c + " " + table + ": every source row once")
        .containsExactlyInAnyOrderElementsOf(
            source.rows(table, c.range(), c.l1Transactions(), c.l1Tags()));
  }

  /** "height|id[|tag_index]" of a rendered row (see {@link WarehouseReader}). */
  private static String key(String table, String row) {
    String[] f = row.split("\\|", -1);
    return switch (table) {
      case "blocks" -> f[1] + "|" + f[0];
      case "transactions" -> f[11] + "|" + f[0];
      default -> f[0] + "|" + f[1] + "|" + f[2];
    };
  }

  /**
   * A string whose natural order is the contract's row order: the height and the tag index
   * zero-padded, the id as upper-case hex (hex order is unsigned byte order, a prefix first).
   */
  private static String sortKey(String table, String row) {
    String[] k = key(table, row).split("\\|");
    String key = String.format("%020d|%s", Long.parseLong(k[0]), k[1]);
    return k.length == 3 ? key + "|" + String.format("%011d", Long.parseLong(k[2])) : key;
  }

}
