package io.churnducks.features.indicators;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.Schemas;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
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

  /** Every column of the table, in schema order (the first two are the key). */
  public static final List<Indicator> COLUMNS = List.of(
      key("account_id", StringType, "Account identifier."),
      key("as_of_date", DateType, "Indicators use only data dated strictly before this day."),
      new Indicator("lapsed", BooleanType, null, false,
          "True when no subscription covers the as-of date but the last one ended at most the grace period before it "
              + "(not churned yet): scored and listed first; mrr, seats, plan and discount describe the subscription "
              + "it lapsed from. Not a model input (training examples are all active).", "true/false", Stage.LATER,
          "as of", Good.NEITHER),
      category("industry", Stage.EARLY, "at signup", "Industry from the CRM."),
      category("acquisition_channel", Stage.EARLY, "at signup", "Channel that acquired the account."),
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
      measure("discount_ended_90d", IntegerType, null, FLAG, Stage.LATER, "90 days", Good.LOWER,
          "1 when a larger discount than today's ended in the last 90 days."),
      measure("active_users_28d", LongType, USAGE, "users", Stage.LATER, "28 days", Good.HIGHER,
          "Distinct users with product usage, last 28 days."),
      measure("active_days_28d", LongType, USAGE, "days", Stage.LATER, "28 days", Good.HIGHER,
          "Days with product usage, last 28 days."),
      measure("events_28d", DoubleType, USAGE, "events", Stage.LATER, "28 days", Good.HIGHER,
          "Product usage events, last 28 days."),
      measure("events_prev_28d", DoubleType, USAGE, "events", Stage.LATER, "days 29-56", Good.HIGHER,
          "Product usage events, days 29-56 before."),
      measure("usage_trend_28d", DoubleType, USAGE, "log ratio", Stage.LATER, "56 days", Good.HIGHER,
          "ln((events_28d+1)/(events_prev_28d+1)); negative = falling usage."),
      measure("features_used_28d", LongType, USAGE, "features", Stage.LATER, "28 days", Good.HIGHER,
          "Distinct product features used, last 28 days."),
      measure("devices_per_user_28d", DoubleType, USAGE, "devices / user", Stage.LATER, "28 days", Good.NEITHER,
          "Distinct user-device pairs per active user, last 28 days (high: shared logins)."),
      measure("intent_events_28d", DoubleType, USAGE, "events", Stage.LATER, "28 days", Good.HIGHER,
          "Purchase-intent events (pricing page, upgrade click, ...), last 28 days."),
      measure("days_since_last_activity", IntegerType, USAGE, "days", Stage.LATER, "whole history", Good.LOWER,
          "Days since the last product usage event (null: never used)."),
      measure("seat_utilisation", DoubleType, USAGE, "ratio", Stage.LATER, "28 days", Good.HIGHER,
          "active_users_28d / seats."),
      measure("early_events_14d", DoubleType, USAGE, "events", Stage.EARLY, "first 14 days", Good.HIGHER,
          "Product usage events in the first 14 days after signup."),
      measure("early_features_14d", LongType, USAGE, "features", Stage.EARLY, "first 14 days", Good.HIGHER,
          "Distinct features used in the first 14 days after signup."),
      measure("never_used", IntegerType, USAGE, FLAG, Stage.LATER, "whole history", Good.LOWER,
          "1 when the account has no product usage before the as-of date (days_since_last_activity null), else 0."),
      measure("unpaid_invoices_90d", LongType, INVOICES, "invoices", Stage.LATER, "90 days", Good.LOWER,
          "Invoices issued in the last 90 days still unpaid on the as-of date (no paid_date, or paid on or after it); "
              + "invoice status is extract-time and not used."),
      measure("late_payments_90d", LongType, INVOICES, "invoices", Stage.LATER, "90 days", Good.LOWER,
          "Invoices issued in the last 90 days paid before the as-of date but more than "
              + PaymentReliabilityIndicators.LATE_AFTER_DAYS + " days after issue."),
      measure("unpaid_amount", DoubleType, INVOICES, "currency", Stage.LATER, "as of", Good.LOWER,
          "Open balance on the as-of date: amount of all invoices issued before it and unpaid on it, currency units."),
      measure("tickets_90d", LongType, TICKETS, "tickets", Stage.LATER, "90 days", Good.LOWER,
          "Support tickets opened in the last 90 days."),
      measure("avg_csat_90d", DoubleType, TICKETS, "score 1-5", Stage.LATER, "90 days", Good.HIGHER,
          "Mean ticket satisfaction (1-5) in the last 90 days (null: none rated)."),
      measure("has_rated_ticket_90d", IntegerType, TICKETS, FLAG, Stage.LATER, "90 days", Good.NEITHER,
          "1 when a ticket of the last 90 days was rated before the as-of date, else 0."),
      measure("last_nps", IntegerType, SURVEYS, "score 0-10", Stage.LATER, "latest answer", Good.HIGHER,
          "Latest NPS answer (0-10) before the as-of date (null: never answered)."),
      measure("nps_answered", IntegerType, SURVEYS, FLAG, Stage.LATER, "whole history", Good.NEITHER,
          "1 when the account answered an NPS survey before the as-of date, else 0."));

  /** The declared schema of {@code customer_features} (without the {@code run_date} partition). */
  public static final StructType SCHEMA =
      new StructType(COLUMNS.stream().map(Indicator::field).toArray(StructField[]::new));

  /** Names of the numeric indicators, the inputs a model or a segmentation can use. */
  public static List<String> numericIndicators() {
    return COLUMNS.stream().filter(Indicator::numeric).map(Indicator::name).toList();
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
          UsageRollup.userDays(events, settings.intentFeatures()), tables.get(InputContract.ACCOUNTS.name()),
          settings.intentFeatures(), Optional.empty()));
    }
    return compute(spine, tables, usage);
  }

  /**
   * Computes every indicator for each (account_id, as_of_date) of {@code spine}, the usage
   * indicators being given (already computed from the stored roll-ups by {@link UsageIndicators}).
   *
   * @param tables canonical table name → clean rows; accounts and subscriptions are required;
   *               a usage_events entry only marks the usage source as configured
   * @param usage  {@link UsageIndicators#compute} output for the spine; empty when no usage source
   */
  public static Result compute(Dataset<Row> spine, Map<String, Dataset<Row>> tables, Optional<Dataset<Row>> usage) {
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
      out = out.join(usage.get().drop(UsageHistory.LAST_ACTIVE), key, "left")
          .withColumn("seat_utilisation",
              when(col("seats").gt(0), col("active_users_28d").divide(col("seats"))))
          .withColumn("never_used", when(col("days_since_last_activity").isNull(), 1).otherwise(0));
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
}
