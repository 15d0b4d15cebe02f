package io.churnducks.features.lifecycle;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import static io.churnducks.features.contract.Schemas.field;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * What each active customer is worth and costs: the {@code account_economics} table, the source of
 * the cost-to-serve list (the accounts costliest to serve first, those that cost more than they pay
 * flagged) and of the "offer more seats" list.
 *
 * <ul>
 *   <li><b>Margin</b>: mrr × gross margin − {@code cost_to_serve_monthly} (usage at the configured
 *       unit costs plus support tickets); flagged when the cost to serve exceeds the MRR itself.</li>
 *   <li><b>Seat sharing</b>: {@code devices_per_user_28d} counts the distinct devices behind each
 *       active login; with one device per person it is the people per login, and active users ×
 *       people per login estimates the people using the product. Above {@code peoplePerLoginAbove}
 *       the logins are shared, and when the estimated people exceed the seats the account is offered
 *       more seats; the seat gap is estimated people − seats.</li>
 *   <li><b>Expected remaining LTV</b>: mrr × gross margin × {@code expected_months_left} of the
 *       account's churn score (months until churn at the monthly hazard its probability implies).</li>
 * </ul>
 * Accounts are those active on the run date (lapsed accounts are left out: they pay nothing
 * tonight). Columns whose inputs are missing (no usage source, no score) are null; the flags are
 * then false.
 */
public final class AccountEconomics {

  private AccountEconomics() {}

  /** The declared schema of {@code account_economics} (without the {@code run_date} partition). */
  public static final StructType SCHEMA = new StructType(new StructField[] {
      field("account_id", StringType, false, "Account identifier."),
      field("account_name", StringType, true, "Account name from the CRM (PII)."),
      field("segment_name", StringType, true, "The account's duck segment tonight."),
      field("mrr", DoubleType, false, "Monthly recurring revenue on the run date, currency units."),
      field("cost_to_serve_monthly", DoubleType, true, "Monthly cost to serve (customer_features), currency units "
          + "(null without a usage source)."),
      field("monthly_margin", DoubleType, true, "mrr × economics.gross-margin − cost_to_serve_monthly, currency "
          + "units per month (negative: the account costs more than it earns)."),
      field("cost_exceeds_revenue", BooleanType, false, "cost_to_serve_monthly > mrr (false when the cost is "
          + "unknown)."),
      field("seats", IntegerType, true, "Licensed seats on the run date (null: not stated)."),
      field("active_users_28d", LongType, true, "Distinct users (logins) with product usage, last 28 days."),
      field("people_per_login", DoubleType, true, "Estimated people behind each active login: devices_per_user_28d "
          + "(one device per person)."),
      field("seat_gap", IntegerType, true, "Estimated people (active_users_28d × people_per_login, rounded) − "
          + "seats, at least 0 (null when either is unknown)."),
      field("offer_more_seats", BooleanType, false, "people_per_login above economics.seat-sharing.people-per-login "
          + "and seat_gap > 0: several people share each login and there are more people than seats."),
      field("churn_probability", DoubleType, true, "Churn probability within the horizon (churn_scores)."),
      field("expected_remaining_ltv", DoubleType, true, "mrr × economics.gross-margin × expected_months_left "
          + "(churn_scores), currency units (null without a score)."),
  });

  /**
   * @param features {@code account_id, lapsed, mrr, cost_to_serve_monthly, seats, active_users_28d,
   *                 devices_per_user_28d} (tonight's customer_features)
   * @param accounts {@code account_id, account_name} (clean CRM accounts)
   * @param segments {@code account_id, segment_name} (tonight's customer_segments)
   * @param scores   {@code account_id, churn_probability, expected_months_left} (tonight's churn_scores)
   */
  public static Dataset<Row> apply(Dataset<Row> features, Dataset<Row> accounts, Dataset<Row> segments,
      Dataset<Row> scores, LifecycleSettings settings) {
    String what = "account_economics";
    Inputs.require(features, what, "customer_features", "account_id", "lapsed", "mrr", "cost_to_serve_monthly",
        "seats", "active_users_28d", "devices_per_user_28d");
    Inputs.require(accounts, what, "accounts", "account_id", "account_name");
    Inputs.require(segments, what, "customer_segments", "account_id", "segment_name");
    Inputs.require(scores, what, "churn_scores", "account_id", "churn_probability", "expected_months_left");
    Column margin = lit(settings.grossMargin());
    Column people = round(col("active_users_28d").multiply(col("devices_per_user_28d"))).cast(IntegerType);
    // greatest() skips nulls: an unknown people count or seat count must leave the gap unknown, not 0.
    Column gap = when(people.isNotNull().and(col("seats").isNotNull()), greatest(people.minus(col("seats")), lit(0)));
    return features.where(col("lapsed").equalTo(false))
        .select("account_id", "mrr", "cost_to_serve_monthly", "seats", "active_users_28d", "devices_per_user_28d")
        .join(accounts.select("account_id", "account_name"), new String[] {"account_id"}, "left")
        .join(segments.select("account_id", "segment_name"), new String[] {"account_id"}, "left")
        .join(scores.select("account_id", "churn_probability", "expected_months_left"), new String[] {"account_id"},
            "left")
        .withColumn("_gap", gap)
        .select(
            col("account_id"), col("account_name"), col("segment_name"), col("mrr"), col("cost_to_serve_monthly"),
            col("mrr").multiply(margin).minus(col("cost_to_serve_monthly")).as("monthly_margin"),
            coalesce(col("cost_to_serve_monthly").gt(col("mrr")), lit(false)).as("cost_exceeds_revenue"),
            col("seats"), col("active_users_28d"),
            col("devices_per_user_28d").as("people_per_login"),
            col("_gap").as("seat_gap"),
            coalesce(col("devices_per_user_28d").gt(settings.peoplePerLoginAbove()).and(col("_gap").gt(0)),
                lit(false)).as("offer_more_seats"),
            col("churn_probability"),
            col("mrr").multiply(margin).multiply(col("expected_months_left")).as("expected_remaining_ltv"));
  }
}
