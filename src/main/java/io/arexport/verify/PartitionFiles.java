package io.arexport.verify;

import io.arexport.Cancellation;
import io.arexport.HeightRange;
import io.arexport.RuntimeFailureException;
import io.arexport.parquet.LocalParquetFile;
import io.arexport.schema.ExportTable;
import io.arexport.warehouse.WarehouseLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.iceberg.types.Types;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.schema.MessageType;

/**
 * Reads one partition directory of one table the way verify needs it: which files an export would
 * have written there (by name), their row counts from the Parquet footers (no data pages are read),
 * their schema and height statistics, and with {@code --deep} the {@link Digest} of all their rows
 * (every data page is read, one row at a time).
 */
final class PartitionFiles {
  /**
   * Footer reads share one set of options: {@code ParquetFileReader.open(InputFile)} alone builds
   * a Hadoop Configuration (parsing its XML defaults) for every file, which dominated the cost.
   */
  private static final ParquetReadOptions READ_OPTIONS =
      ParquetReadOptions.builder(new PlainParquetConfiguration()).build();

  /** One data file counted as part of the partition. */
  record DataFile(Path path, String relative, long rows, long bytes) {}

  /** What the directory holds. */
  record Result(long rows, Digest digest, List<DataFile> files) {}

  private final ExportTable table;
  private final WarehouseLayout layout;
  private final Set<String> replaced;
  private final Consumer<Finding> findings;
  private final Cancellation cancellation;

  PartitionFiles(ExportTable table, WarehouseLayout layout, Set<String> replaced,
      Consumer<Finding> findings, Cancellation cancellation) {
    this.table = table;
    this.layout = layout;
    this.replaced = replaced;
    this.findings = findings;
    this.cancellation = cancellation;
  }

