package io.churnducks.features.validation;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * Contract rules that look across rows and tables: references to accounts (or subscriptions)
 * that do not exist or were rejected, and duplicate keys. Each check marks the rows that break it
 * in the {@value #PROBLEM} column (a {@link Quarantine#PROBLEM_TYPE} struct; null = fine) instead
 * of splitting the frame, so the checks run once and both the clean rows and the rejects are read
 * from the same result. A row keeps the first problem found.
 *
 * <p>The reference tables (accounts, subscriptions) are small and broadcast, so checking a large
 * table costs one pass over it plus one shuffle for the duplicate check.
 */
public final class ReferenceChecks {

  private ReferenceChecks() {}

  /** Column holding a row's cross-row problem, null when it has none. */
  public static final String PROBLEM = "_problem";

  /** Adds an empty {@value #PROBLEM} column to clean rows. */
  public static Dataset<Row> unmarked(Dataset<Row> clean) {
    return clean.withColumn(PROBLEM, lit(null).cast(Quarantine.PROBLEM_TYPE));
  }

  /**
   * Marks every copy of a key but one as {@code duplicate_key}. The copy kept is the latest by
   * {@code timeColumn} (null times last), then the one with the largest 64-bit hash of its
   * canonical values (every column whose name does not start with {@code _}), so the choice does
   * not depend on the order rows arrive in; copies that tie on both have the same canonical values.
   * Rows without a key value are never duplicates, and rows already marked are never counted.
   *
   * @param keyColumn    canonical column that must be unique
   * @param sourceColumn the source column the key was read from, for the reason
   * @param timeColumn   canonical column ordering the copies (null: only the hash decides)
   * @param scope        Spark SQL expressions over the canonical columns within which the key must
   *                     be unique (e.g. {@code to_date(event_time)}); none: the whole frame
   */
  public static Dataset<Row> markDuplicates(Dataset<Row> rows, String keyColumn, String sourceColumn,
      String timeColumn, String... scope) {
    Column key = col(keyColumn);
    Column fine = col(PROBLEM).isNull();
    Column hash = xxhash64(Arrays.stream(rows.columns()).filter(c -> !c.startsWith("_"))
        .map(c -> col("`" + c + "`")).toArray(Column[]::new));
    List<Column> partition = new ArrayList<>();
    partition.add(key);
    Arrays.stream(scope).map(s -> expr(s)).forEach(partition::add);
    partition.add(fine);
    // Rows without a key are never compared; spreading them by hash keeps them off one task.
    partition.add(when(key.isNull(), hash));
    List<Column> order = new ArrayList<>();
    if (timeColumn != null) {
      order.add(col(timeColumn).desc_nulls_last());
    }
    order.add(hash.desc());
    Column rank = row_number().over(Window.partitionBy(partition.toArray(Column[]::new))
        .orderBy(order.toArray(Column[]::new)));
    Column duplicate = fine.and(key.isNotNull()).and(rank.gt(1));
    String within = scope.length == 0 ? "" : " within " + String.join(", ", scope);
    String kept = timeColumn == null ? "one copy is kept" : "the copy with the latest " + timeColumn + " is kept";
    return mark(rows, duplicate, Quarantine.DUPLICATE_KEY, sourceColumn,
        concat(lit("duplicate " + keyColumn + " in " + sourceColumn + within + ": '"), key,
            lit("' (" + kept + ")")), key);
  }

  /**
   * Marks rows whose {@code account_id} is not a clean account: {@code rejected_account} when the
   * account was rejected (the reason names the account and its rejection), else
   * {@code unknown_account}. An id that is clean wins over a rejected copy of it.
   *
   * @param cleanAccountIds  clean accounts: column {@code account_id}
   * @param rejectedAccounts rejected accounts: columns {@code account_id, reason} (null: none)
   */
  public static Dataset<Row> markAccounts(Dataset<Row> rows, Dataset<Row> cleanAccountIds,
      Dataset<Row> rejectedAccounts, String sourceColumn) {
    Dataset<Row> refs = cleanAccountIds.select(col("account_id").as("_ref_account"),
        lit(null).cast("string").as("_ref_rejection"));
    if (rejectedAccounts != null) {
      refs = refs.unionByName(rejectedAccounts.select(col("account_id").as("_ref_account"),
          col("reason").cast("string").as("_ref_rejection")));
    }
    refs = refs.where(col("_ref_account").isNotNull()).groupBy("_ref_account").agg(
        max(col("_ref_rejection").isNull()).as("_ref_clean"),
        min(col("_ref_rejection")).as("_ref_rejection"));
    Dataset<Row> joined = rows.join(broadcast(refs), rows.col("account_id").equalTo(refs.col("_ref_account")), "left");
    Column account = coalesce(col("account_id"), lit(""));
    Dataset<Row> marked = mark(joined, col("_ref_account").isNotNull().and(col("_ref_clean").unary_$bang()),
        Quarantine.REJECTED_ACCOUNT, sourceColumn,
        concat(lit("account '"), account, lit("' in " + sourceColumn + " was rejected: "), col("_ref_rejection")),
        col("account_id"));
    return mark(marked, col("_ref_account").isNull(), Quarantine.UNKNOWN_ACCOUNT, sourceColumn,
        concat(lit("unknown account in " + sourceColumn + ": '"), account, lit("' is not in accounts")),
        col("account_id"))
        .drop("_ref_account", "_ref_clean", "_ref_rejection");
  }

  /**
   * Fills a missing {@code account_id} from the row's {@code subscription_id} through the
   * subscriptions table; rows whose subscription is unknown are marked {@code unknown_account},
   * naming the subscription column.
   *
   * @param subscriptions clean subscriptions: columns {@code subscription_id, account_id}
   */
  public static Dataset<Row> resolveAccountThroughSubscription(Dataset<Row> rows, Dataset<Row> subscriptions,
      String subscriptionSourceColumn) {
    Dataset<Row> subs = subscriptions.select(
        col("subscription_id").as("_sub_id"), col("account_id").as("_sub_account")).distinct();
    Dataset<Row> joined = rows.join(broadcast(subs),
        rows.col("account_id").isNull().and(rows.col("subscription_id").equalTo(subs.col("_sub_id"))), "left");
    Dataset<Row> marked = mark(joined, col("account_id").isNull().and(col("_sub_account").isNull()),
        Quarantine.UNKNOWN_ACCOUNT, subscriptionSourceColumn,
        concat(lit("unknown subscription in " + subscriptionSourceColumn + ": '"),
            coalesce(col("subscription_id"), lit("")), lit("' is not in subscriptions")), col("subscription_id"));
    return marked.withColumn("account_id", coalesce(col("account_id"), col("_sub_account")))
        .drop("_sub_id", "_sub_account");
  }

  private static Dataset<Row> mark(Dataset<Row> rows, Column broken, String rule, String sourceColumn, Column reason,
      Column value) {
    return rows.withColumn(PROBLEM, when(col(PROBLEM).isNull().and(broken),
        Quarantine.problem(rule, sourceColumn, reason, value, true)).otherwise(col(PROBLEM)));
  }
}
