package io.arexport.parquet;

import io.arexport.parquet.FlatParquetWriter.ColumnKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;
import org.apache.parquet.schema.MessageType;

/**
 * The Parquet form of an export table: the schema Iceberg's own writer derives from the table's
 * Iceberg schema ({@link ParquetSchemaUtil#convert}: the same field ids, physical types and
 * annotations — {@code decimal(20,0)} as 9-byte fixed, strings as UTF8), how each column's values
 * are written, and the footer entries, among them the same {@code iceberg.schema} entry Iceberg
 * writes, so readers cannot tell the writers apart.
 */
record ParquetTableSchema(MessageType parquetSchema, List<ColumnKind> kinds, int[] decimalBytes,
    Map<String, String> footer) {

  static ParquetTableSchema of(Schema schema, String tableName, Map<String, String> extraFooter) {
    Map<String, String> footer = new LinkedHashMap<>(extraFooter);
    footer.put("iceberg.schema", SchemaParser.toJson(schema));
    List<Types.NestedField> columns = schema.columns();
    List<ColumnKind> kinds = new ArrayList<>();
    int[] decimalBytes = new int[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      Types.NestedField field = columns.get(i);
      ColumnKind kind = kindOf(field.type(), tableName + "." + field.name());
      kinds.add(kind);
      if (kind == ColumnKind.DECIMAL) {
        decimalBytes[i] =
            TypeUtil.decimalRequiredBytes(((Types.DecimalType) field.type()).precision());
      }
    }
    return new ParquetTableSchema(ParquetSchemaUtil.convert(schema, "table"), List.copyOf(kinds),
        decimalBytes, java.util.Collections.unmodifiableMap(footer));
  }

  private static ColumnKind kindOf(Type type, String column) {
    return switch (type.typeId()) {
      case LONG -> ColumnKind.LONG;
      case INTEGER -> ColumnKind.INT;
      case BOOLEAN -> ColumnKind.BOOLEAN;
      case BINARY -> ColumnKind.BINARY;
      case STRING -> ColumnKind.STRING;
      case DECIMAL -> {
        if (((Types.DecimalType) type).scale() != 0) {
          throw new IllegalArgumentException(column + ": only decimals of scale 0 are exported");
        }
        yield ColumnKind.DECIMAL;
      }
      default -> throw new IllegalArgumentException(column + ": unsupported type " + type);
    };
  }
}
