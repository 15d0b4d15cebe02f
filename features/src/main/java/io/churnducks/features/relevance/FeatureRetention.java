package io.churnducks.features.relevance;

import io.churnducks.features.contract.Schemas;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * High-retention ("aha") features: for each product feature, how well accounts that used it in
 * their first {@link Settings#earlyDays} days were retained against those that did not, and the
 * early usage that best separates retained from churned accounts. The {@code feature_retention}
 * table.
 *
 * <p>The cohort is every account whose outcome is known: signed up at least early days +
 * retention days + grace days before the run date. An account is <em>retained</em> when no churn
 * event falls in (signup, signup + early days + retention days]. Retention rates carry Wilson 95 %
 * intervals; adopters against non-adopters is a two-proportion z-test, Holm-corrected over the
 * features. The best threshold t is the one that maximises Youden's J = P(uses ≥ t | retained) −
 * P(uses ≥ t | churned).
 *
 * <p>Accounts that use the product more use more features, so a plain adopter-vs-non-adopter
 * comparison credits every feature with engagement. The comparison that picks key features is
 * therefore made within engagement strata (quintiles of all early product events), weighted as in
 * the Mantel–Haenszel risk difference ({@code adjusted_lift}), and tested by the
 * Cochran–Mantel–Haenszel statistic. The <em>key features</em> are chosen from those adopted by
 * 2–98 % of the cohort by forward selection ({@link #keyFeatures}); their combined early use gets a
 * row and a threshold of its own. They are what {@code key_feature_*}
 * indicators measure when no key features are configured. Configured key features are not
 * searched for: they get their row, the combined one and its threshold.
 */
public final class FeatureRetention {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FeatureRetention.class);

  private FeatureRetention() {}

  /** Family-wise significance level of a key feature. */
  public static final double ALPHA = 0.05;
  /** Most key features chosen from the data. */
  public static final int MAX_KEY_FEATURES = 3;
  /** Early uses above this are counted as this many when searching the threshold. */
  static final int MAX_THRESHOLD = 100;

  /**
   * @param earlyDays     onboarding window: uses in days [signup, signup + earlyDays) count
   * @param retentionDays days after the onboarding window over which retention is measured
   * @param graceDays     the churn definition's grace period (an outcome is known that long after)
   */
  public record Settings(int earlyDays, int retentionDays, int graceDays) {}

  /** The declared schema of {@code feature_retention} (without the {@code run_date} partition). */
  public static final StructType SCHEMA = new StructType(new StructField[] {
      Schemas.field("feature", StringType, false, "Product feature, or 'key features: a + b' for the key features "
          + "together."),
      Schemas.field("adopters", LongType, false, "Cohort accounts that used it in their first days."),
      Schemas.field("non_adopters", LongType, false, "Cohort accounts that did not."),
      Schemas.field("adopter_retention", DoubleType, true, "Share of adopters retained."),
      Schemas.field("adopter_ci_low", DoubleType, true, "Wilson 95% interval of adopter_retention, low end."),
      Schemas.field("adopter_ci_high", DoubleType, true, "Wilson 95% interval of adopter_retention, high end."),
      Schemas.field("non_adopter_retention", DoubleType, true, "Share of non-adopters retained."),
      Schemas.field("non_adopter_ci_low", DoubleType, true, "Wilson 95% interval of non_adopter_retention, low end."),
      Schemas.field("non_adopter_ci_high", DoubleType, true, "Wilson 95% interval of non_adopter_retention, high end."),
      Schemas.field("retention_lift", DoubleType, true, "adopter_retention - non_adopter_retention."),
      Schemas.field("adjusted_lift", DoubleType, true, "Retention lift within strata of equally active accounts "
          + "(quintiles of early product events), Mantel-Haenszel weighted."),
      Schemas.field("p_value", DoubleType, true, "Two-sided p-value of no lift within the strata "
          + "(Cochran-Mantel-Haenszel)."),
      Schemas.field("p_adjusted", DoubleType, true, "Holm-adjusted p_value over the features."),
      Schemas.field("best_threshold", IntegerType, true, "Early uses (first days) that best separate retained from "
          + "churned accounts (maximum of Youden's J)."),
      Schemas.field("threshold_youden", DoubleType, true, "Youden's J at best_threshold."),
      Schemas.field("key", BooleanType, false, "A key (high-retention) feature, or the key features' row.")});

  /** The table and the key features it found (empty when none stands out). */
  public record Result(Dataset<Row> table, List<String> keyFeatures, Integer keyThreshold) {}

  /**
   * @param featureDays  account × day × feature roll-up ({@code account_id, event_date, feature, events})
   * @param accounts     {@code account_id, signup_date}
   * @param churnEvents  {@code account_id, churn_date} ({@code ChurnLabeler.churnEvents} as of the run date)
   * @param nonUsage     feature values that are not product usage (intent, error events)
   * @param configured   key features set by the user: measured (their combined threshold) instead of searched
   */
  public static Result compute(SparkSession spark, Dataset<Row> featureDays, Dataset<Row> accounts,
      Dataset<Row> churnEvents, List<String> nonUsage, LocalDate runDate, Settings s, List<String> configured) {
    LocalDate lastSignup = runDate.minusDays((long) s.earlyDays() + s.retentionDays() + s.graceDays() + 1);
    Dataset<Row> cohort = accounts.where(col("signup_date").leq(lit(Date.valueOf(lastSignup))))
        .select("account_id", "signup_date");
    Column outcomeEnd = date_add(col("signup_date"), s.earlyDays() + s.retentionDays());
    Dataset<Row> churned = cohort.join(churnEvents, "account_id")
        .where(col("churn_date").gt(col("signup_date")).and(col("churn_date").leq(outcomeEnd)))
        .select("account_id").distinct().withColumn("_churned", lit(1));
    Dataset<Row> outcomes = cohort.join(churned, new String[] {"account_id"}, "left")
        .select(col("account_id"), col("signup_date"), when(col("_churned").isNull(), 1L).otherwise(0L).as("retained"))
        .cache();
    Dataset<Row> usage = featureDays.where(col("feature").isin(nonUsage.toArray()).unary_$bang()
        .and(col("event_date").leq(lit(Date.valueOf(lastSignup.plusDays(s.earlyDays()))))));
    Dataset<Row> early = usage.join(outcomes, "account_id")
        .where(col("event_date").geq(col("signup_date"))
            .and(col("event_date").lt(date_add(col("signup_date"), s.earlyDays()))))
        .groupBy("account_id", "feature").agg(sum("events").as("uses"), max("retained").as("retained"))
        .cache();

    // Engagement strata: quintiles of each cohort account's early product events (0 without any).
    Dataset<Row> activity = outcomes.join(early.groupBy("account_id").agg(sum("uses").as("_all")),
        new String[] {"account_id"}, "left").select(col("account_id"), col("retained"),
        coalesce(col("_all"), lit(0L)).cast("double").as("_all"));
    Row edges = activity.agg(expr("array_sort(array_distinct(percentile_approx(_all, array(0.2, 0.4, 0.6, 0.8), "
        + "1000)))")).first();
    Dataset<Row> strata = activity.withColumn("stratum",
        expr("size(filter(array(" + joined(edges.isNullAt(0) ? List.of() : edges.getList(0)) + "), e -> e < _all))"))
        .select("account_id", "retained", "stratum").cache();
    Stratified engagement = stratified(strata, early);

    Row totals = outcomes.agg(count(lit(1)), sum("retained")).first();
    long cohortSize = totals.getLong(0);
    long retainedTotal = totals.isNullAt(1) ? 0 : totals.getLong(1);
    // Per feature and number of early uses (capped): retained and churned adopters. Small.
    Map<String, TreeMap<Integer, long[]>> perFeature = new TreeMap<>();
    for (Row r : early.groupBy(col("feature"), least(col("uses"), lit((long) MAX_THRESHOLD)).cast("int").as("x"))
        .agg(sum("retained"), count(lit(1))).collectAsList()) {
      perFeature.computeIfAbsent(r.getString(0), k -> new TreeMap<>())
          .put(r.getInt(1), new long[] {r.getLong(2), r.getLong(3) - r.getLong(2)});
    }
    List<Object[]> rows = new ArrayList<>();
    perFeature.forEach((feature, byUses) -> rows.add(row(feature, byUses, cohortSize, retainedTotal,
        cmh(engagement.adopters().getOrDefault(feature, Map.of()), engagement.totals()))));
    holm(rows, P, P_ADJUSTED);
    List<String> keys = configured.isEmpty() ? keyFeatures(rows, cohortSize, strata, early, engagement)
        : configured.stream().sorted().toList();
    rows.stream().filter(r -> keys.contains((String) r[0])).forEach(r -> r[KEY] = true);
    strata.unpersist();
    Integer keyThreshold = null;
    if (!keys.isEmpty()) {
      TreeMap<Integer, long[]> combined = new TreeMap<>();
      for (Row r : early.where(col("feature").isin(keys.toArray())).groupBy("account_id")
          .agg(sum("uses").as("uses"), max("retained").as("retained"))
          .groupBy(least(col("uses"), lit((long) MAX_THRESHOLD)).cast("int").as("x"))
          .agg(sum("retained"), count(lit(1))).collectAsList()) {
        combined.put(r.getInt(0), new long[] {r.getLong(1), r.getLong(2) - r.getLong(1)});
      }
      Object[] keyRow = row("key features: " + String.join(" + ", keys), combined, cohortSize, retainedTotal, null);
      keyRow[KEY] = true;
      keyThreshold = (Integer) keyRow[THRESHOLD];
      rows.add(keyRow);
    }
    early.unpersist();
    outcomes.unpersist();
    return new Result(spark.createDataFrame(rows.stream().map(RowFactory::create).toList(), SCHEMA), keys,
        keyThreshold);
  }

  private static final int ADJUSTED = 10;
  private static final int P = 11;
  private static final int P_ADJUSTED = 12;
  private static final int THRESHOLD = 13;
  private static final int KEY = 15;

  /** Per engagement stratum: all cohort accounts and, per feature, its adopters, each {accounts, retained}. */
  private record Stratified(Map<Integer, long[]> totals, Map<String, Map<Integer, long[]>> adopters) {}

  private static Stratified stratified(Dataset<Row> strata, Dataset<Row> early) {
    Map<Integer, long[]> totals = new TreeMap<>();
    for (Row r : strata.groupBy("stratum").agg(count(lit(1)), sum("retained")).collectAsList()) {
      totals.put(r.getInt(0), new long[] {r.getLong(1), r.getLong(2)});
    }
    Map<String, Map<Integer, long[]>> adopters = new TreeMap<>();
    for (Row r : early.select("account_id", "feature").join(strata, "account_id")
        .groupBy("feature", "stratum").agg(count(lit(1)), sum("retained")).collectAsList()) {
      adopters.computeIfAbsent(r.getString(0), k -> new TreeMap<>())
          .put(r.getInt(1), new long[] {r.getLong(2), r.getLong(3)});
    }
    return new Stratified(totals, adopters);
  }

  /**
   * Adopters against non-adopters within strata: the Mantel–Haenszel weighted retention difference
   * and the Cochran–Mantel–Haenszel p-value; null when no stratum holds both.
   */
  static double[] cmh(Map<Integer, long[]> adopters, Map<Integer, long[]> totals) {
    double weighted = 0;
    double weights = 0;
    double observedMinusExpected = 0;
    double variance = 0;
    for (Map.Entry<Integer, long[]> e : totals.entrySet()) {
      long[] adopted = adopters.getOrDefault(e.getKey(), new long[] {0, 0});
      double n = e.getValue()[0];
      double retained = e.getValue()[1];
      double na = adopted[0];
      double nn = n - na;
      if (na == 0 || nn == 0 || n < 2) {
        continue;
      }
      double w = na * nn / n;
      weighted += w * (adopted[1] / na - (retained - adopted[1]) / nn);
      weights += w;
      observedMinusExpected += adopted[1] - na * retained / n;
      variance += na * nn * retained * (n - retained) / (n * n * (n - 1));
    }
    if (weights == 0 || variance == 0) {
      return null;
    }
    return new double[] {weighted / weights,
        1 - new ChiSquaredDistribution(1).cumulativeProbability(observedMinusExpected * observedMinusExpected / variance)};
  }

  /**
   * One row of the table from the retained / churned adopters by number of early uses, and the
   * stratified comparison ({@link #cmh}; null: none).
   */
  private static Object[] row(String feature, TreeMap<Integer, long[]> byUses, long cohort, long retainedTotal,
      double[] stratifiedLift) {
    long adopters = byUses.values().stream().mapToLong(c -> c[0] + c[1]).sum();
    long adoptersRetained = byUses.values().stream().mapToLong(c -> c[0]).sum();
    long others = cohort - adopters;
    long othersRetained = retainedTotal - adoptersRetained;
    Double adjusted = stratifiedLift == null ? null : stratifiedLift[0];
    Double p = stratifiedLift == null ? null : stratifiedLift[1];
    Double[] a = wilson(adoptersRetained, adopters);
    Double[] o = wilson(othersRetained, others);
    // Youden's J of "uses >= t" for t = 1 .. the largest use count seen; non-adopters have 0 uses.
    long churnedTotal = cohort - retainedTotal;
    Integer best = null;
    double bestJ = Double.NEGATIVE_INFINITY;
    long retainedAtLeast = adoptersRetained;
    long churnedAtLeast = adopters - adoptersRetained;
    for (Map.Entry<Integer, long[]> e : byUses.entrySet()) {
      if (e.getKey() >= 1 && retainedTotal > 0 && churnedTotal > 0) {
        double j = (double) retainedAtLeast / retainedTotal - (double) churnedAtLeast / churnedTotal;
        if (j > bestJ) {
          bestJ = j;
          best = e.getKey();
        }
      }
      retainedAtLeast -= e.getValue()[0];
      churnedAtLeast -= e.getValue()[1];
    }
    Double lift = adopters > 0 && others > 0
        ? (double) adoptersRetained / adopters - (double) othersRetained / others : null;
    return new Object[] {feature, adopters, others, rate(adoptersRetained, adopters), a[0], a[1],
        rate(othersRetained, others), o[0], o[1], lift, adjusted, p, null, best, best == null ? null : bestJ, false};
  }

  /** Holm's adjustment ({@link MultipleTesting#holm}) of the p-values in column {@code from} into column {@code to}. */
  private static void holm(List<Object[]> rows, int from, int to) {
    List<Object[]> tested = rows.stream().filter(r -> r[from] != null).toList();
    double[] adjusted = MultipleTesting.holm(tested.stream().mapToDouble(r -> (Double) r[from]).toArray());
    for (int k = 0; k < adjusted.length; k++) {
      tested.get(k)[to] = adjusted[k];
    }
  }

  /**
   * Key features by forward selection: the feature with the largest significant lift among equally
   * engaged accounts, then, among accounts alike in engagement and in the features already chosen,
   * the next one, while one stays significant (Holm over the features left) and lifts retention at
   * least half as much as the first did, at most {@link #MAX_KEY_FEATURES}. A feature that only
   * stands in for one already chosen adds little and stops the selection.
   */
  private static List<String> keyFeatures(List<Object[]> rows, long cohort, Dataset<Row> strata, Dataset<Row> early,
      Stratified engagement) {
    List<String> eligible = rows.stream()
        .filter(r -> (long) r[1] >= 0.02 * cohort && (long) r[1] <= 0.98 * cohort).map(r -> (String) r[0]).toList();
    List<String> keys = new ArrayList<>();
    double firstLift = 0;
    Dataset<Row> current = strata;
    Stratified counts = engagement;
    while (keys.size() < MAX_KEY_FEATURES) {
      List<Object[]> tests = new ArrayList<>();
      for (String f : eligible) {
        double[] lift = keys.contains(f) ? null : cmh(counts.adopters().getOrDefault(f, Map.of()), counts.totals());
        if (lift != null) {
          tests.add(new Object[] {f, lift[0], lift[1], null});
        }
      }
      holm(tests, 2, 3);
      Object[] best = tests.stream().filter(t -> (Double) t[3] < ALPHA && (Double) t[1] > 0)
          .max(Comparator.comparingDouble(t -> (Double) t[1])).orElse(null);
      String given = keys.isEmpty() ? "engagement" : "engagement and " + keys;
      LOG.info("Key feature search, among accounts alike in {}: {}", given, tests.stream()
          .sorted(Comparator.comparingDouble(t -> -(Double) t[1])).limit(4)
          .map(t -> String.format(java.util.Locale.ROOT, "%s %+.3f (p %.2g)", t[0], (Double) t[1], (Double) t[3]))
          .toList());
      if (best == null || (!keys.isEmpty() && (Double) best[1] < firstLift / 2)) {
        break;
      }
      if (keys.isEmpty()) {
        firstLift = (Double) best[1];
      }
      String chosen = (String) best[0];
      keys.add(chosen);
      rows.stream().filter(r -> r[0].equals(chosen)).forEach(r -> r[KEY] = true);
      Dataset<Row> adopted = early.where(col("feature").equalTo(chosen)).select(col("account_id"), lit(1).as("_a"));
      current = current.join(adopted, new String[] {"account_id"}, "left")
          .select(col("account_id"), col("retained"),
              col("stratum").multiply(2).plus(coalesce(col("_a"), lit(0))).as("stratum"));
      counts = stratified(current, early);
    }
    return keys.stream().sorted().toList();
  }

  private static String joined(List<Object> values) {
    StringBuilder b = new StringBuilder();
    for (Object v : values) {
      b.append(b.length() > 0 ? ", " : "").append(((Number) v).doubleValue());
    }
    return b.length() == 0 ? "0.0" : b.toString();
  }

  private static Double rate(long part, long whole) {
    return whole == 0 ? null : (double) part / whole;
  }

  /** Wilson 95 % score interval of a proportion; nulls when there is no data. */
  static Double[] wilson(long successes, long n) {
    if (n == 0) {
      return new Double[] {null, null};
    }
    double z = 1.959963984540054;
    double p = (double) successes / n;
    double denominator = 1 + z * z / n;
    double centre = (p + z * z / (2 * n)) / denominator;
    double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denominator;
    return new Double[] {centre - half, centre + half};
  }
}
