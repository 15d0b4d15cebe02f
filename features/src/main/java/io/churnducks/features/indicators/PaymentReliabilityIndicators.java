package io.churnducks.features.indicators;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * Whether the customer pays reliably, as it was known on the as-of date D. Only
 * {@code issued_date}, {@code paid_date} and {@code amount} are read: an invoice issued before D
 * is <em>unpaid at D</em> when it has no paid_date or was paid on or after D. The invoice
 * {@code status} (paid / failed / refunded / open) is the state at extract time, with no date of
 * when it changed, so it is never used: a payment that failed in the past and was paid later, or a
 * refund of unknown date, would otherwise leak the extract's present into past as-of dates. A
 * refunded invoice therefore counts as paid on its paid_date.
 *
 * <p>A negative amount is a credit note (a refund or credit issued to the customer, dated by its
 * issued_date); it is counted as a refund and never as an unpaid invoice.
 *
 * <p>Output: {@code account_id, as_of_date, unpaid_invoices_90d, late_payments_90d, unpaid_amount,
 * oldest_unpaid_days, refunds_90d, slow_payment_share_365d}.
 * <ul>
 *   <li>{@code unpaid_invoices_90d}: invoices issued in the 90 days before D (D-90 .. D-1) and
 *       unpaid at D</li>
 *   <li>{@code late_payments_90d}: invoices issued in the 90 days before D and paid before D, more
 *       than {@link #LATE_AFTER_DAYS} days after they were issued</li>
 *   <li>{@code unpaid_amount}: open balance at D, the summed amount of every invoice issued before
 *       D (any age) and unpaid at D, currency units; 0 when nothing is open</li>
 *   <li>{@code slow_payment_share_365d}: of the invoices issued in the 365 days before D and more
 *       than {@link #PROMPT_DAYS} days before it, the share not paid within {@link #PROMPT_DAYS}
 *       days of issue (paid later, or still unpaid at D); null when there is none. A card charge
 *       that failed and was collected by dunning a few days later shows here and nowhere else:
 *       the 90-day counts see three monthly invoices at most, this sees a year of them, a steadier
 *       measure of how reliably the customer pays.</li>
 * </ul>
 */
public final class PaymentReliabilityIndicators {

  private PaymentReliabilityIndicators() {}

  /**
   * Days after issue within which a payment is on time (usual "net 30" terms, which also covers a
   * card payment retried by dunning); a payment later than that is late.
   */
  public static final int LATE_AFTER_DAYS = 30;

  /** Days after issue within which a payment is prompt (an automatic charge succeeds at once). */
  public static final int PROMPT_DAYS = 7;

  public static Dataset<Row> apply(Dataset<Row> spine, Dataset<Row> invoices) {
    Windows.require(invoices, "payment reliability indicators", "account_id", "issued_date", "amount", "paid_date");
    Dataset<Row> issued = Windows.before(invoices, "issued_date", spine, 0);
    Column charge = col("amount").gt(0);
    Column unpaid = charge.and(col("paid_date").isNull().or(col("paid_date").geq(col("as_of_date"))));
    Column recent = col("issued_date").geq(date_sub(col("as_of_date"), 90));
    Column late = charge.and(col("paid_date").lt(col("as_of_date")))
        .and(datediff(col("paid_date"), col("issued_date")).gt(LATE_AFTER_DAYS));
    Column decidable = charge.and(col("issued_date").geq(date_sub(col("as_of_date"), 365)))
        .and(datediff(col("as_of_date"), col("issued_date")).gt(PROMPT_DAYS));
    Column slow = unpaid.or(datediff(col("paid_date"), col("issued_date")).gt(PROMPT_DAYS));
    Dataset<Row> agg = issued.groupBy("account_id", "as_of_date").agg(
        count(when(recent.and(unpaid), 1)).as("unpaid_invoices_90d"),
        count(when(recent.and(late), 1)).as("late_payments_90d"),
        sum(when(unpaid, col("amount"))).as("unpaid_amount"),
        max(when(unpaid, datediff(col("as_of_date"), col("issued_date")))).as("oldest_unpaid_days"),
        count(when(recent.and(col("amount").lt(0)), 1)).as("refunds_90d"),
        count(when(decidable.and(slow), 1)).as("_slow"),
        count(when(decidable, 1)).as("_decidable"));
    String[] key = {"account_id", "as_of_date"};
    return spine.select(key[0], key[1]).join(agg, key, "left").select(
        col("account_id"), col("as_of_date"),
        coalesce(col("unpaid_invoices_90d"), lit(0L)).as("unpaid_invoices_90d"),
        coalesce(col("late_payments_90d"), lit(0L)).as("late_payments_90d"),
        coalesce(col("unpaid_amount"), lit(0.0)).as("unpaid_amount"),
        coalesce(col("oldest_unpaid_days"), lit(0)).as("oldest_unpaid_days"),
        coalesce(col("refunds_90d"), lit(0L)).as("refunds_90d"),
        when(col("_decidable").gt(0), col("_slow").divide(col("_decidable"))).as("slow_payment_share_365d"));
  }
}
