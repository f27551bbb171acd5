package io.arexport.iceberg;

import io.arexport.schema.ExportTable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.NullOrder;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.mapping.MappingUtil;
import org.apache.iceberg.mapping.NameMappingParser;

/**
 * The Iceberg definition of an exported table, shared by the directory mode's {@link
 * MetadataWriter} and the catalog mode: schema and field ids (from {@link ExportTable}), the
 * partition spec {@code truncate(height, P)}, the sort order, the table properties (format v2,
 * name mapping) and the data file entry of an exported Parquet file (contract sections 5 and 7).
 */
public final class TableDefinition {
  /** Table property: the P of the default partition spec {@code truncate(height, P)}. */
  public static final String PARTITION_SIZE_PROPERTY = "arexport.height-partition-size";

  private TableDefinition() {}

  /** The spec {@code truncate(height, partitionSize)} of a new table. */
  public static PartitionSpec spec(ExportTable table, int partitionSize) {
    return PartitionSpec.builderFor(table.schema())
        .truncate("height", partitionSize, partitionFieldName(partitionSize)).build();
  }

  /** The contract's sort order; SQLite and DuckDB order NULL first, binary compares unsigned. */
  public static SortOrder sortOrder(ExportTable table) {
    SortOrder.Builder order = SortOrder.builderFor(table.schema());
    for (String column : table.sortColumns()) {
      order.asc(column, NullOrder.NULLS_FIRST);
    }
    return order.build();
  }

  /** The properties every exported table has: format v2, name mapping, the partition size. */
  public static Map<String, String> properties(ExportTable table, int partitionSize) {
    Map<String, String> properties = new HashMap<>();
    properties.put(TableProperties.FORMAT_VERSION, "2");
    properties.put(TableProperties.DEFAULT_NAME_MAPPING,
        NameMappingParser.toJson(MappingUtil.create(table.schema())));
    properties.put(PARTITION_SIZE_PROPERTY, Integer.toString(partitionSize));
    return properties;
  }

  /** The spec {@code truncate(height, size)} of {@code table}, or null. */
  public static PartitionSpec specFor(Table table, int size) {
    int heightId = table.schema().findField("height").fieldId();
    String transform = "truncate[" + size + "]";
    for (PartitionSpec spec : table.specs().values()) {
      if (spec.fields().size() == 1 && spec.fields().get(0).sourceId() == heightId
          && spec.fields().get(0).transform().toString().equals(transform)) {
        return spec;
      }
    }
    return null;
  }

  /** Named per P, so fields of different specs never share a name (they differ in id). */
  public static String partitionFieldName(int size) {
    return "height_trunc_" + size;
  }

  /** The data file entry of {@code file} at {@code location}, with its footer metrics. */
  public static DataFile dataFile(Table table, String location, ParquetFileFacts file) {
    return DataFiles.builder(specFor(table, file.partitionSize()))
        .withPath(location)
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(file.sizeInBytes())
        .withMetrics(file.metrics())
        .withSplitOffsets(file.splitOffsets())
        .withPartitionValues(List.of(Long.toString(file.partitionValue())))
        .withSortOrder(table.sortOrder())
        .build();
  }

  /** True when {@code actual} has the columns, field ids, types and optionality of the table. */
  public static boolean sameSchema(ExportTable table, Schema actual) {
    return actual.sameSchema(table.schema());
  }
}
