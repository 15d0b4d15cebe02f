package io.churnducks.features.validation;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

/**
 * Contract rules that look across rows and tables: references to accounts (or subscriptions)
 * that do not exist, and duplicate keys. Each check marks the rows that break it in the
 * {@value #PROBLEM} column (a struct of rule, column, reason; null = fine) instead of splitting
 * the frame, so the checks run once and both the clean rows and the rejects are read from the
 * same result. A row keeps the first problem found.
 */
public final class ReferenceChecks {

  private ReferenceChecks() {}

  /** Column holding a row's cross-row problem, null when it has none. */
  public static final String PROBLEM = "_problem";

  /** The type of {@value #PROBLEM}. */
  public static final StructType PROBLEM_TYPE = new StructType()
      .add("rule", DataTypes.StringType)
      .add("column", DataTypes.StringType)
      .add("reason", DataTypes.StringType);

  /** Adds an empty {@value #PROBLEM} column to clean rows (canonical columns + raw JSON). */
  public static Dataset<Row> unmarked(Dataset<Row> clean) {
    return clean.withColumn(PROBLEM, lit(null).cast(PROBLEM_TYPE));
  }

  /**
   * Marks every row after the first per key (ordered by its raw text, so the choice is
   * deterministic) as {@code duplicate_key}. Rows without a key, and rows already marked, are
   * never counted as copies.
   */
  public static Dataset<Row> markDuplicates(Dataset<Row> rows, String keyColumn, String sourceColumn) {
    Column fine = col(PROBLEM).isNull();
    Column rank = row_number().over(Window.partitionBy(col(keyColumn), fine).orderBy(col(SourceConformer.RAW)));
    Column duplicate = fine.and(col(keyColumn).isNotNull()).and(rank.gt(1));
    return mark(rows, duplicate, Quarantine.DUPLICATE_KEY, sourceColumn,
        concat(lit("duplicate " + keyColumn + " in " + sourceColumn + ": '"), col(keyColumn), lit("'")));
  }

  /** Marks rows whose {@code account_id} is not in {@code accountIds} (one column) as {@code unknown_account}. */
  public static Dataset<Row> markUnknownAccounts(Dataset<Row> rows, Dataset<Row> accountIds, String sourceColumn) {
    Dataset<Row> known = accountIds.select(col("account_id").as("_known_account")).distinct();
    Dataset<Row> joined = rows.join(known, rows.col("account_id").equalTo(known.col("_known_account")), "left");
    return mark(joined, col("_known_account").isNull(), Quarantine.UNKNOWN_ACCOUNT, sourceColumn,
        concat(lit("unknown account in " + sourceColumn + ": '"), coalesce(col("account_id"), lit("")),
            lit("' is not in accounts"))).drop("_known_account");
  }

  /**
   * Fills a missing {@code account_id} from the row's {@code subscription_id} through the
   * subscriptions table; rows whose subscription is unknown are marked {@code unknown_account},
   * naming the subscription column.
   */
  public static Dataset<Row> resolveAccountThroughSubscription(Dataset<Row> rows, Dataset<Row> subscriptions,
      String subscriptionSourceColumn) {
    Dataset<Row> subs = subscriptions.select(
        col("subscription_id").as("_sub_id"), col("account_id").as("_sub_account")).distinct();
    Dataset<Row> joined = rows.join(subs,
        rows.col("account_id").isNull().and(rows.col("subscription_id").equalTo(subs.col("_sub_id"))), "left");
    Dataset<Row> marked = mark(joined, col("account_id").isNull().and(col("_sub_account").isNull()),
        Quarantine.UNKNOWN_ACCOUNT, subscriptionSourceColumn,
        concat(lit("unknown subscription in " + subscriptionSourceColumn + ": '"),
            coalesce(col("subscription_id"), lit("")), lit("' is not in subscriptions")));
    return marked.withColumn("account_id", coalesce(col("account_id"), col("_sub_account")))
        .drop("_sub_id", "_sub_account");
  }

  private static Dataset<Row> mark(Dataset<Row> rows, Column broken, String rule, String sourceColumn, Column reason) {
    return rows.withColumn(PROBLEM,
        when(col(PROBLEM).isNull().and(broken), Quarantine.problem(rule, sourceColumn, reason)).otherwise(col(PROBLEM)));
  }
}
