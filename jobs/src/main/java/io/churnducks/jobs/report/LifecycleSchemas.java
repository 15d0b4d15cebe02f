package io.churnducks.jobs.report;

import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import static io.churnducks.features.contract.Schemas.field;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * The columns of the lifecycle tables the morning report reads ({@code retention_curves},
 * {@code unit_economics}, {@code account_economics}), as their producers write them, partitioned by
 * {@code run_date}. The producers own these tables; this is the contract the report and its test
 * rely on, and the producers' declared schemas must equal it.
 */
public final class LifecycleSchemas {

  private LifecycleSchemas() {}

  public static final String RETENTION_CURVES = "retention_curves";
  public static final String UNIT_ECONOMICS = "unit_economics";
  public static final String ACCOUNT_ECONOMICS = "account_economics";

  /** {@code retention_curves}: one row per dimension × group × month since signup. */
  public static final StructType RETENTION = new StructType(new StructField[] {
      field("dimension", StringType, false, "all, cohort, channel, segment or industry."),
      field("group_value", StringType, false, "The group: signup month yyyy-MM (cohort), acquisition channel "
          + "(unknown when null), segment name, kept industry (else other), or all."),
      field("month_number", IntegerType, false, "Months since signup (0 = the signup month)."),
      field("accounts_observed", LongType, false, "Accounts old enough on the run date to be observed at that month "
          + "(too-young accounts are not counted as lost)."),
      field("accounts_retained", LongType, false, "Observed accounts still active at that month."),
      field("logo_retention", DoubleType, true, "accounts_retained / accounts_observed."),
      field("start_mrr", DoubleType, true, "Month-0 MRR of the observed accounts."),
      field("gross_revenue_retention", DoubleType, true, "sum(min(mrr at the month, month-0 mrr)) / start_mrr."),
      field("net_revenue_retention", DoubleType, true, "sum(mrr at the month) / start_mrr (expansion counted)."),
  });

  /** {@code unit_economics}: one row per dimension × group. */
  public static final StructType UNIT = new StructType(new StructField[] {
      field("dimension", StringType, false, "all, channel or segment."),
      field("group_value", StringType, false, "The acquisition channel, the segment name, or all."),
      field("active_accounts", LongType, false, "Active accounts on the run date."),
      field("arpa", DoubleType, true, "Average MRR per active account."),
      field("gross_margin", DoubleType, true, "Gross margin (share of revenue)."),
      field("monthly_churn_rate", DoubleType, true, "Share of accounts lost per month."),
      field("lifetime_months", DoubleType, true, "1 / monthly_churn_rate (null when churn is 0)."),
      field("ltv", DoubleType, true, "arpa × gross_margin / monthly_churn_rate."),
      field("cac", DoubleType, true, "Average acquisition cost."),
      field("ltv_to_cac", DoubleType, true, "ltv / cac (healthy at 3 or more)."),
      field("payback_months", DoubleType, true, "cac / (arpa × gross_margin)."),
      field("new_accounts_per_month", DoubleType, true, "Accounts acquired per month."),
      field("revenue_ceiling", DoubleType, true, "new_accounts_per_month × arpa / monthly_churn_rate."),
  });

  /** {@code account_economics}: one row per active customer. */
  public static final StructType ACCOUNT = new StructType(new StructField[] {
      field("account_id", StringType, false, "Account identifier."),
      field("account_name", StringType, true, "Account name from the CRM."),
      field("segment_name", StringType, true, "The account's segment."),
      field("mrr", DoubleType, true, "Monthly recurring revenue."),
      field("cost_to_serve_monthly", DoubleType, true, "Monthly cost of serving the account."),
      field("monthly_margin", DoubleType, true, "mrr × gross margin - cost to serve."),
      field("cost_exceeds_revenue", BooleanType, true, "Cost to serve above mrr."),
      field("seats", IntegerType, true, "Seats paid for."),
      field("active_users_28d", LongType, true, "Distinct active users in the last 28 days."),
      field("people_per_login", DoubleType, true, "Estimated people per login."),
      field("seat_gap", IntegerType, true, "Estimated people - seats, at least 0."),
      field("offer_more_seats", BooleanType, true, "People per login above the threshold: offer more seats."),
      field("churn_probability", DoubleType, true, "Churn probability within the horizon."),
      field("expected_remaining_ltv", DoubleType, true, "Expected remaining lifetime value."),
  });
}
