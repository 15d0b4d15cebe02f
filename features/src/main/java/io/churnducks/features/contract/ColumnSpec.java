package io.churnducks.features.contract;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;

import java.util.List;

/**
 * One canonical column of the input contract and the rules its values must satisfy.
 *
 * <p>Text is always trimmed (blank = missing). Identifiers such as {@code account_id} are only
 * trimmed, never case-changed. A column with {@link #allowedValues} is compared ignoring case
 * ({@code "PAID "} is {@code paid}) and takes the listed spelling. A {@link #category} column
 * (free-text categories such as industry or plan) additionally has its inner whitespace collapsed
 * to one space and its case normalised by the declared {@link Case}, so one industry is one value
 * ({@code "saas"}, {@code " SaaS "} and {@code "SAAS"} are all {@code Saas}).
 *
 * <p>A value that breaks a rule rejects the whole row when the column is required (or a key);
 * in an optional column the value becomes null and the row stays (the dropped value is recorded
 * in {@code dq_quarantine} as {@code value_nulled}).
 *
 * @param name          canonical column name
 * @param type          canonical Spark type
 * @param required      a row without a value here is rejected ({@code missing_required})
 * @param doc           what the column means, with its unit
 * @param nonNegative   a negative value breaks {@code negative_value}
 * @param min           smallest allowed value, inclusive (null: no lower bound); a smaller value
 *                      breaks {@code out_of_range}
 * @param max           largest allowed value, inclusive (null: no upper bound); a larger value
 *                      breaks {@code out_of_range}
 * @param allowedValues when not empty, any other value (ignoring case) breaks {@code invalid_value}
 * @param category      when not null, the text is a category normalised to this case
 * @param defaultValue  SQL literal used when the source has no value (null: stays null); a value
 *                      nulled because it broke a rule stays null
 */
public record ColumnSpec(
    String name,
    DataType type,
    boolean required,
    String doc,
    boolean nonNegative,
    Double min,
    Double max,
    List<String> allowedValues,
    Case category,
    String defaultValue) {

  /** How a category's text is cased after trimming and collapsing its inner whitespace. */
  public enum Case {
    /** Lower case, for codes such as {@code paid_search} or {@code urgent}. */
    LOWER,
    /** Upper case, for codes such as ISO country codes ({@code US}). */
    UPPER,
    /** Each word's first letter upper case, the rest lower case ({@code Financial Services}). */
    TITLE
  }

  public ColumnSpec {
    allowedValues = List.copyOf(allowedValues);
    if (min != null && max != null && min > max) {
      throw new IllegalArgumentException("Cannot declare column " + name + ": range " + min + ".." + max
          + " is empty (the lower bound must not exceed the upper bound)");
    }
  }

  /** The column as a schema field, its description in the metadata {@code comment}. */
  public StructField field() {
    return Schemas.field(name, type, !required, doc);
  }

  public static ColumnSpec required(String name, DataType type, String doc) {
    return new ColumnSpec(name, type, true, doc, false, null, null, List.of(), null, null);
  }

  public static ColumnSpec optional(String name, DataType type, String doc) {
    return new ColumnSpec(name, type, false, doc, false, null, null, List.of(), null, null);
  }

  public ColumnSpec mustBeNonNegative() {
    return new ColumnSpec(name, type, required, doc, true, min, max, allowedValues, category, defaultValue);
  }

  /** Values outside {@code [lo, hi]} (inclusive) break {@code out_of_range}. */
  public ColumnSpec between(double lo, double hi) {
    return new ColumnSpec(name, type, required, doc, nonNegative, lo, hi, allowedValues, category, defaultValue);
  }

  public ColumnSpec allowed(String... values) {
    return new ColumnSpec(name, type, required, doc, nonNegative, min, max, List.of(values), category,
        defaultValue);
  }

  /** A free-text category: trimmed, inner whitespace collapsed, case normalised to {@code c}. */
  public ColumnSpec category(Case c) {
    return new ColumnSpec(name, type, required, doc, nonNegative, min, max, allowedValues, c, defaultValue);
  }

  public ColumnSpec withDefault(String sqlLiteral) {
    return new ColumnSpec(name, type, required, doc, nonNegative, min, max, allowedValues, category, sqlLiteral);
  }

  /** Whether the column declares a range. */
  public boolean hasRange() {
    return min != null || max != null;
  }

  /** The range as text for messages, e.g. {@code 0-10}, {@code >= 1}. */
  public String rangeText() {
    if (min != null && max != null) {
      return number(min) + "-" + number(max);
    }
    return min != null ? ">= " + number(min) : "<= " + number(max);
  }

  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