  /** Reads the directory {@code dir} of partition {@code range}. */
  Result read(Path dir, HeightRange range, boolean deep) {
    Pattern name = WarehouseLayout.dataFileName(table, range);
    List<Path> entries;
    try (Stream<Path> children = Files.list(dir)) {
      entries = children.sorted().toList();
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    // Current data files by job, then split index, so split files are read in their order.
    TreeMap<String, TreeMap<Integer, Path>> byJob = new TreeMap<>();
    List<Path> oddlyNamed = new ArrayList<>();
    boolean any = false;
    for (Path entry : entries) {
      String fileName = entry.getFileName().toString();
      String relative = layout.relative(entry);
      any = true;
      if (fileName.startsWith(".")) {
        finding(Finding.Kind.TEMPORARY_FILE, range, relative, null, null,
            "hidden file " + relative + " (a temporary file left by an interrupted write?)");
      } else if (Files.isDirectory(entry)) {
        finding(Finding.Kind.UNEXPECTED_FILE, range, relative, null, null,
            "unexpected directory " + relative + " inside a partition directory");
      } else if (!fileName.endsWith(".parquet")) {
        finding(Finding.Kind.UNEXPECTED_FILE, range, relative, null, null,
            "unexpected file " + relative + " (not a Parquet file)");
      } else if (replaced.contains(relative)) {
        finding(Finding.Kind.REPLACED_FILE, range, relative, null, null,
            "replaced file " + relative + " awaits deletion after the next Iceberg commit;"
                + " not counted");
      } else {
        Matcher matcher = name.matcher(fileName);
        if (matcher.matches()) {
          int split = matcher.group(1) == null ? -1 : Integer.parseInt(matcher.group(1));
          Path previous = byJob.computeIfAbsent(matcher.group(2), j -> new TreeMap<>())
              .put(split, entry);
          if (previous != null) {
            oddlyNamed.add(previous);
          }
        } else {
          finding(Finding.Kind.UNEXPECTED_FILE, range, relative, null, null,
              "file " + relative + " is not named " + table.tableName() + "_" + range.start()
                  + "_" + range.end() + "[_<n>]_<job>.parquet as an export names it;"
                  + " counted anyway (readers that glob *.parquet see it)");
          oddlyNamed.add(entry);
        }
      }
    }
    if (!any) {
      finding(Finding.Kind.EMPTY_DIRECTORY, range, layout.relative(dir), null, null,
          "empty partition directory " + layout.relative(dir));
    }
    checkFileSet(byJob, range, dir);

    // Files that continue one sort order: the split files of one run, in split order.
    List<List<Path>> groups = new ArrayList<>();
    byJob.values().forEach(files -> groups.add(List.copyOf(files.values())));
    oddlyNamed.forEach(file -> groups.add(List.of(file)));
    List<DataFile> files = new ArrayList<>();
    Digest digest = deep ? new Digest() : null;
    long rows = 0;
    for (List<Path> group : groups) {
      RowOrderCheck order = new RowOrderCheck();
      for (Path file : group) {
        cancellation.stopIfRequested("while reading " + layout.relative(file));
        DataFile facts = footer(file, range, !deep);
        if (facts == null) {
          continue;
        }
        files.add(facts);
        rows += facts.rows();
        if (deep) {
          readRows(file, range, digest, order);
        }
      }
    }
    return new Result(rows, digest, files);
  }

  /** One run writes a partition: one unsplit file, or split files _0.._n-1. */
  private void checkFileSet(TreeMap<String, TreeMap<Integer, Path>> byJob, HeightRange range,
      Path dir) {
    String relativeDir = layout.relative(dir);
    if (byJob.size() > 1) {
      finding(Finding.Kind.FILE_SET, range, relativeDir, null, null, relativeDir + " holds files"
          + " of " + byJob.size() + " export runs " + byJob.keySet() + "; an export replaces all"
          + " files of a partition it writes (rows counted twice?)");
    }
    for (var job : byJob.entrySet()) {
      TreeSet<Integer> splits = new TreeSet<>(job.getValue().keySet());
      boolean unsplit = splits.equals(new TreeSet<>(Set.of(-1)));
      boolean contiguous = !splits.contains(-1) && splits.first() == 0
          && splits.last() == splits.size() - 1;
      if (!unsplit && !contiguous) {
        finding(Finding.Kind.FILE_SET, range, relativeDir, null, null, relativeDir
            + ": the split files of run " + job.getKey() + " are " + describe(splits)
            + ", not _0.._" + (splits.size() - 1) + " (a split file lost or an extra file?)");
      }
    }
  }

  private static String describe(TreeSet<Integer> splits) {
    return splits.stream().map(i -> i < 0 ? "unsplit" : "_" + i).toList().toString();
  }

  /** Row count, schema and height statistics from the footer; null when it cannot be read. */
  private DataFile footer(Path file, HeightRange range, boolean checkHeightStatistics) {
    String relative = layout.relative(file);
    long rows;
    Long minHeight = null;
    Long maxHeight = null;
    MessageType schema;
    try (ParquetFileReader reader =
        ParquetFileReader.open(new LocalParquetFile(file), READ_OPTIONS)) {
      rows = reader.getRecordCount();
      schema = reader.getFileMetaData().getSchema();
      for (BlockMetaData block : reader.getFooter().getBlocks()) {
        for (ColumnChunkMetaData column : block.getColumns()) {
          if (!column.getPath().toDotString().equals("height")) {
            continue;
          }
          Statistics<?> stats = column.getStatistics();
          if (stats != null && stats.hasNonNullValue()
              && stats.genericGetMin() instanceof Long min
              && stats.genericGetMax() instanceof Long max) {
            minHeight = minHeight == null ? min : Math.min(minHeight, min);
            maxHeight = maxHeight == null ? max : Math.max(maxHeight, max);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      finding(Finding.Kind.UNREADABLE_FILE, range, relative, null, null,
          "cannot read the Parquet footer of " + relative + ": " + firstLine(e));
      return null;
    }
    checkSchema(schema, range, relative);
    if (rows == 0) {
      finding(Finding.Kind.EMPTY_FILE, range, relative, 0L, 0L,
          relative + " has no rows (an export never writes an empty file)");
    }
    // With --deep every row's height is checked instead (an exact count).
    if (checkHeightStatistics && minHeight != null
        && (minHeight < range.start() || maxHeight > range.end())) {
      finding(Finding.Kind.OUT_OF_PARTITION_ROWS, range, relative, null, null, relative
          + " holds heights " + minHeight + "-" + maxHeight + " (footer statistics), outside"
          + " its partition " + range);
    }
    long bytes;
    try {
      bytes = Files.size(file);
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot stat " + file + ": " + e.getMessage(), e);
    }
    return new DataFile(file, relative, rows, bytes);
  }

  /** Field ids, names and types as in the table schema (required/optional is not compared). */
  private void checkSchema(MessageType parquetSchema, HeightRange range, String relative) {
    List<String> problems = new ArrayList<>();
    if (!ParquetSchemaUtil.hasIds(parquetSchema)) {
      problems.add("no Iceberg field ids");
    } else {
      Schema actual;
      try {
        actual = ParquetSchemaUtil.convert(parquetSchema);
      } catch (RuntimeException e) {
        finding(Finding.Kind.SCHEMA, range, relative, null, null,
            relative + ": cannot map its Parquet schema to Iceberg types: " + firstLine(e));
        return;
      }
      for (Types.NestedField expected : table.schema().columns()) {
        Types.NestedField field = actual.findField(expected.fieldId());
        if (field == null) {
          problems.add("no column with field id " + expected.fieldId() + " (" + expected.name()
              + ")");
        } else if (!field.name().equals(expected.name())
            || !field.type().equals(expected.type())) {
          problems.add("field id " + expected.fieldId() + " is " + field.name() + " "
              + field.type() + ", expected " + expected.name() + " " + expected.type());
        }
      }
      for (Types.NestedField field : actual.columns()) {
        if (table.schema().findField(field.fieldId()) == null) {
          problems.add("unexpected column " + field.name() + " (field id " + field.fieldId()
              + ")");
        }
      }
    }
    if (!problems.isEmpty()) {
      finding(Finding.Kind.SCHEMA, range, relative, null, null,
          relative + " does not have the " + table.tableName() + " schema: "
              + String.join("; ", problems));
    }
  }

  /** Adds every row of {@code file} to {@code digest}; checks heights and order on the way. */
  private void readRows(Path file, HeightRange range, Digest digest, RowOrderCheck order) {
    String relative = layout.relative(file);
    Schema schema = table.schema();
    long outside = 0;
    long read = 0;
    try (CloseableIterable<Record> rows = Parquet.read(
            org.apache.iceberg.Files.localInput(file.toFile()))
        .project(schema)
        .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema))
        .build()) {
      RowDigester digester = new RowDigester(table);
      for (Record row : rows) {
        if ((++read & 0xfff) == 0) {
          cancellation.stopIfRequested("while reading " + relative);
        }
        digester.add(row, digest);
        Object height = row.get(table.heightPosition());
        if (!(height instanceof Long h) || !range.contains(h)) {
          outside++;
        }
        if (!order.accept(row)) {
          finding(Finding.Kind.ROW_ORDER, range, relative, null, null, relative + ": rows are"
              + " not sorted by " + String.join(", ", table.sortColumns()) + " (row "
              + read + " of the file)");
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof io.arexport.StoppedException stopped) {
        throw stopped;
      }
      finding(Finding.Kind.UNREADABLE_FILE, range, relative, null, null,
          "cannot read the rows of " + relative + " (after " + read + " rows): " + firstLine(e));
    }
    if (outside > 0) {
      finding(Finding.Kind.OUT_OF_PARTITION_ROWS, range, relative, null, outside, relative
          + " holds " + outside + " rows whose height is outside its partition " + range);
    }
  }

  /**
   * The contract's order across the split files of one run: height, id (unsigned bytes), tag
   * index. Reports the first violation only. Rows whose key has a null are skipped (the schema
   * check or the digest reports those).
   */
  private final class RowOrderCheck {
    private final Comparator<Record> order = table.rowOrder();
    private Record previous;
    private boolean reported;

    boolean accept(Record row) {
      for (String column : table.sortColumns()) {
        if (row.getField(column) == null) {
          return true;
        }
      }
      boolean ok = previous == null || order.compare(previous, row) <= 0;
      previous = row;
      if (ok || reported) {
        return true;
      }
      reported = true;
      return false;
    }
  }

  private void finding(Finding.Kind kind, HeightRange range, String path, Long expected,
      Long found, String message) {
    findings.accept(new Finding(kind, table.tableName(), range.toString(), path, expected, found,
        message));
  }

  static String firstLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.lines().findFirst().orElse(message);
  }
}
