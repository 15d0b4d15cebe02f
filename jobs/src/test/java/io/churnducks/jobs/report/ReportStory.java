package io.churnducks.jobs.report;

import io.churnducks.features.indicators.CustomerFeatures;
import io.churnducks.features.relevance.IndicatorDrift;
import io.churnducks.features.relevance.IndicatorRelevance;
import io.churnducks.features.validation.Quarantine;
import io.churnducks.jobs.io.Warehouse;
import io.churnducks.jobs.nightly.ModelEvaluations;
import io.churnducks.jobs.nightly.RunManifest;
import io.churnducks.jobs.rollup.UsageRollupStage;
import io.churnducks.models.churn.ChurnScores;
import io.churnducks.models.churn.RiskList;
import io.churnducks.models.segments.CustomerSegments;
import io.churnducks.models.segments.HealthExtremes;
import io.churnducks.models.segments.SegmentProfiles;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * A small night told in tables, written through the {@link Warehouse} for {@link #RUN}: ten
 * customers in three duck segments (and one vanished segment), their scores and risk list, the
 * backtest of the chosen model beside a candidate that lost, drift, quarantine, and the lifecycle
 * tables. The report tests read it back; the values they expect are worked out here in comments.
 */
final class ReportStory {

  static final LocalDate RUN = LocalDate.of(2026, 3, 1);

  /** The account whose CRM name is markup: it must show as text, never run. */
  static final String MARKUP_NAME = "<script>alert('duck')</script> & Sons";

  /** id, name, segment id, health, temperature, quadrant, MRR. */
  static final Object[][] ACCOUNTS = {
      {"a01", "Acme Analytics", 1, 90.0, 80.0, "Red Carpet", 2000.0},
      {"a02", "Birch Logistics", 1, 80.0, 75.0, "Red Carpet", 1000.0},
      {"a03", "Cobalt Studios", 1, 70.0, 90.0, "Red Carpet", 600.0},
      {"a04", "Delta Dental", 1, 60.0, 70.0, "Red Carpet", 400.0},
      {"a05", MARKUP_NAME, 2, 75.0, 30.0, "Free Riders", 700.0},
      {"a06", "Fjord Foods", 2, 65.0, 40.0, "Free Riders", 500.0},
      {"a07", "Granite Legal", 2, 62.0, 20.0, "Free Riders", 300.0},
      {"a08", "Harbor Clinics", 3, 30.0, 35.0, "Sleeping", 250.0},
      {"a09", "Ivy Schools", 3, 20.0, 25.0, "Sleeping", 200.0},
      {"a10", "Juniper Print", 3, 10.0, 72.0, "Ready to Buy", 150.0},
  };
  // Quadrant lines: health between the highest low-health score (a08: 30) and the lowest high one
  // (a04: 60) = 45; temperature between the highest cold score (a06: 40) and the lowest warm one (a04: 70) = 55.
  static final double HEALTH_LINE = 45.0;
  static final double TEMPERATURE_LINE = 55.0;

  static final Map<Integer, String> SEGMENTS = Map.of(1, "Power Collaborators", 2, "Seat Sharers", 3,
      "Stalled Onboarders", 4, "Discount Hunters");

  /** Cohorts and segments of retention_curves: months observed (accounts_observed > 0) of each. */
  static final Map<String, Integer> COHORT_MONTHS = Map.of("2025-01", 6, "2025-02", 5, "2025-03", 4);
  static final int SEGMENT_MONTHS = 4;
  static final int ALL_MONTHS = 6;

  private ReportStory() {}

  /** Writes every table of the night. */
  static void write(SparkSession spark, Warehouse w) {
    List<Object[]> segments = new ArrayList<>();
    List<Object[]> features = new ArrayList<>();
    List<Object[]> scores = new ArrayList<>();
    List<Object[]> economics = new ArrayList<>();
    for (Object[] a : ACCOUNTS) {
      String id = (String) a[0];
      int segment = (Integer) a[2];
      double mrr = (Double) a[6];
      segments.add(new Object[] {id, segment, SEGMENTS.get(segment), a[3], a[4], a[5], "play of " + a[5]});
      features.add(new Object[] {id, mrr});
      double p = 1.0 - (Double) a[3] / 100.0;
      scores.add(new Object[] {id, p, p >= 0.5 ? "high" : "low", false, mrr, p * mrr, "m-2026-03-01"});
      // a05 and a07 cost more than they pay (by 200 and 400); a05 and a06 share logins (gaps 7 and 4).
      double cost = id.equals("a05") ? 900.0 : id.equals("a07") ? 700.0 : mrr / 4;
      boolean share = id.equals("a05") || id.equals("a06");
      int seats = id.equals("a05") ? 5 : 10;
      int gap = id.equals("a05") ? 7 : id.equals("a06") ? 4 : 0;
      economics.add(new Object[] {id, a[1], SEGMENTS.get(segment), mrr, cost, mrr * 0.8 - cost, cost > mrr, seats,
          (long) (seats + gap), share ? (seats + gap) / (double) seats : 1.0, gap, share, p, mrr * 12 * (1 - p)});
    }
    write(spark, w, "customer_segments", CustomerSegments.SCHEMA, "account_id, segment_id, segment_name, health, "
        + "temperature, quadrant, play", segments);
    write(spark, w, "customer_features", CustomerFeatures.SCHEMA, "account_id, mrr", features);
    write(spark, w, "churn_scores", ChurnScores.SCHEMA, "account_id, churn_probability, risk_tier, lapsed, mrr, "
        + "mrr_at_risk, model_version", scores);
    write(spark, w, LifecycleSchemas.ACCOUNT_ECONOMICS, LifecycleSchemas.ACCOUNT, "account_id, account_name, "
        + "segment_name, mrr, cost_to_serve_monthly, monthly_margin, cost_exceeds_revenue, seats, active_users_28d, "
        + "people_per_login, seat_gap, offer_more_seats, churn_probability, expected_remaining_ltv", economics);

    write(spark, w, "segment_profiles", SegmentProfiles.SCHEMA, "segment_id, segment_name, status, accounts, share, "
        + "mrr, arpa, churn_rate, avg_health, avg_temperature, quadrant, evidence, play", List.of(
        new Object[] {1, SEGMENTS.get(1), "kept", 4L, 0.4, 4000.0, 1000.0, 0.05, 75.0, 78.75, "Red Carpet",
            "high features_used_28d", "Invite to betas"},
        new Object[] {2, SEGMENTS.get(2), "kept", 3L, 0.3, 1500.0, 500.0, 0.12, 67.3, 30.0, "Free Riders",
            "high seat_utilisation", "Sell seats"},
        new Object[] {3, SEGMENTS.get(3), "new", 3L, 0.3, 600.0, 200.0, 0.30, 20.0, 44.0, "Sleeping",
            "low active_days_28d", "Re-onboard"},
        new Object[] {4, SEGMENTS.get(4), "vanished", 0L, 0.0, 0.0, null, null, null, null, null, "gone", "-"}));

    write(spark, w, "churn_risk_list", RiskList.SCHEMA, "rank, account_id, account_name, csm_owner, churn_probability, "
        + "risk_tier, lapsed, mrr, mrr_at_risk, top_reasons, segment_name, quadrant, play", List.of(
        risk(1, "a10"), risk(2, "a09"), risk(3, "a08"), risk(4, "a07"), risk(5, "a05")));

    write(spark, w, "health_extremes", HealthExtremes.SCHEMA, "end, rank, account_id, health, temperature, quadrant, "
        + "segment_id, segment_name, mrr", List.of(extreme("top", 1, 0), extreme("top", 2, 1), extreme("top", 3, 4),
        extreme("bottom", 1, 9), extreme("bottom", 2, 8), extreme("bottom", 3, 7)));

    write(spark, w, "indicator_relevance", IndicatorRelevance.SCHEMA, "indicator, kind, examples, missing_share, auc, "
        + "direction, top_bottom_lift, information_value, p_adjusted, verdict", List.of(
        new Object[] {"active_days_28d", "numeric", 5000L, 0.0, 0.31, "lower", 4.2, 0.45, 0.0001, "predictive"},
        new Object[] {"days_since_last_activity", "numeric", 5000L, 0.0, 0.68, "higher", 3.1, 0.30, 0.0001,
            "predictive"},
        new Object[] {"tickets_90d", "numeric", 5000L, 0.1, 0.58, "higher", 1.6, 0.08, 0.02, "weak"},
        new Object[] {"industry", "category", 5000L, 0.0, 0.52, "-", 1.2, 0.01, 0.9, "noise"},
        new Object[] {"employee_count", "numeric", 4000L, 0.2, 0.50, "higher", null, null, 1.0, "noise"}));

    write(spark, w, "drift", IndicatorDrift.SCHEMA, "indicator, previous_run_date, psi, flagged, mean_before, mean_now, "
        + "missing_before, missing_now", List.of(
        new Object[] {"active_days_28d", Date.valueOf("2026-02-01"), 0.31, true, 12.0, 9.5, 0.0, 0.0},
        new Object[] {"tickets_90d", Date.valueOf("2026-02-01"), 0.04, false, 1.1, 1.2, 0.0, 0.0},
        new Object[] {"last_nps", Date.valueOf("2026-02-01"), 0.02, false, 7.1, 7.0, 0.4, 0.4}));

    write(spark, w, "dq_quarantine", Quarantine.SCHEMA, "source, rule, action, source_column, reason, raw", List.of(
        new Object[] {"accounts", "missing_required", Quarantine.ROW_REJECTED, "signup_date", "no signup date", "{}"},
        new Object[] {"accounts", "duplicate_key", Quarantine.ROW_REJECTED, "account_id", "twice", "{}"},
        new Object[] {"subscriptions", "invalid_value", "value_nulled", "plan", "unknown plan", "{}"}));
    // Three usage events rejected before the run date; one dated after it is not this night's.
    List<Object[]> usage = new ArrayList<>();
    for (String day : List.of("2026-02-27", "2026-02-27", "2026-02-28", "2026-03-02")) {
      usage.add(new Object[] {"usage_events", "duplicate_key", Quarantine.ROW_REJECTED, "event_id", "twice", "{}",
          Date.valueOf(day)});
    }
    w.replacePartitions(UsageRollupStage.QUARANTINE, partial(spark, UsageRollupStage.QUARANTINE_SCHEMA,
        "source, rule, action, source_column, reason, raw, event_date", usage), UsageRollupStage.QUARANTINE_SCHEMA,
        "event_date", List.of(LocalDate.parse("2026-02-27"), LocalDate.parse("2026-02-28"),
            LocalDate.parse("2026-03-02")));
    // One event without a usable date: it belongs to no night but is shown with every night's rejects.
    w.replaceNullPartition(UsageRollupStage.QUARANTINE, partial(spark, UsageRollupStage.QUARANTINE_SCHEMA,
        "source, rule, action, source_column, reason, raw", List.<Object[]>of(new Object[] {"usage_events",
            "unparseable_date", Quarantine.ROW_REJECTED, "timestamp", "not a date", "{}"})),
        UsageRollupStage.QUARANTINE_SCHEMA, "event_date");

    write(spark, w, "run_manifest", RunManifest.SCHEMA, "stage, subject, status, rows_in, rows_out, seconds, message",
        List.of(new Object[] {"validate", "accounts", "warning", 12L, 10L, 1.5, "missing_required in signup_date: 1 rows"},
            new Object[] {"validate", "subscriptions", "ok", 20L, 20L, 1.5, null},
            new Object[] {"rollup", "usage_events", "warning", 5000L, 4997L, 3.0, "3 rejected"},
            new Object[] {"features", "customer_features", "ok", null, 10L, 4.0, null},
            new Object[] {"train", "model_evaluations", "ok", 5200L, 1L, 30.0, "gbt"},
            new Object[] {"segments", "customer_segments", "ok", 10L, 10L, 6.0, "3 segments"},
            new Object[] {"score", "churn_scores", "ok", 10L, 10L, 2.0, null},
            new Object[] {"risk_list", "churn_risk_list", "ok", 10L, 5L, 1.0, null}));

    writeEvaluations(spark, w);
    writeRetention(spark, w);
    writeUnitEconomics(spark, w);
  }

  /**
   * The chosen candidate's pooled backtest (AUC 0.81, a 10-point lift curve, a 6-bin calibration
   * curve), its calibrated backtest (a 5-bin curve, ECE 0.012, the one the report draws), the final
   * model, and a candidate that lost (other curves, never drawn).
   */
  private static void writeEvaluations(SparkSession spark, Warehouse w) {
    String columns = "model_version, candidate, model_type, chosen, evaluation, test_from, test_to, train_examples, "
        + "test_examples, churn_rate, roc_auc, pr_auc, brier, ece, top_decile_lift, top_decile_recall, calibration, "
        + "calibration_curve, lift_curve";
    Date from = Date.valueOf("2025-09-01");
    Date to = Date.valueOf("2025-12-01");
    w.write("model_evaluations", partial(spark, ModelEvaluations.SCHEMA, columns, List.of(
        new Object[] {"m-2026-03-01", "gbt(depth 3)", "gradient-boosted-trees", true, "pooled", from, to, null, 4000L,
            0.1, 0.81, 0.42, 0.08, 0.03, 3.1, 0.31, null, bins(6), lift(3.1)},
        new Object[] {"m-2026-03-01", "gbt(depth 3)", "gradient-boosted-trees", true, "calibrated", from, to, null,
            4000L, 0.1, 0.81, 0.42, 0.07, 0.012, 3.1, 0.31, null, bins(5), lift(3.1)},
        new Object[] {"m-2026-03-01", "gbt(depth 3)", "gradient-boosted-trees", true, "final", null, null, 5200L, null,
            null, null, null, null, null, null, null, "isotonic on the backtest", null, null},
        new Object[] {"m-2026-03-01", "logistic(l2 0.1)", "logistic-regression", false, "pooled", from, to, null, 4000L,
            0.1, 0.74, 0.30, 0.09, 0.05, 2.2, 0.22, null, bins(3), lift(2.2)})),
        ModelEvaluations.SCHEMA, RUN);
  }

  private static List<Row> bins(int n) {
    List<Row> out = new ArrayList<>();
    for (int b = 0; b < n; b++) {
      out.add(RowFactory.create(b, 100L * (n - b), (b + 0.5) / 10, (b + 0.4) / 10));
    }
    return out;
  }

  /** A lift curve falling from {@code top} at the riskiest 10 % to 1 for everyone, 400 churners in 4000. */
  private static List<Row> lift(double top) {
    List<Row> out = new ArrayList<>();
    for (int d = 1; d <= 10; d++) {
      double lift = 1 + (top - 1) * (10 - d) / 9.0;
      double recall = Math.min(1.0, lift * d / 10);
      out.add(RowFactory.create(d, 400L * d, 400 * recall, lift, recall));
    }
    return out;
  }

  /** Retention by month: every account, three cohorts (one month unobserved), three segments. */
  private static void writeRetention(SparkSession spark, Warehouse w) {
    List<Object[]> rows = new ArrayList<>();
    for (int m = 0; m < ALL_MONTHS; m++) {
      rows.add(retention("all", "all", m, 100L, 0.0));
    }
    COHORT_MONTHS.forEach((cohort, months) -> {
      for (int m = 0; m < months; m++) {
        rows.add(retention("cohort", cohort, m, 30L, 0.01 * Character.getNumericValue(cohort.charAt(6))));
      }
      // Too young to be observed a month later: no account counts, and nothing is drawn.
      rows.add(retention("cohort", cohort, months, 0L, 0.0));
    });
    for (int s = 1; s <= 3; s++) {
      for (int m = 0; m < SEGMENT_MONTHS; m++) {
        rows.add(retention("segment", SEGMENTS.get(s), m, 20L, 0.02 * s));
      }
    }
    write(spark, w, LifecycleSchemas.RETENTION_CURVES, LifecycleSchemas.RETENTION, "dimension, group_value, "
        + "month_number, accounts_observed, accounts_retained, logo_retention, start_mrr, gross_revenue_retention, "
        + "net_revenue_retention", rows);
  }

  private static Object[] retention(String dimension, String group, int month, long observed, double extraLoss) {
    double logo = Math.max(0, 1 - (0.04 + extraLoss) * month);
    return new Object[] {dimension, group, month, observed, Math.round(observed * logo), observed == 0 ? null : logo,
        observed * 100.0, observed == 0 ? null : logo * 0.98, observed == 0 ? null : logo * 1.05};
  }

  /** Unit economics from ARPA, margin, churn and CAC: LTV = ARPA × margin / churn, LTV / CAC, payback. */
  private static void writeUnitEconomics(SparkSession spark, Warehouse w) {
    Object[][] groups = {
        {"all", "all", 10L, 610.0, 0.8, 0.03, 900.0},
        {"channel", "organic", 4L, 800.0, 0.8, 0.02, 600.0},
        {"channel", "paid_search", 4L, 500.0, 0.8, 0.04, 2000.0},
        {"channel", "partner", 2L, 450.0, 0.8, 0.03, 1000.0},
        {"segment", SEGMENTS.get(1), 4L, 1000.0, 0.8, 0.01, 1500.0},
        {"segment", SEGMENTS.get(2), 3L, 500.0, 0.8, 0.03, 1200.0},
        {"segment", SEGMENTS.get(3), 3L, 200.0, 0.8, 0.08, 900.0},
    };
    List<Object[]> rows = new ArrayList<>();
    for (Object[] g : groups) {
      double arpa = (Double) g[3];
      double margin = (Double) g[4];
      double churn = (Double) g[5];
      double cac = (Double) g[6];
      double ltv = arpa * margin / churn;
      rows.add(new Object[] {g[0], g[1], g[2], arpa, margin, churn, 1 / churn, ltv, cac, ltv / cac,
          cac / (arpa * margin), 1.5, 1.5 * arpa / churn});
    }
    write(spark, w, LifecycleSchemas.UNIT_ECONOMICS, LifecycleSchemas.UNIT, "dimension, group_value, active_accounts, "
        + "arpa, gross_margin, monthly_churn_rate, lifetime_months, ltv, cac, ltv_to_cac, payback_months, "
        + "new_accounts_per_month, revenue_ceiling", rows);
  }

  private static Object[] risk(long rank, String id) {
    Object[] a = Arrays.stream(ACCOUNTS).filter(r -> r[0].equals(id)).findFirst().orElseThrow();
    double p = 1.0 - (Double) a[3] / 100.0;
    double mrr = (Double) a[6];
    return new Object[] {rank, id, a[1], "csm-" + rank, p, p >= 0.5 ? "high" : "medium", false, mrr, p * mrr,
        "usage is fading; renewal in 21 days", SEGMENTS.get((Integer) a[2]), a[5], "Book a use-case review"};
  }

  private static Object[] extreme(String end, int rank, int account) {
    Object[] a = ACCOUNTS[account];
    return new Object[] {end, rank, a[0], a[3], a[4], a[5], a[2], SEGMENTS.get((Integer) a[2]), a[6]};
  }

  static void write(SparkSession spark, Warehouse w, String table, StructType schema, String columns,
      List<Object[]> rows) {
    w.write(table, partial(spark, schema, columns, rows), schema, RUN);
  }

  /** A frame in {@code schema} holding {@code rows} in the listed columns and null in every other. */
  static Dataset<Row> partial(SparkSession spark, StructType schema, String columns, List<Object[]> rows) {
    List<String> names = List.of(columns.split(",\\s*"));
    StructType given = new StructType(names.stream().map(n -> nullable(schema.apply(n))).toArray(StructField[]::new));
    Dataset<Row> df = spark.createDataFrame(rows.stream().map(RowFactory::create).toList(), given);
    return df.select(Arrays.stream(schema.fields()).map(f -> names.contains(f.name()) ? col(f.name())
        : lit(null).cast(f.dataType()).as(f.name())).toArray(Column[]::new));
  }

  private static StructField nullable(StructField f) {
    return new StructField(f.name(), f.dataType(), true, f.metadata());
  }
}
