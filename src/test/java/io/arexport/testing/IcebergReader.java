package io.arexport.testing;

import io.arexport.HeightRange;
import io.arexport.export.FaultPoints;
import io.arexport.iceberg.LocalTableOperations;
import io.arexport.iceberg.WarehouseFileIO;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableScan;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.hadoop.HadoopTables;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * Reads Iceberg tables with the Iceberg Java generics reader and renders each row as the same
 * canonical string as {@link SourceOracle}, so Iceberg reads compare with the SQLite source.
 */
public final class IcebergReader {
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  private IcebergReader() {}

  /**
   * Loads a table the way Spark's Hadoop catalog does ({@code HadoopTables}: version-hint.text,
   * Hadoop's FileIO), independently of arexport's own TableOperations; for {@code file:} roots.
   */
  public static Table loadWithHadoop(Path warehouse, String table) {
    return new HadoopTables(new Configuration()).load(warehouse.resolve(table).toString());
  }

  /** Loads a table whatever its root (e.g. an HTTP URL), mapping its paths to the warehouse. */
  public static Table loadLocally(Path warehouse, String table) {
    LocalTableOperations ops = LocalTableOperations.open(
        warehouse.resolve(table).resolve("metadata"), new WarehouseFileIO(warehouse),
        FaultPoints.NONE);
    return new BaseTable(ops, table);
  }

  /** Every row of the current snapshot. */
  public static List<String> rows(Table table) {
    return read(IcebergGenerics.read(table));
  }

  /** Every row of a given snapshot. */
  public static List<String> rows(Table table, long snapshotId) {
    return read(IcebergGenerics.read(table).useSnapshot(snapshotId));
  }

  /** Rows of the current snapshot whose height lies in {@code range}. */
  public static List<String> rows(Table table, HeightRange range) {
    return read(IcebergGenerics.read(table).where(heights(range)));
  }

  public static Expression heights(HeightRange range) {
    return Expressions.and(Expressions.greaterThanOrEqual("height", range.start()),
        Expressions.lessThanOrEqual("height", range.end()));
  }

  /** Data files {@code planFiles()} returns for a filter, with their column stats. */
  public static List<DataFile> plannedFiles(Table table, Expression filter) {
    TableScan scan = table.newScan().includeColumnStats().filter(filter);
    List<DataFile> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = scan.planFiles()) {
      for (FileScanTask task : tasks) {
        files.add(task.file().copy());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** All data files of the current snapshot, with their column stats. */
  public static List<DataFile> dataFiles(Table table) {
    return plannedFiles(table, Expressions.alwaysTrue());
  }

  private static List<String> read(IcebergGenerics.ScanBuilder scan) {
    List<String> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = scan.build()) {
      for (Record record : records) {
        rows.add(render(record));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  private static String render(Object value) {
    if (value == null) {
      return "NULL";
    }
    if (value instanceof ByteBuffer bytes) {
      ByteBuffer copy = bytes.duplicate();
      byte[] array = new byte[copy.remaining()];
      copy.get(array);
      return HEX.formatHex(array);
    }
    if (value instanceof CharSequence text) {
      return HEX.formatHex(text.toString().getBytes(StandardCharsets.UTF_8));
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    return value.toString();
  }

  /** The canonical row string: binary and string as upper-case hex, NULL for null. */
  public static String render(Record record) {
    List<Types.NestedField> fields = record.struct().fields();
    StringBuilder row = new StringBuilder();
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        row.append('|');
      }
      row.append(render(record.get(i)));
    }
    return row.toString();
  }
}
