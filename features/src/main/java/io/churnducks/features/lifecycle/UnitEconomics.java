package io.churnducks.features.lifecycle;

import io.churnducks.features.labels.ChurnLabeler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.time.LocalDate;
import java.util.List;

import static io.churnducks.features.contract.Schemas.field;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * Unit economics per acquisition channel and per duck segment, and for every account together: is
 * a customer worth more than it cost to win? The {@code unit_economics} table.
 *
 * <ul>
 *   <li><b>ARPA</b>: mean MRR of the group's accounts active on the run date.</li>
 *   <li><b>Monthly churn rate</b>: confirmed churns / customer-months at risk over the churn window,
 *       the {@code churnWindowMonths} months ending {@code graceDays} before the run date (a churn
 *       is confirmed once its grace period has passed, so later ends would be undercounted). A churn
 *       is the end of a customer life ({@link ChurnLabeler#runs}: gaps up to the grace period are
 *       renewals); customer-months are the days of the window the group's accounts were customers,
 *       divided by 365.25 / 12.</li>
 *   <li><b>Lifetime</b> = 1 / churn, <b>LTV</b> = ARPA × gross margin / churn.</li>
 *   <li><b>CAC</b>: mean {@code acquisition_cost} of the group's customers (accounts with a known
 *       subscription) that have one.</li>
 *   <li><b>LTV / CAC</b>, and <b>payback months</b> = CAC / (ARPA × gross margin).</li>
 *   <li><b>New accounts per month</b>: accounts whose first subscription started in the
 *       {@code newAccountsMonths} months before the run date, per month.</li>
 *   <li><b>Revenue ceiling</b> = new accounts per month × ARPA / churn: the MRR at which the revenue
 *       churned each month equals the revenue won, if nothing changed.</li>
 * </ul>
 * A figure whose denominator is zero or unknown is null, never infinite: lifetime, LTV, LTV / CAC
 * and the revenue ceiling when no churn was measured (churn rate 0, or no customer-months: null
 * churn rate); ARPA when the group has no active account; CAC when none of its customers has an
 * acquisition cost; LTV / CAC when CAC is null or 0; payback when ARPA × margin is 0 or CAC null.
 *
 * <p>Which segment an account is in is the caller's choice ({@code segments} input); an account
 * without one is in no segment row. Point in time: only subscriptions known on the morning of the
 * run date.
 */
public final class UnitEconomics {

  private UnitEconomics() {}

  /** The declared schema of {@code unit_economics} (without the {@code run_date} partition). */
  public static final StructType SCHEMA = new StructType(new StructField[] {
      field("dimension", StringType, false, "What the accounts are grouped by: all, channel or segment."),
      field("group_value", StringType, false, "The group: all; the acquisition_channel, 'unknown' when empty; the "
          + "duck segment_name (as in retention_curves: an account gone since counts in its last segment)."),
      field("active_accounts", LongType, false, "Accounts of the group active on the run date."),
      field("arpa", DoubleType, true, "Average revenue per active account: mean MRR, currency units per month "
          + "(null: no active account)."),
      field("gross_margin", DoubleType, false, "Share of revenue kept after delivery costs (economics.gross-margin)."),
      field("monthly_churn_rate", DoubleType, true, "Confirmed churns / customer-months over the economics.churn-"
          + "window-months months ending labels.grace-days before the run date (null: no customer-months)."),
      field("lifetime_months", DoubleType, true, "1 / monthly_churn_rate (null when the churn rate is 0 or null)."),
      field("ltv", DoubleType, true, "Lifetime value: arpa × gross_margin / monthly_churn_rate, currency units "
          + "(null when the churn rate is 0 or null, or arpa is null)."),
      field("cac", DoubleType, true, "Customer acquisition cost: mean acquisition_cost of the group's customers, "
          + "currency units (null: none known)."),
      field("ltv_to_cac", DoubleType, true, "ltv / cac; 3 or more is healthy (null when either is null or cac is 0)."),
      field("payback_months", DoubleType, true, "Months of margin that repay the acquisition: cac / (arpa × "
          + "gross_margin) (null when that is 0 or either is null)."),
      field("new_accounts_per_month", DoubleType, false, "Accounts whose first subscription started in the "
          + "economics.new-accounts-months months before the run date, per month."),
      field("revenue_ceiling", DoubleType, true, "new_accounts_per_month × arpa / monthly_churn_rate: the MRR at "
          + "which churn cancels growth, currency units per month (null when the churn rate is 0 or null)."),
  });

