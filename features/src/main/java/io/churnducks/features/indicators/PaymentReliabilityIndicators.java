package io.churnducks.features.indicators;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

/**
 * Whether the customer pays reliably. Output: {@code account_id, as_of_date, failed_invoices_90d}
 * = invoices issued in the 90 days before the as-of date whose status is {@code failed}.
 */
public final class PaymentReliabilityIndicators {

  private PaymentReliabilityIndicators() {}

  public static Dataset<Row> apply(Dataset<Row> spine, Dataset<Row> invoices) {
    Windows.require(invoices, "payment reliability indicators", "account_id", "issued_date", "status");
    Dataset<Row> agg = Windows.before(invoices, "issued_date", spine, 90)
        .groupBy("account_id", "as_of_date")
        .agg(count(when(col("status").equalTo("failed"), 1)).as("failed_invoices_90d"));
    String[] key = {"account_id", "as_of_date"};
    return spine.select(key[0], key[1]).join(agg, key, "left").select(
        col("account_id"), col("as_of_date"),
        coalesce(col("failed_invoices_90d"), lit(0L)).as("failed_invoices_90d"));
  }
}
