package io.churnducks.features.validation;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

/**
 * Contract rules that look across rows and tables: duplicate keys and references to accounts
 * that do not exist. Each check splits clean rows (canonical columns + raw JSON) into the rows
 * that pass and {@code dq_quarantine} rows.
 */
public final class ReferenceChecks {

  private ReferenceChecks() {}

  /** Rows that passed and rows that were rejected by one check. */
  public record Split(Dataset<Row> passed, Dataset<Row> rejected) {}

  /**
   * Keeps the first row per key (ordered by its raw text, so the choice is deterministic) and
   * rejects the others as {@code duplicate_key}. Rows without a key are never duplicates.
   */
  public static Split duplicates(Dataset<Row> clean, String table, String keyColumn, String sourceColumn) {
    String rank = "_key_rank";
    Dataset<Row> ranked = clean.withColumn(rank, row_number().over(
        Window.partitionBy(col(keyColumn)).orderBy(col(SourceConformer.RAW))));
    Column dup = col(keyColumn).isNotNull().and(col(rank).gt(1));
    Dataset<Row> rejected = ranked.where(dup).select(
        lit(table).as("source"),
        lit(Quarantine.DUPLICATE_KEY).as("rule"),
        lit(sourceColumn).as("source_column"),
        concat(lit("duplicate " + keyColumn + " in " + sourceColumn + ": '"), col(keyColumn), lit("'")).as("reason"),
        col(SourceConformer.RAW).as("raw"));
    return new Split(ranked.where(dup.unary_$bang()).drop(rank), rejected);
  }

  /**
   * Rejects rows whose {@code account_id} is not in {@code accountIds} (a one-column frame) as
   * {@code unknown_account}.
   */
  public static Split unknownAccounts(Dataset<Row> clean, Dataset<Row> accountIds, String table,
      String sourceColumn) {
    Dataset<Row> known = accountIds.select(col("account_id").as("_known_account")).distinct();
    Dataset<Row> joined = clean.join(known, clean.col("account_id").equalTo(known.col("_known_account")), "left");
    Column unknown = col("_known_account").isNull();
    Dataset<Row> rejected = joined.where(unknown).select(
        lit(table).as("source"),
        lit(Quarantine.UNKNOWN_ACCOUNT).as("rule"),
        lit(sourceColumn).as("source_column"),
        concat(lit("unknown account in " + sourceColumn + ": '"), coalesce(col("account_id"), lit("")),
            lit("' is not in accounts")).as("reason"),
        col(SourceConformer.RAW).as("raw"));
    return new Split(joined.where(unknown.unary_$bang()).drop("_known_account"), rejected);
  }

  /**
   * Fills a missing {@code account_id} from the row's {@code subscription_id} through the
   * subscriptions table; rows whose subscription is unknown are rejected as
   * {@code unknown_account} naming the subscription column.
   */
  public static Split resolveAccountThroughSubscription(Dataset<Row> clean, Dataset<Row> subscriptions,
      String table, String subscriptionSourceColumn) {
    Dataset<Row> subs = subscriptions.select(
        col("subscription_id").as("_sub_id"), col("account_id").as("_sub_account")).distinct();
    Dataset<Row> joined = clean.join(subs,
        clean.col("account_id").isNull().and(clean.col("subscription_id").equalTo(subs.col("_sub_id"))), "left");
    Column unresolved = col("account_id").isNull().and(col("_sub_account").isNull());
    Dataset<Row> rejected = joined.where(unresolved).select(
        lit(table).as("source"),
        lit(Quarantine.UNKNOWN_ACCOUNT).as("rule"),
        lit(subscriptionSourceColumn).as("source_column"),
        concat(lit("unknown subscription in " + subscriptionSourceColumn + ": '"),
            coalesce(col("subscription_id"), lit("")), lit("' is not in subscriptions")).as("reason"),
        col(SourceConformer.RAW).as("raw"));
    String[] cols = clean.columns();
    Column[] out = new Column[cols.length];
    for (int i = 0; i < cols.length; i++) {
      out[i] = cols[i].equals("account_id")
          ? coalesce(col("account_id"), col("_sub_account")).as("account_id") : col(cols[i]);
    }
    return new Split(joined.where(unresolved.unary_$bang()).select(out), rejected);
  }

}
