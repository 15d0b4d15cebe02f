package io.churnducks.features.indicators;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.Schemas;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * The {@code customer_features} table: one row per (account, as-of date) of the spine with every
 * motivation indicator, computed only from data dated strictly before the as-of date.
 * Indicators whose source is not configured are null, and {@link Result#disabled()} says which.
 * A null that means something ("never used", "never answered", "no rated ticket", "seat count not
 * stated") also gets an explicit 0/1 flag indicator, so the model sees it instead of an imputed
 * median.
 */
public final class CustomerFeatures {

  private CustomerFeatures() {}

  /** Part of the customer lifecycle an indicator describes. */
  public enum Stage {
    /** Identifies the row; not an indicator. */
    KEY,
    /** What the account was and did in its first weeks (firmographics, onboarding). */
    EARLY,
    /** What the account is and does now. */
    LATER
  }

  /** Which way an indicator moves for a customer more likely to stay. */
  public enum Good {
    HIGHER, LOWER, NEITHER
  }

  /**
   * One column of {@code customer_features}, declared once: the declaration gives its schema,
   * its documentation ({@code docs/indicators.md}, {@link IndicatorCatalogue}) and whether a model
   * may use it.
   *
   * @param source canonical table it needs beyond accounts/subscriptions (null: always available)
   * @param numeric whether models and segmentation use it as a number
   * @param unit    what one unit of the value is (events, days, currency, 0/1, ...)
   * @param window  the period it looks at, counted back from the as-of date ("28 days", "first 14 days", "as of")
   */
  public record Indicator(String name, DataType type, String source, boolean numeric, String doc, String unit,
      Stage stage, String window, Good good) {
    StructField field() {
      return Schemas.field(name, type, true, doc);
    }
  }

  private static Indicator key(String name, DataType type, String doc) {
    return new Indicator(name, type, null, false, doc, "-", Stage.KEY, "-", Good.NEITHER);
  }

  private static Indicator category(String name, Stage stage, String window, String doc) {
    return new Indicator(name, StringType, null, false, doc, "category", stage, window, Good.NEITHER);
  }

  private static Indicator measure(String name, DataType type, String source, String unit, Stage stage, String window,
      Good good, String doc) {
    return new Indicator(name, type, source, true, doc, unit, stage, window, good);
  }

  private static final String USAGE = InputContract.USAGE_EVENTS.name();
  private static final String INVOICES = InputContract.INVOICES.name();
  private static final String TICKETS = InputContract.SUPPORT_TICKETS.name();
  private static final String SURVEYS = InputContract.SURVEYS.name();
  private static final String FLAG = "0/1";
  /** Length of the recent usage window (events_28d), days. */
  private static final int RECENT_DAYS = 28;
  private static final DataType FEATURE_MAP = DataTypes.createMapType(StringType, DoubleType, true);

  /** Every column of the table, in schema order (the first two are the key). */
  public static final List<Indicator> COLUMNS = List.of(
      key("account_id", StringType, "Account identifier."),
      key("as_of_date", DateType, "Indicators use only data dated strictly before this day."),
      new Indicator("lapsed", BooleanType, null, false,
          "True when no subscription covers the as-of date but the last one ended at most the grace period before it "
              + "(not churned yet): scored and listed first; mrr, seats, plan and discount describe the subscription "
              + "it lapsed from. Not a model input (training examples are all active).", "true/false", Stage.LATER,
          "as of", Good.NEITHER),
      // Early lifecycle: who the customer is and what it bought and did first.
      category("industry", Stage.EARLY, "at signup", "Industry from the CRM (models fold the industries that do not "
          + "differ in churn into other, see indicator_relevance)."),
      category("acquisition_channel", Stage.EARLY, "at signup", "Channel that acquired the account."),
      category("country", Stage.EARLY, "at signup", "Billing country from the CRM."),
      measure("employee_count", IntegerType, null, "employees", Stage.EARLY, "at signup", Good.NEITHER,
          "Employees from the CRM (null: not stated)."),
      category("employee_band", Stage.EARLY, "at signup",
          "Company-size band of employee_count: 1-10, 11-50, 51-200, 201-500, 501-1000, 1001-5000, 5001+."),
      category("first_plan", Stage.EARLY, "first subscription day",
          "Plan of the highest-MRR subscription that started on the account's first subscription day."),
      measure("first_mrr", DoubleType, null, "currency / month", Stage.EARLY, "first subscription day", Good.HIGHER,
          "MRR of the subscriptions that started on the account's first subscription day."),
      measure("first_seats", IntegerType, null, "seats", Stage.EARLY, "first subscription day", Good.HIGHER,
          "Seats bought on the first subscription day (null: not stated)."),
      measure("first_discount_pct", DoubleType, null, "percent", Stage.EARLY, "first subscription day", Good.LOWER,
          "Largest discount of the first subscription day, percent."),
      measure("early_events_14d", DoubleType, USAGE, "events", Stage.EARLY, "first 14 days", Good.HIGHER,
          "Product usage events in the first 14 days after signup."),
      measure("early_active_days_14d", LongType, USAGE, "days", Stage.EARLY, "first 14 days", Good.HIGHER,
          "Days with product usage in the first 14 days after signup."),
      measure("early_features_14d", LongType, USAGE, "features", Stage.EARLY, "first 14 days", Good.HIGHER,
          "Distinct features used in the first 14 days after signup."),
      measure("early_key_feature_events_14d", DoubleType, USAGE, "events", Stage.EARLY, "first 14 days", Good.HIGHER,
          "Events of the key features (indicators.key-features) in the first 14 days after signup."),
      measure("activated_14d", IntegerType, USAGE, FLAG, Stage.EARLY, "first 14 days", Good.HIGHER,
          "1 when early_key_feature_events_14d reached the activation threshold (the key features' use that best "
              + "separates retained from churned accounts, see feature_retention), else 0; null: no threshold known."),
      measure("days_to_first_value", IntegerType, USAGE, "days", Stage.EARLY, "since signup", Good.LOWER,
          "Days from signup to the first use of a key feature (any product feature when none is configured); "
              + "null: not reached yet, see value_reached."),
      measure("value_reached", IntegerType, USAGE, FLAG, Stage.EARLY, "since signup", Good.HIGHER,
          "1 when the account has used a key feature (reached first value) before the as-of date, else 0."),
      // Now: contract and revenue.
      category("plan", Stage.LATER, "as of",
          "Plan of the current (for a lapsed account: last) subscription with the highest MRR."),
      measure("tenure_days", IntegerType, null, "days", Stage.LATER, "since signup", Good.HIGHER,
          "Days from signup to the as-of date."),
      measure("mrr", DoubleType, null, "currency / month", Stage.LATER, "as of", Good.HIGHER,
          "Current (for a lapsed account: last) monthly recurring revenue, currency units."),
      measure("seats", IntegerType, null, "seats", Stage.LATER, "as of", Good.HIGHER,
          "Current (for a lapsed account: last) licensed seats (null: not stated, see seats_unknown)."),
      measure("seats_unknown", IntegerType, null, FLAG, Stage.LATER, "as of", Good.NEITHER,
          "1 when the subscription states no seat count, else 0."),
      measure("discount_pct", DoubleType, null, "percent", Stage.LATER, "as of", Good.NEITHER,
          "Largest current (for a lapsed account: last) discount, percent."),
      measure("billing_period_months", IntegerType, null, "months", Stage.LATER, "as of", Good.HIGHER,
          "Months per billing period of the current highest-MRR subscription (1 monthly, 12 yearly; null: unknown)."),
      measure("days_to_renewal", IntegerType, null, "days", Stage.LATER, "as of", Good.NEITHER,
          "Days to the next renewal of the current term: start date plus whole billing periods, on or after the as-of "
              + "date (null: lapsed or billing period unknown). A renewal is when a customer can leave."),
      measure("days_to_term_renewal", IntegerType, null, "days", Stage.LATER, "as of", Good.HIGHER,
          "Days to the next renewal of a term contract billed in periods longer than a month (quarterly, yearly, "
              + "multi-year): the day its customer decides again whether to stay (null: billed monthly, lapsed or "
              + "billing period unknown)."),
      measure("price_change_since_signup", DoubleType, null, "ratio", Stage.LATER, "since signup", Good.NEITHER,
          "MRR per seat now / MRR per seat of the first subscription day - 1 (per account when seats are unknown)."),
      measure("mrr_change_90d", DoubleType, null, "ratio", Stage.LATER, "90 days", Good.HIGHER,
          "(MRR now - MRR 90 days before) / MRR 90 days before; > 0 expansion, < 0 contraction (null: no MRR then)."),
      measure("seats_change_90d", IntegerType, null, "seats", Stage.LATER, "90 days", Good.HIGHER,
          "Seats now - seats 90 days before (null: either not stated)."),
      measure("upgrades_90d", LongType, null, "changes", Stage.LATER, "90 days", Good.HIGHER,
          "Days in the last 90 on which a new subscription raised the account's MRR."),
      measure("downgrades_90d", LongType, null, "changes", Stage.LATER, "90 days", Good.LOWER,
          "Days in the last 90 on which a new subscription lowered the account's MRR (not to zero)."),
      measure("discount_ended_90d", IntegerType, null, FLAG, Stage.LATER, "90 days", Good.LOWER,
          "1 when a larger discount than today's ended in the last 90 days."),
      measure("days_to_discount_end", IntegerType, null, "days", Stage.LATER, "as of", Good.HIGHER,
          "Days to the end of the current time-limited discount (the source's discount_end_date: a coupon or "
              + "introductory offer whose end was set when it was granted); null: no such discount. The price rises "
              + "then, and customers who came for the price decide whether to stay."),
      measure("days_since_discount_end", IntegerType, null, "days", Stage.LATER, "whole history", Good.HIGHER,
          "Days since the latest end of a larger discount than today's (null: none ended)."),
      // Now: usage.
      measure("active_users_28d", LongType, USAGE, "users", Stage.LATER, "28 days", Good.HIGHER,
          "Distinct users with product usage, last 28 days."),
      measure("active_users_prev_28d", LongType, USAGE, "users", Stage.LATER, "days 29-56", Good.HIGHER,
          "Distinct users with product usage, days 29-56 before."),
      measure("lost_users_28d", LongType, USAGE, "users", Stage.LATER, "56 days", Good.LOWER,
          "Users active in days 29-56 before but not in the last 28 (a champion leaving shows here before totals move)."),
      measure("lost_users_90d", LongType, USAGE, "users", Stage.LATER, "90 days", Good.LOWER,
          "Users active in days 29-90 before but not in the last 28."),
      measure("lost_user_share_90d", DoubleType, USAGE, "share", Stage.LATER, "90 days", Good.LOWER,
          "Share of the account's product events in days 29-90 before made by users not seen in the last 28 days "
              + "(high: the people who carried the account have gone; 0 without earlier events)."),
      measure("devices_per_user_28d", DoubleType, USAGE, "devices / user", Stage.LATER, "28 days", Good.NEITHER,
          "Distinct user-device pairs per active user, last 28 days (high: one login shared by several people)."),
      measure("active_days_28d", LongType, USAGE, "days", Stage.LATER, "28 days", Good.HIGHER,
          "Days with product usage, last 28 days."),
      measure("active_days_90d", LongType, USAGE, "days", Stage.LATER, "90 days", Good.HIGHER,
          "Days with product usage, last 90 days."),
      measure("events_28d", DoubleType, USAGE, "events", Stage.LATER, "28 days", Good.HIGHER,
          "Product usage events, last 28 days."),
      measure("events_prev_28d", DoubleType, USAGE, "events", Stage.LATER, "days 29-56", Good.HIGHER,
          "Product usage events, days 29-56 before."),
      measure("events_90d", DoubleType, USAGE, "events", Stage.LATER, "90 days", Good.HIGHER,
          "Product usage events, last 90 days."),
      measure("usage_trend_28d", DoubleType, USAGE, "log ratio", Stage.LATER, "56 days", Good.HIGHER,
          "ln((events_28d+1)/(events_prev_28d+1)); negative = falling usage."),
      measure("usage_vs_first_14d", DoubleType, USAGE, "log ratio", Stage.LATER, "since signup", Good.HIGHER,
          "ln((events_28d+1)/(2*early_events_14d+1)): the last 28 days' use against the pace of the first 14 days "
              + "(negative = using less than while onboarding; a slow fade that no 28-day trend shows; null in the "
              + "first 14 days)."),
      measure("usage_vs_history", DoubleType, USAGE, "log ratio", Stage.LATER, "since signup", Good.HIGHER,
          "ln((events_28d+1)/(earlier pace+1)), the earlier pace being the account's product events per 28 days "
              + "from signup to 28 days before the as-of date ((lifetime_events - events_28d) * 28 / (tenure_days - "
              + "28)): the last 28 days against the account's own usual month (negative = using less than it used "
              + "to; a long fade that no 28-day trend shows; null before 56 days of tenure)."),
      measure("events_per_active_user_28d", DoubleType, USAGE, "events / user", Stage.LATER, "28 days", Good.HIGHER,
          "events_28d / active_users_28d (depth of use; 0 without active users)."),
      measure("features_used_28d", LongType, USAGE, "features", Stage.LATER, "28 days", Good.HIGHER,
          "Distinct product features used, last 28 days (breadth of use)."),
      measure("key_feature_events_28d", DoubleType, USAGE, "events", Stage.LATER, "28 days", Good.HIGHER,
          "Events of the key features (indicators.key-features), last 28 days."),
      measure("key_feature_share_90d", DoubleType, USAGE, "share", Stage.LATER, "90 days", Good.HIGHER,
          "Share of the product events of the last 90 days that used the key features: how much of the account's "
              + "use goes to them (depth of adoption, whatever the account's size; 90 days, so a quiet month does not "
              + "swing it; null without events)."),
      measure("lifetime_events", DoubleType, USAGE, "events", Stage.LATER, "whole history", Good.HIGHER,
          "Product usage events before the as-of date, since the first one (a running sum)."),
      measure("lifetime_key_feature_events", DoubleType, USAGE, "events", Stage.LATER, "whole history", Good.HIGHER,
          "Key-feature events before the as-of date, since the first one (a running sum)."),
      measure("key_feature_share_lifetime", DoubleType, USAGE, "share", Stage.LATER, "whole history", Good.HIGHER,
          "lifetime_key_feature_events / lifetime_events: how much of all the account's use went to the key "
              + "features (depth of adoption; once an account has some history it moves less from month to month than "
              + "key_feature_share_90d, as a light account's share rests on all its events; null without events)."),
      measure("intent_events_28d", DoubleType, USAGE, "events", Stage.LATER, "28 days", Good.HIGHER,
          "Purchase-intent events (indicators.intent-features: pricing page, upgrade click, ...), last 28 days."),
      measure("error_events_28d", DoubleType, USAGE, "events", Stage.LATER, "28 days", Good.LOWER,
          "Error and disconnect events (indicators.error-features), last 28 days."),
      measure("days_since_last_activity", IntegerType, USAGE, "days", Stage.LATER, "whole history", Good.LOWER,
          "Days since the last product usage event (null: never used)."),
      measure("seat_utilisation", DoubleType, USAGE, "ratio", Stage.LATER, "28 days", Good.HIGHER,
          "active_users_28d / seats."),
      measure("never_used", IntegerType, USAGE, FLAG, Stage.LATER, "whole history", Good.LOWER,
          "1 when the account has no product usage before the as-of date (days_since_last_activity null), else 0."),
      new Indicator("feature_events_28d", FEATURE_MAP, USAGE, false,
          "Product usage events per feature, last 28 days: the account's most used features, at most "
              + "indicators.max-features of them.", "feature -> events", Stage.LATER, "28 days", Good.HIGHER),
      new Indicator("feature_users_28d", FEATURE_MAP, USAGE, false,
          "Distinct users per feature, last 28 days, for the features of feature_events_28d (who uses what: one "
              + "user left on a feature the team used shows here).", "feature -> users", Stage.LATER, "28 days",
          Good.HIGHER),
      new Indicator("feature_trend_28d", FEATURE_MAP, USAGE, false,
          "Per feature used in the last 56 days: ln((events last 28 days + 1) / (events days 29-56 + 1)).",
          "feature -> log ratio", Stage.LATER, "56 days", Good.HIGHER),
      // Now: billing.
      measure("unpaid_invoices_90d", LongType, INVOICES, "invoices", Stage.LATER, "90 days", Good.LOWER,
          "Invoices issued in the last 90 days still unpaid on the as-of date (no paid_date, or paid on or after it); "
              + "invoice status is extract-time and not used."),
      measure("late_payments_90d", LongType, INVOICES, "invoices", Stage.LATER, "90 days", Good.LOWER,
          "Invoices issued in the last 90 days paid before the as-of date but more than "
              + PaymentReliabilityIndicators.LATE_AFTER_DAYS + " days after issue."),
      measure("unpaid_amount", DoubleType, INVOICES, "currency", Stage.LATER, "as of", Good.LOWER,
          "Open balance on the as-of date: amount of all invoices issued before it and unpaid on it, currency units."),
      measure("oldest_unpaid_days", IntegerType, INVOICES, "days", Stage.LATER, "as of", Good.LOWER,
          "Days since the oldest invoice still unpaid on the as-of date was issued (0: nothing open)."),
      measure("refunds_90d", LongType, INVOICES, "credit notes", Stage.LATER, "90 days", Good.LOWER,
          "Credit notes (invoices with a negative amount) issued in the last 90 days."),
      measure("slow_payment_share_365d", DoubleType, INVOICES, "share", Stage.LATER, "365 days", Good.LOWER,
          "Of the invoices issued in the last 365 days and more than " + PaymentReliabilityIndicators.PROMPT_DAYS
              + " days before the as-of date, the share not paid within " + PaymentReliabilityIndicators.PROMPT_DAYS
              + " days of issue (a failed charge collected later by dunning, a late or still open invoice); null: "
              + "no such invoice."),
      // Now: support and feedback.
      measure("tickets_90d", LongType, TICKETS, "tickets", Stage.LATER, "90 days", Good.LOWER,
          "Support tickets opened in the last 90 days."),
      measure("urgent_tickets_90d", LongType, TICKETS, "tickets", Stage.LATER, "90 days", Good.LOWER,
          "Tickets of the last 90 days with priority urgent, high or critical."),
      measure("open_tickets", LongType, TICKETS, "tickets", Stage.LATER, "as of", Good.LOWER,
          "Tickets opened in the last " + SupportIndicators.OPEN_LOOKBACK_DAYS + " days and not closed before the "
              + "as-of date."),
      measure("avg_hours_to_close_90d", DoubleType, TICKETS, "hours", Stage.LATER, "90 days", Good.LOWER,
          "Mean hours from opening to closing of the tickets of the last 90 days closed before the as-of date "
              + "(null: none closed)."),
      measure("avg_csat_90d", DoubleType, TICKETS, "score 1-5", Stage.LATER, "90 days", Good.HIGHER,
          "Mean ticket satisfaction (1-5) in the last 90 days (null: none rated)."),
      measure("has_rated_ticket_90d", IntegerType, TICKETS, FLAG, Stage.LATER, "90 days", Good.NEITHER,
          "1 when a ticket of the last 90 days was rated before the as-of date, else 0."),
      measure("tickets_365d", LongType, TICKETS, "tickets", Stage.LATER, "365 days", Good.LOWER,
          "Support tickets opened in the last 365 days."),
      measure("avg_csat_365d", DoubleType, TICKETS, "score 1-5", Stage.LATER, "365 days", Good.HIGHER,
          "Mean ticket satisfaction (1-5) of the tickets of the last 365 days rated before the as-of date (null: "
              + "none rated); steadier than avg_csat_90d for accounts with few tickets."),
      measure("last_nps", IntegerType, SURVEYS, "score 0-10", Stage.LATER, "latest answer", Good.HIGHER,
          "Latest NPS answer (0-10) before the as-of date (null: never answered)."),
      measure("nps_change", IntegerType, SURVEYS, "points", Stage.LATER, "last two answers", Good.HIGHER,
          "Latest NPS answer minus the one before it (null: fewer than two answers)."),
      measure("nps_answered", IntegerType, SURVEYS, FLAG, Stage.LATER, "whole history", Good.NEITHER,
          "1 when the account answered an NPS survey before the as-of date, else 0."),
      measure("avg_nps_365d", DoubleType, SURVEYS, "score 0-10", Stage.LATER, "365 days", Good.HIGHER,
          "Mean NPS answer (0-10) of the last 365 days (null: none); one noisy answer moves it less than last_nps."),
      // Now: what serving the customer costs.
      measure("usage_cost_28d", DoubleType, USAGE, "currency", Stage.LATER, "28 days", Good.NEITHER,
          "Cost to serve the product usage of the last 28 days: units of use x indicators.cost.per-unit (or the "
              + "feature's indicators.cost.features entry); to a millionth."),
      measure("cost_to_serve_monthly", DoubleType, USAGE, "currency / month", Stage.LATER, "28 / 90 days",
          Good.LOWER, "usage_cost_28d + tickets_90d / 3 x indicators.cost.per-ticket (0 tickets without a support "
              + "source): compare with mrr."));

  /** The declared schema of {@code customer_features} (without the {@code run_date} partition). */
  public static final StructType SCHEMA =
      new StructType(COLUMNS.stream().map(Indicator::field).toArray(StructField[]::new));

  /** Names of the categorical indicators (text values a model can one-hot encode). */
  public static List<String> categoricalIndicators() {
    return COLUMNS.stream().filter(i -> i.stage() != Stage.KEY && !i.numeric() && i.type().equals(StringType))
        .map(Indicator::name).toList();
  }

  /** Names of the numeric indicators, the inputs a model or a segmentation can use. */
  public static List<String> numericIndicators() {
    return COLUMNS.stream().filter(Indicator::numeric).map(Indicator::name).toList();
  }

  /** Names of the indicators of an account's first days (firmographics, first plan, onboarding). */
  public static List<String> earlyIndicators() {
    return COLUMNS.stream().filter(i -> i.stage() == Stage.EARLY).map(Indicator::name).toList();
  }

  /**
   * Indicator → {@code "higher"} or {@code "lower"}: the side the catalogue calls better, for the
   * indicators that have one (a churn reason names only the other side).
   */
  public static Map<String, String> betterWhen() {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (Indicator i : COLUMNS) {
      if (i.good() != Good.NEITHER) {
        out.put(i.name(), i.good() == Good.HIGHER ? "higher" : "lower");
      }
    }
    return out;
  }

  /**
   * @param features the indicator rows in {@link #SCHEMA}
   * @param disabled canonical source → indicators left null because the source is not configured
   */
  public record Result(Dataset<Row> features, Map<String, List<String>> disabled) {}

  /**
   * Computes every indicator for each (account_id, as_of_date) of {@code spine}, the usage
   * indicators straight from raw usage events (for small inputs and tests; the nightly job reads
   * stored roll-ups instead).
   *
   * @param spine  {@code account_id, as_of_date}, optionally {@code lapsed} (as
   *               {@code SubscriptionTimeline.scoringSpine} gives it), which is passed through;
   *               without it every row is taken as active ({@code lapsed} = false)
   * @param tables canonical table name → clean rows; accounts and subscriptions are required
   */
  public static Result compute(Dataset<Row> spine, Map<String, Dataset<Row>> tables, IndicatorSettings settings) {
    Optional<Dataset<Row>> usage = Optional.empty();
    Dataset<Row> events = tables.get(USAGE);
    if (events != null) {
      List<LocalDate> dates = spine.select("as_of_date").distinct().collectAsList().stream()
          .map(r -> r.getDate(0).toLocalDate()).toList();
      usage = Optional.of(UsageIndicators.compute(spine, dates, UsageRollup.featureDays(events),
          UsageRollup.userDays(events, settings.nonUsageFeatures()), tables.get(InputContract.ACCOUNTS.name()),
          settings, Optional.empty()));
    }
    return compute(spine, tables, usage, settings);
  }

  /**
   * Computes every indicator for each (account_id, as_of_date) of {@code spine}, the usage
   * indicators being given (already computed from the stored roll-ups by {@link UsageIndicators}).
   *
   * @param tables canonical table name → clean rows; accounts and subscriptions are required;
   *               a usage_events entry only marks the usage source as configured
   * @param usage  {@link UsageIndicators#compute} output for the spine; empty when no usage source
   */
  public static Result compute(Dataset<Row> spine, Map<String, Dataset<Row>> tables, Optional<Dataset<Row>> usage,
      IndicatorSettings settings) {
    Windows.require(spine, "customer features", "account_id", "as_of_date");
    for (String required : List.of(InputContract.ACCOUNTS.name(), InputContract.SUBSCRIPTIONS.name())) {
      if (!tables.containsKey(required)) {
        throw new IllegalArgumentException("Cannot compute customer features: input table " + required
            + " is missing (got: " + String.join(", ", tables.keySet()) + "; accounts and subscriptions are required)");
      }
    }
    Dataset<Row> accounts = tables.get(InputContract.ACCOUNTS.name());
    Dataset<Row> subscriptions = tables.get(InputContract.SUBSCRIPTIONS.name());
    String[] key = {"account_id", "as_of_date"};
    Dataset<Row> out = AccountProfileIndicators.apply(spine, accounts)
        .join(SubscriptionIndicators.apply(spine, subscriptions), key, "left");

    if (usage.isPresent()) {
      out = out.join(usage.get().drop(UsageHistory.LAST_ACTIVE, UsageHistory.FIRST_VALUE), key, "left")
          .withColumn("seat_utilisation",
              when(col("seats").gt(0), col("active_users_28d").divide(col("seats"))))
          .withColumn("never_used", when(col("days_since_last_activity").isNull(), 1).otherwise(0))
          .withColumn("usage_vs_first_14d", when(col("tenure_days").geq(UsageHistory.ONBOARDING_DAYS),
              log(col("events_28d").plus(1)).minus(log(col("early_events_14d")
                  .multiply((double) RECENT_DAYS / UsageHistory.ONBOARDING_DAYS).plus(1)))))
          .withColumn("usage_vs_history", when(col("tenure_days").geq(2 * RECENT_DAYS),
              log(col("events_28d").plus(1)).minus(log(earlierPace().plus(1)))));
    }
    if (tables.containsKey(InputContract.INVOICES.name())) {
      out = out.join(PaymentReliabilityIndicators.apply(spine, tables.get(InputContract.INVOICES.name())), key, "left");
    }
    if (tables.containsKey(InputContract.SUPPORT_TICKETS.name())) {
      out = out.join(SupportIndicators.apply(spine, tables.get(InputContract.SUPPORT_TICKETS.name())), key, "left");
    }
    if (tables.containsKey(InputContract.SURVEYS.name())) {
      out = out.join(FeedbackIndicators.apply(spine, tables.get(InputContract.SURVEYS.name())), key, "left");
    }
    if (usage.isPresent()) {
      out = out.withColumn("activated_14d", settings.activationUses() == null ? lit(null).cast("int")
          : when(col("early_key_feature_events_14d").geq(settings.activationUses()), 1).otherwise(0));
      Column ticketCost = tables.containsKey(TICKETS)
          ? col("tickets_90d").divide(3.0).multiply(settings.costPerTicket()) : lit(0.0);
      out = out.withColumn("cost_to_serve_monthly", col("usage_cost_28d").plus(coalesce(ticketCost, lit(0.0))));
    }

    Map<String, List<String>> disabled = new LinkedHashMap<>();
    List<Column> select = new ArrayList<>();
    List<String> present = List.of(out.columns());
    for (Indicator i : COLUMNS) {
      boolean sourceMissing = USAGE.equals(i.source()) ? usage.isEmpty() : i.source() != null && !tables.containsKey(i.source());
      if (sourceMissing) {
        disabled.computeIfAbsent(i.source(), s -> new ArrayList<>()).add(i.name());
        select.add(lit(null).cast(i.type()).as(i.name(), i.field().metadata()));
      } else if (!present.contains(i.name())) {
        throw new IllegalStateException("Cannot compute customer features: indicator " + i.name() + " was not produced");
      } else {
        select.add(col(i.name()).cast(i.type()).as(i.name(), i.field().metadata()));
      }
    }
    return new Result(out.select(select.toArray(Column[]::new)), disabled);
  }

  /**
   * Product events per {@value #RECENT_DAYS} days from signup to the start of the recent window:
   * the account's usual month before the last one.
   */
  private static Column earlierPace() {
    Column earlierEvents = greatest(col("lifetime_events").minus(col("events_28d")), lit(0.0));
    return earlierEvents.multiply((double) RECENT_DAYS).divide(col("tenure_days").minus(RECENT_DAYS));
  }
}
