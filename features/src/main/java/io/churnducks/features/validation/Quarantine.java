package io.churnducks.features.validation;

import io.churnducks.features.contract.Schemas;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * The {@code dq_quarantine} table: every source row that broke the input contract, with the
 * rule it broke, the source column it broke it in and the raw row, so nothing is lost.
 */
public final class Quarantine {

  private Quarantine() {}

  /** Rule codes, in the order they are checked on a row (the first that fails is recorded). */
  public static final String UNPARSEABLE_DATE = "unparseable_date";
  public static final String WRONG_TYPE = "wrong_type";
  public static final String MISSING_REQUIRED = "missing_required";
  public static final String NEGATIVE_VALUE = "negative_value";
  public static final String INVALID_VALUE = "invalid_value";
  public static final String AFTER_CUTOFF = "after_cutoff";
  public static final String UNKNOWN_ACCOUNT = "unknown_account";
  public static final String DUPLICATE_KEY = "duplicate_key";

  public static final StructType SCHEMA = new StructType(new StructField[] {
      field("source", "Canonical table the row was read for (accounts, subscriptions, ...)."),
      field("rule", "Contract rule the row broke: missing_required, unparseable_date, wrong_type, "
          + "negative_value, invalid_value, after_cutoff, unknown_account, duplicate_key."),
      field("source_column", "Source column (or mapping expression) holding the bad value."),
      field("reason", "Human-readable explanation, with the offending value."),
      field("raw", "The source row as JSON, exactly as read."),
  });

  /** A broken rule as recorded on a row: a struct of rule, source column and reason. */
  public static Column problem(String rule, String sourceColumn, Column reason) {
    return struct(lit(rule).as("rule"), lit(sourceColumn).as("column"), reason.as("reason"));
  }

  /** The {@link #SCHEMA} columns for rows of {@code table} carrying {@code problem} and the raw JSON. */
  public static Column[] rows(String table, Column problem, Column reason) {
    return new Column[] {
        lit(table).as("source"),
        problem.getField("rule").as("rule"),
        problem.getField("column").as("source_column"),
        reason.as("reason"),
        col(SourceConformer.RAW).as("raw")};
  }

  private static StructField field(String name, String comment) {
    return Schemas.field(name, StringType, false, comment);
  }
}
