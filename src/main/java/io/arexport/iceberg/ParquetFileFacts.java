package io.arexport.iceberg;

import io.arexport.HeightRange;
import io.arexport.InvalidInputException;
import io.arexport.parquet.LocalParquetFile;
import io.arexport.parquet.PartitionFileWriter;
import io.arexport.schema.ExportTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.Schema;
import org.apache.iceberg.mapping.NameMapping;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.schema.MessageType;

/**
 * What an Iceberg data file entry needs from one exported Parquet file, taken from its footer:
 * the metrics (record count, column sizes, value and null counts, bounds), the row-group split
 * offsets, and the height partition size it was written with. Reading it also checks that the
 * file belongs to the table: same columns, field ids and types, heights inside its partition.
 *
 * @param relativePath warehouse-relative path, {@code <table>/data/height=S-E/<file>.parquet}
 * @param partitionSize the P of {@code truncate(height, P)} the file was written with
 * @param partitionValue {@code truncate(height, P)} of every row: S - S mod P
 */
public record ParquetFileFacts(String relativePath, long sizeInBytes, int partitionSize,
    long partitionValue, Metrics metrics, List<Long> splitOffsets) {

  /**
   * Reads the footer of {@code file}, found in partition directory {@code directory}.
   *
   * @throws InvalidInputException naming the file when it is not a Parquet file of this table
   */
  public static ParquetFileFacts read(ExportTable table, String relativePath, Path file,
      HeightRange directory, NameMapping nameMapping) {
    ParquetMetadata footer;
    long size;
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalParquetFile(file))) {
      footer = reader.getFooter();
      size = Files.size(file);
    } catch (IOException | RuntimeException e) {
      throw new InvalidInputException("cannot read the Parquet footer of " + file + ": "
          + e.getMessage(), e);
    }
    MessageType type = footer.getFileMetaData().getSchema();
    boolean hasIds = ParquetSchemaUtil.hasIds(type);
    Schema fileSchema;
    try {
      fileSchema = ParquetSchemaUtil.convert(
          hasIds ? type : ParquetSchemaUtil.applyNameMapping(type, nameMapping));
    } catch (RuntimeException e) {
      throw new InvalidInputException("schema of " + file + " cannot be read as an Iceberg"
          + " schema: " + e.getMessage(), e);
    }
    String difference = difference(table.schema(), fileSchema);
    if (difference != null) {
      throw new InvalidInputException("schema of " + file + " does not match table "
          + table.tableName() + ": " + difference);
    }

    int partitionSize = partitionSize(file,
        footer.getFileMetaData().getKeyValueMetaData().get(PartitionFileWriter.PARTITION_SIZE_KEY));
    long partitionValue = directory.start() - Math.floorMod(directory.start(), partitionSize);
    if (directory.end() - Math.floorMod(directory.end(), partitionSize) != partitionValue) {
      throw new InvalidInputException("partition directory of " + file + " spans more than one"
          + " truncate(height, " + partitionSize + ") partition");
    }

    Metrics metrics = ParquetUtil.footerMetrics(footer, Stream.empty(), MetricsConfig.getDefault(),
        hasIds ? null : nameMapping);
    checkHeights(table, file, directory, metrics);
    return new ParquetFileFacts(relativePath, size, partitionSize, partitionValue, metrics,
        new ArrayList<>(ParquetUtil.getSplitOffsets(footer)));
  }

  private static int partitionSize(Path file, String recorded) {
    if (recorded == null) {
      throw new InvalidInputException(file + " has no " + PartitionFileWriter.PARTITION_SIZE_KEY
          + " footer entry: only files written by 'arexport export' can be added");
    }
    try {
      long size = Long.parseLong(recorded.trim());
      if (size < 1 || size > Integer.MAX_VALUE) {
        throw new NumberFormatException();
      }
      return (int) size;
    } catch (NumberFormatException e) {
      throw new InvalidInputException(file + " records " + PartitionFileWriter.PARTITION_SIZE_KEY
          + "=" + recorded + ", which is not a partition size Iceberg's truncate can express"
          + " (1.." + Integer.MAX_VALUE + ")");
    }
  }

  /** Heights in the file must lie inside its partition directory's range. */
  private static void checkHeights(ExportTable table, Path file, HeightRange directory,
      Metrics metrics) {
    int heightId = table.schema().findField("height").fieldId();
    ByteBuffer lower = metrics.lowerBounds() == null ? null : metrics.lowerBounds().get(heightId);
    ByteBuffer upper = metrics.upperBounds() == null ? null : metrics.upperBounds().get(heightId);
    if (lower == null || upper == null) {
      return;
    }
    long min = Conversions.<Long>fromByteBuffer(Types.LongType.get(), lower);
    long max = Conversions.<Long>fromByteBuffer(Types.LongType.get(), upper);
    if (!directory.contains(min) || !directory.contains(max)) {
      throw new InvalidInputException(file + " holds heights " + min + "-" + max
          + ", outside its partition directory " + directory.directoryName());
    }
  }

  /** The first difference between the table's columns and the file's, or null if none. */
  private static String difference(Schema expected, Schema actual) {
    for (Types.NestedField field : expected.columns()) {
      Types.NestedField found = actual.findField(field.fieldId());
      if (found == null) {
        return "column " + field.name() + " (field id " + field.fieldId() + ") is missing";
      }
      if (!found.equals(field)) {
        return "column " + field.fieldId() + " is " + describe(found) + " in the file, "
            + describe(field) + " in the table";
      }
    }
    for (Types.NestedField field : actual.columns()) {
      if (expected.findField(field.fieldId()) == null) {
        return "extra column " + describe(field);
      }
    }
    return null;
  }

  private static String describe(Types.NestedField field) {
    return field.name() + " " + (field.isOptional() ? "optional " : "required ") + field.type();
  }
}