  /**
   * @param accounts      {@code account_id, acquisition_channel, acquisition_cost} (clean CRM accounts)
   * @param subscriptions {@code account_id, start_date, end_date} (clean billing subscriptions)
   * @param active        {@code account_id, mrr}: the accounts active on the run date and their MRR
   * @param segments      {@code account_id, segment_name}: the segment each account counts in
   * @param graceDays     the churn definition's grace period ({@code labels.grace-days})
   */
  public static Dataset<Row> apply(Dataset<Row> accounts, Dataset<Row> subscriptions, Dataset<Row> active,
      Dataset<Row> segments, LocalDate runDate, int graceDays, LifecycleSettings settings) {
    String what = "unit_economics";
    Inputs.require(accounts, what, "accounts", "account_id", "acquisition_channel", "acquisition_cost");
    Inputs.require(subscriptions, what, "subscriptions", "account_id", "start_date", "end_date");
    Inputs.require(active, what, "customer_features", "account_id", "mrr");
    Inputs.require(segments, what, "customer_segments", "account_id", "segment_name");
    LocalDate windowEnd = runDate.minusDays(graceDays);
    LocalDate windowStart = windowEnd.minusMonths(settings.churnWindowMonths());
    LocalDate newFrom = runDate.minusMonths(settings.newAccountsMonths());
    Column w0 = lit(java.sql.Date.valueOf(windowStart));
    Column w1 = lit(java.sql.Date.valueOf(windowEnd));

    // Per account: churns in the window, customer-days in it, and when it first became a customer.
    Dataset<Row> runs = ChurnLabeler.runs(subscriptions, runDate, graceDays);
    Column churned = col("run_end").isNotNull().and(col("run_end").geq(w0)).and(col("run_end").lt(w1));
    Column exposure = greatest(lit(0), datediff(least(coalesce(col("run_end"), w1), w1), greatest(col("run_start"), w0)));
    Dataset<Row> lives = runs.groupBy("account_id").agg(
        sum(when(churned, 1L).otherwise(0L)).as("_churns"),
        sum(exposure).as("_customer_days"),
        min("run_start").as("_first_start"));
    Column isNew = col("_first_start").geq(lit(java.sql.Date.valueOf(newFrom)))
        .and(col("_first_start").lt(lit(java.sql.Date.valueOf(runDate))));

    Dataset<Row> perAccount = lives
        .join(accounts.select("account_id", "acquisition_channel", "acquisition_cost"), "account_id")
        .join(active.select(col("account_id"), col("mrr").as("_mrr"), lit(true).as("_active")),
            new String[] {"account_id"}, "left")
        .join(segments.select("account_id", "segment_name"), new String[] {"account_id"}, "left")
        .withColumn("_new", when(isNew, 1L).otherwise(0L));
    Column dimensions = explode(array(
        struct(lit("all").as("dimension"), lit("all").as("group_value")),
        struct(lit("channel").as("dimension"), coalesce(col("acquisition_channel"), lit("unknown")).as("group_value")),
        struct(lit("segment").as("dimension"), col("segment_name").as("group_value"))));
    Dataset<Row> grouped = perAccount.withColumn("_g", dimensions)
        .where(col("_g.group_value").isNotNull())
        .groupBy(col("_g.dimension").as("dimension"), col("_g.group_value").as("group_value"))
        .agg(sum(when(col("_active"), 1L).otherwise(0L)).as("active_accounts"),
            avg(when(col("_active"), col("_mrr"))).as("arpa"),
            sum("_churns").as("_churns"),
            sum("_customer_days").as("_customer_days"),
            avg("acquisition_cost").as("cac"),
            sum("_new").as("_new"));
    return withRatios(grouped, settings);
  }

  /**
   * The ratios from {@code dimension, group_value, active_accounts, arpa, _churns, _customer_days, cac,
   * _new}, in {@link #SCHEMA}: the formulas of the table, null where a denominator is zero or null.
   */
  static Dataset<Row> withRatios(Dataset<Row> grouped, LifecycleSettings settings) {
    Column margin = lit(settings.grossMargin());
    Column months = col("_customer_days").divide(Inputs.DAYS_PER_MONTH);
    Column churn = when(months.gt(0), col("_churns").divide(months));
    Dataset<Row> rated = grouped.withColumn("monthly_churn_rate", churn)
        .withColumn("_new_per_month", col("_new").divide((double) settings.newAccountsMonths()));
    Column rate = col("monthly_churn_rate");
    Column hasChurn = rate.gt(0);
    Column monthlyMargin = col("arpa").multiply(margin);
    Column ltv = when(hasChurn, monthlyMargin.divide(rate));
    return rated.select(
        col("dimension"), col("group_value"), col("active_accounts"), col("arpa"),
        margin.as("gross_margin"),
        rate,
        when(hasChurn, lit(1.0).divide(rate)).as("lifetime_months"),
        ltv.as("ltv"),
        col("cac"),
        when(col("cac").gt(0), ltv.divide(col("cac"))).as("ltv_to_cac"),
        when(monthlyMargin.gt(0), col("cac").divide(monthlyMargin)).as("payback_months"),
        col("_new_per_month").as("new_accounts_per_month"),
        when(hasChurn, col("_new_per_month").multiply(col("arpa")).divide(rate)).as("revenue_ceiling"));
  }

  /** The dimensions, in the order the table lists them. */
  public static final List<String> DIMENSIONS = List.of("all", "channel", "segment");
}
