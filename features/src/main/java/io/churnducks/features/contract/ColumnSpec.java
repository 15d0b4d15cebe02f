package io.churnducks.features.contract;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;

import java.util.List;

/**
 * One canonical column of the input contract.
 *
 * @param name          canonical column name
 * @param type          canonical Spark type
 * @param required      a row without a value here is rejected ({@code missing_required})
 * @param doc           what the column means, with its unit
 * @param nonNegative   a negative value is rejected ({@code negative_value})
 * @param allowedValues when not empty, any other value is rejected ({@code invalid_value})
 * @param defaultValue  SQL literal used when the source has no value (null: stays null)
 */
public record ColumnSpec(
    String name,
    DataType type,
    boolean required,
    String doc,
    boolean nonNegative,
    List<String> allowedValues,
    String defaultValue) {

  public ColumnSpec {
    allowedValues = List.copyOf(allowedValues);
  }

  /** The column as a schema field, its description in the metadata {@code comment}. */
  public StructField field() {
    return Schemas.field(name, type, !required, doc);
  }

  public static ColumnSpec required(String name, DataType type, String doc) {
    return new ColumnSpec(name, type, true, doc, false, List.of(), null);
  }

  public static ColumnSpec optional(String name, DataType type, String doc) {
    return new ColumnSpec(name, type, false, doc, false, List.of(), null);
  }

  public ColumnSpec mustBeNonNegative() {
    return new ColumnSpec(name, type, required, doc, true, allowedValues, defaultValue);
  }

  public ColumnSpec allowed(String... values) {
    return new ColumnSpec(name, type, required, doc, nonNegative, List.of(values), defaultValue);
  }

  public ColumnSpec withDefault(String sqlLiteral) {
    return new ColumnSpec(name, type, required, doc, nonNegative, allowedValues, sqlLiteral);
  }
}
