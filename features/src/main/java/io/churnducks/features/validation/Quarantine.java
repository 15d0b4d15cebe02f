package io.churnducks.features.validation;

import io.churnducks.features.contract.Schemas;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * The {@code dq_quarantine} table: what the input contract kept out of the clean tables, so
 * nothing is lost. A record is either a rejected row ({@value #ROW_REJECTED}: the row is not in
 * the clean table) or a dropped value ({@value #VALUE_NULLED}: a bad value in an optional column
 * was replaced by null and the row stayed). Each record names the rule, the source column, the
 * offending value and the raw source row.
 *
 * <p>The raw row is turned into JSON only here, for the quarantined rows: the checks carry the
 * source columns as a struct ({@value SourceConformer#SOURCE_ROW}) and never serialise clean rows.
 */
public final class Quarantine {

  private Quarantine() {}

  /**
   * Rule codes, in the order they are checked on a row: a rejected row is recorded under the
   * first rule it breaks, with every reason.
   */
  public static final String UNPARSEABLE_DATE = "unparseable_date";
  public static final String WRONG_TYPE = "wrong_type";
  public static final String MISSING_REQUIRED = "missing_required";
  public static final String NEGATIVE_VALUE = "negative_value";
  public static final String OUT_OF_RANGE = "out_of_range";
  public static final String INVALID_VALUE = "invalid_value";
  public static final String ORDER_VIOLATION = "order_violation";
  public static final String AFTER_CUTOFF = "after_cutoff";
  public static final String UNKNOWN_ACCOUNT = "unknown_account";
  public static final String REJECTED_ACCOUNT = "rejected_account";
  public static final String DUPLICATE_KEY = "duplicate_key";

  /** {@code action}: the row was kept out of the clean table. */
  public static final String ROW_REJECTED = "row_rejected";
  /** {@code action}: one optional value was replaced by null; the row is in the clean table. */
  public static final String VALUE_NULLED = "value_nulled";

  public static final StructType SCHEMA = new StructType(new StructField[] {
      field("source", false, "Canonical table the row was read for (accounts, subscriptions, ...)."),
      field("rule", false, "Contract rule broken: missing_required, unparseable_date, wrong_type, "
          + "negative_value, out_of_range, invalid_value, order_violation, after_cutoff, unknown_account, "
          + "rejected_account, duplicate_key. A rejected row is recorded once, under the first rule it breaks."),
      field("action", false, "What the contract did: row_rejected (the row is not in the clean table; "
          + "counts toward the rejected share that fails a run) or value_nulled (the bad value of an optional "
          + "column became null and the row stayed; one record per dropped value)."),
      field("source_column", false, "Source column (or mapping expression) holding the bad value; "
          + "two columns joined by | for a rule over two columns."),
      field("value", true, "The offending value as read (after trimming), as text; null when the rule "
          + "is about a missing value or a whole row."),
      field("reason", false, "Human-readable explanation, with the offending value; for a rejected row "
          + "every problem it has."),
      field("raw", false, "The source row as JSON, exactly as read."),
  });

  /** The type of a problem recorded on a row (see {@link #problem}). */
  public static final StructType PROBLEM_TYPE = new StructType()
      .add("rule", DataTypes.StringType)
      .add("column", DataTypes.StringType)
      .add("reason", DataTypes.StringType)
      .add("value", DataTypes.StringType)
      .add("rejects", DataTypes.BooleanType);

  /**
   * A broken rule as recorded on a row: rule, source column, reason, offending value and whether
   * it rejects the row (false: only the value is nulled).
   */
  public static Column problem(String rule, String sourceColumn, Column reason, Column value, boolean rejects) {
    return problem(lit(rule), lit(sourceColumn), reason, value, lit(rejects));
  }

  /**
   * As {@link #problem(String, String, Column, Column, boolean)}, every field a column (e.g. copied
   * from another problem).
   */
  static Column problem(Column rule, Column sourceColumn, Column reason, Column value, Column rejects) {
    return struct(rule.as("rule"), sourceColumn.as("column"), reason.as("reason"), value.cast(StringType).as("value"),
        rejects.as("rejects"));
  }

  /**
   * The {@link #SCHEMA} columns for rows of {@code table}: {@code problem} gives rule, source column
   * and value, {@code reason} the text, and the raw JSON is built from the row's
   * {@value SourceConformer#SOURCE_ROW}. Apply only to rows already filtered to the quarantined ones.
   */
  public static Column[] rows(String table, Column problem, Column action, Column reason) {
    return new Column[] {
        lit(table).as("source"),
        problem.getField("rule").as("rule"),
        action.as("action"),
        problem.getField("column").as("source_column"),
        problem.getField("value").as("value"),
        reason.as("reason"),
        rawJson().as("raw")};
  }

  /** The source row as JSON, every column kept (nulls included). */
  static Column rawJson() {
    return to_json(col(SourceConformer.SOURCE_ROW), Map.of("ignoreNullFields", "false"));
  }

  /**
   * One source's part of the line that fails a run rejecting too many rows: the rejected rows, their
   * share of the rows in scope, the threshold, and the rules and source columns that rejected them,
   * most rows first; e.g. {@code source invoices rejected 41 of 600 rows (6.8%, threshold 5.0%):
   * unparseable_date in created: 21 rows, unknown_account in customer_ref: 20 rows}.
   *
   * @param considered     rows in scope (read, less those skipped by the filter or out of scope)
   * @param threshold      the largest share allowed ({@code validation.max-rejected-share})
   * @param rulesInColumns "rule in source column" → rejected rows, in the order to list them
   */
  public static String rejectedShareFailure(String source, long rejected, long considered, double threshold,
      Map<String, Long> rulesInColumns) {
    java.util.List<String> rules = new java.util.ArrayList<>();
    rulesInColumns.forEach((ruleInColumn, rows) -> rules.add(ruleInColumn + ": " + rows + " rows"));
    return String.format(java.util.Locale.ROOT, "source %s rejected %d of %d rows (%.1f%%, threshold %.1f%%)%s",
        source, rejected, considered, considered == 0 ? 0.0 : 100.0 * rejected / considered, 100 * threshold,
        rules.isEmpty() ? "" : ": " + String.join(", ", rules));
  }

  private static StructField field(String name, boolean nullable, String comment) {
    return Schemas.field(name, StringType, nullable, comment);
  }
}
