package io.churnducks.jobs.nightly;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.indicators.CustomerFeatures;
import io.churnducks.features.indicators.IndicatorSettings;
import io.churnducks.features.indicators.UsageHistory;
import io.churnducks.features.indicators.UsageRollup;
import io.churnducks.features.labels.AsOfCalendar;
import io.churnducks.features.labels.ChurnLabeler;
import io.churnducks.features.labels.SubscriptionTimeline;
import io.churnducks.features.relevance.FeatureRetention;
import io.churnducks.features.relevance.IndicatorDrift;
import io.churnducks.features.relevance.IndicatorRelevance;
import io.churnducks.features.relevance.IndustryFocus;
import io.churnducks.features.validation.ContractException;
import io.churnducks.jobs.config.SourceSettings;
import io.churnducks.jobs.io.Warehouse;
import io.churnducks.jobs.rollup.RollupLog;
import io.churnducks.jobs.rollup.UsageRollupStage;
import io.churnducks.jobs.rollup.UsageSnapshots;
import io.churnducks.models.churn.ChurnModelSettings;
import io.churnducks.models.groups.BehaviouralGroups;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.churnducks.jobs.nightly.Night.EXAMPLES;
import static io.churnducks.jobs.nightly.Night.KEY_FEATURES;
import static io.churnducks.jobs.nightly.Night.LOG;
import static io.churnducks.jobs.nightly.Night.USAGE;
import static io.churnducks.jobs.nightly.Night.populated;
import static io.churnducks.jobs.nightly.Night.secondsSince;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

/**
 * Features: key features ({@code feature_retention}), {@code customer_features}, {@code drift}, the
 * labelled training examples, indicator relevance and industry focus.
 */
final class FeaturesStage implements NightStage {

  private static final org.apache.spark.sql.types.StructType KEY_FEATURES_SCHEMA = new org.apache.spark.sql.types.StructType()
      .add("key_features", org.apache.spark.sql.types.DataTypes.createArrayType(
          org.apache.spark.sql.types.DataTypes.StringType, false), false)
      .add("activation_uses", org.apache.spark.sql.types.DataTypes.IntegerType, true);

  @Override
  public void run(Night night) {
    SparkSession spark = night.spark;
    LocalDate runDate = night.runDate;
    Warehouse warehouse = night.warehouse;
    Map<String, Dataset<Row>> tables = night.conformed();
    boolean usageConfigured = night.config.sources().containsKey(USAGE);
    if (usageConfigured) {
      night.indicators = keyFeatures(night, tables);
    }
    IndicatorSettings indicators = night.indicators;
    night.state.write(KEY_FEATURES, spark.createDataFrame(List.of(RowFactory.create(
        indicators.keyFeatures().toArray(new String[0]), indicators.activationUses())), KEY_FEATURES_SCHEMA));
    long t = System.nanoTime();
    Dataset<Row> subscriptions = tables.get(InputContract.SUBSCRIPTIONS.name());
    ChurnModelSettings ms = night.config.model();
    List<LocalDate> asOfDates = night.asOfDates();
    Optional<Dataset<Row>> usage = usageConfigured ? Optional.of(usageIndicators(night, tables, asOfDates))
        : Optional.empty();
    Dataset<Row> spine = SubscriptionTimeline.scoringSpine(subscriptions, runDate, ms.graceDays());
    CustomerFeatures.Result computed = CustomerFeatures.compute(spine, tables, usage, indicators);
    computed.disabled().forEach((source, disabled) -> LOG.warn(
        "Source {} is not configured: indicators {} are left empty", source, disabled));
    night.out.disabled = computed.disabled();
    warehouse.write("customer_features", computed.features(), CustomerFeatures.SCHEMA, runDate);
    Dataset<Row> features = night.keep(warehouse.read("customer_features", runDate).drop(Warehouse.RUN_DATE));
    long active = features.count();
    if (active == 0) {
      throw new ContractException("Cannot score " + runDate + ": no account is active on that day "
          + "(check the run date against the subscriptions' start and end dates)");
    }
    night.manifest.record("features", "customer_features", "ok", null, active, secondsSince(t),
        computed.disabled().isEmpty() ? null : "disabled: " + computed.disabled());
    drift(night, features);

    t = System.nanoTime();
    Dataset<Row> labels = ChurnLabeler.label(subscriptions, AsOfCalendar.frame(spark, asOfDates), runDate,
        ms.horizonDays(), ms.graceDays()).where(col("censored").equalTo(false));
    night.state.write(EXAMPLES, CustomerFeatures.compute(labels.select("account_id", "as_of_date"), tables, usage,
        indicators).features().join(labels.select("account_id", "as_of_date", "churned"),
        new String[] {"account_id", "as_of_date"}));
    Dataset<Row> examples = night.examples();
    Row labelStats = examples.agg(count(lit(1)), count(when(col("churned"), 1))).first();
    long exampleCount = labelStats.getLong(0);
    long churners = labelStats.getLong(1);
    night.manifest.record("features", "training_examples", "ok", null, exampleCount, secondsSince(t), churners
        + " churners on as-of dates " + asOfDates.get(0) + ".." + asOfDates.get(asOfDates.size() - 1));
    if (churners == 0 || churners == exampleCount) {
      throw new ContractException("Cannot train the churn model for " + runDate + ": " + exampleCount
          + " labelled examples on as-of dates " + asOfDates.get(0) + ".." + asOfDates.get(asOfDates.size() - 1)
          + ", " + churners + " of them churned (the model needs both churners and stayers: run on a later date "
          + "or lower model.training-months)");
    }
    List<String> numeric = populated(populated(CustomerFeatures.numericIndicators(), features), examples);
    judgeIndicators(night, examples, numeric, asOfDates, ms.horizonDays());
  }

  /**
   * Compares tonight's indicators with the previous run's ({@code drift}); the first run has
   * nothing to compare with and writes no drift rows.
   */
  private static void drift(Night night, Dataset<Row> features) {
    LocalDate runDate = night.runDate;
    Warehouse warehouse = night.warehouse;
    long t = System.nanoTime();
    Optional<LocalDate> previous = warehouse.runDates("customer_features").stream().filter(d -> d.isBefore(runDate))
        .reduce((a, b) -> b);
    if (previous.isEmpty()) {
      night.manifest.record("features", "drift", "skipped", null, 0L, secondsSince(t),
          "no earlier run to compare with");
      return;
    }
    List<String> numeric = CustomerFeatures.numericIndicators();
    warehouse.write("drift", IndicatorDrift.compute(night.spark, warehouse.read("customer_features", previous.get()),
        features, numeric, previous.get(), night.config.driftThreshold()), IndicatorDrift.SCHEMA, runDate);
    List<String> flagged = warehouse.read("drift", runDate).where(col("flagged")).orderBy(col("psi").desc())
        .select("indicator").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    if (!flagged.isEmpty()) {
      LOG.warn("Indicators that moved since {} (PSI > {}): {}", previous.get(), night.config.driftThreshold(),
          flagged);
    }
    night.manifest.record("features", "drift", flagged.isEmpty() ? "ok" : "warning", (long) numeric.size(),
        (long) numeric.size(), secondsSince(t), flagged.isEmpty() ? "compared with " + previous.get()
            : "moved since " + previous.get() + ": " + flagged);
  }

  /**
   * Measures how early use of each feature goes with retention ({@code feature_retention}) and
   * returns the run's indicator settings: the configured key features, or when none is configured
   * the key features found.
   */
  static IndicatorSettings keyFeatures(Night night, Map<String, Dataset<Row>> tables) {
    long t = System.nanoTime();
    ChurnModelSettings ms = night.config.model();
    IndicatorSettings configured = night.config.indicators();
    FeatureRetention.Result r = FeatureRetention.compute(night.spark,
        night.warehouse.readAll(UsageRollupStage.FEATURE_DAYS, UsageRollup.FEATURE_DAYS_SCHEMA),
        tables.get(InputContract.ACCOUNTS.name()),
        ChurnLabeler.churnEvents(tables.get(InputContract.SUBSCRIPTIONS.name()), night.runDate, ms.graceDays()),
        configured.nonUsageFeatures(), night.runDate,
        new FeatureRetention.Settings(UsageHistory.ONBOARDING_DAYS, night.config.retentionDays(), ms.graceDays()),
        configured.keyFeatures());
    night.warehouse.write("feature_retention", r.table(), FeatureRetention.SCHEMA, night.runDate);
    IndicatorSettings out = configured.withKeyFeatures(
        configured.keyFeatures().isEmpty() ? r.keyFeatures() : configured.keyFeatures(), r.keyThreshold());
    String found = r.keyFeatures().isEmpty() ? "none stands out" : r.keyFeatures() + " (together best from "
        + r.keyThreshold() + " uses in the first " + UsageHistory.ONBOARDING_DAYS + " days)";
    LOG.info("High-retention features: {}; key features used: {}", found,
        out.keyFeatures().isEmpty() ? "every product feature" : out.keyFeatures());
    night.manifest.record("relevance", "feature_retention", "ok", null, (long) r.keyFeatures().size(),
        secondsSince(t), "key features found: " + found + "; used: " + out.keyFeatures());
    return out;
  }

  /**
   * Judges every indicator on the labelled examples ({@code indicator_relevance}) and decides which
   * industries churn differently ({@code industry_focus}, on as-of dates a horizon apart).
   */
  private static IndustryFocus.Decision judgeIndicators(Night night, Dataset<Row> examples, List<String> numeric,
      List<LocalDate> asOfDates, int horizonDays) {
    SparkSession spark = night.spark;
    Warehouse warehouse = night.warehouse;
    long t = System.nanoTime();
    List<LocalDate> spaced = IndustryFocus.spacedDates(asOfDates, horizonDays);
    IndustryFocus.Decision focus = IndustryFocus.decide(spark, examples.where(col("as_of_date")
        .isin(spaced.stream().map(java.sql.Date::valueOf).toArray())));
    warehouse.write("industry_focus", focus.table(), IndustryFocus.SCHEMA, night.runDate);
    Map<String, String> groups = BehaviouralGroups.of(examples, numeric);
    Dataset<Row> relevance = IndicatorRelevance.compute(spark, examples, numeric,
        CustomerFeatures.categoricalIndicators(), groups);
    warehouse.write("indicator_relevance", relevance, IndicatorRelevance.SCHEMA, night.runDate);
    Map<String, Long> verdicts = new java.util.TreeMap<>();
    for (Row r : warehouse.read("indicator_relevance", night.runDate).groupBy("verdict").count().collectAsList()) {
      verdicts.put(r.getString(0), r.getLong(1));
    }
    LOG.info("Indicators judged on the training examples: {}; {} behavioural groups; industries kept: {}", verdicts,
        new java.util.HashSet<>(groups.values()).size(),
        focus.kept().isEmpty() ? "none (all folded into other)" : focus.kept());
    night.manifest.record("relevance", "indicator_relevance", "ok", null,
        verdicts.values().stream().mapToLong(v -> v).sum(), secondsSince(t), verdicts + "; industries kept: "
            + focus.kept());
    return focus;
  }

  /**
   * Usage indicators of every account on the training month-starts and tonight, from the stored
   * roll-ups: stored values where still valid, only the missing dates computed.
   */
  private static Dataset<Row> usageIndicators(Night night, Map<String, Dataset<Row>> tables,
      List<LocalDate> monthStarts) {
    return usageIndicators(night, tables, monthStarts, true);
  }

  static Dataset<Row> usageIndicators(Night night, Map<String, Dataset<Row>> tables, List<LocalDate> monthStarts,
      boolean withRunDate) {
    SourceSettings source = night.config.sources().get(USAGE);
    UsageRollupStage.Settings rs = night.config.rollup();
    UsageSnapshots snapshots = new UsageSnapshots(night.spark, night.warehouse,
        UsageSnapshots.fingerprint(night.indicators, UsageRollupStage.fingerprint(source, rs)));
    List<LocalDate> dates = new ArrayList<>(monthStarts);
    if (withRunDate) {
      dates.add(night.runDate);
    }
    long t = System.nanoTime();
    UsageSnapshots.Ensured ensured = snapshots.ensure(dates, tables.get(InputContract.ACCOUNTS.name()),
        night.warehouse.readAll(UsageRollupStage.FEATURE_DAYS, UsageRollup.FEATURE_DAYS_SCHEMA),
        night.warehouse.readAll(UsageRollupStage.USER_DAYS, UsageRollup.USER_DAYS_SCHEMA),
        night.indicators, RollupLog.read(night.warehouse, night.spark), night.runDate);
    double computeSeconds = secondsSince(t);
    long read = System.nanoTime();
    Dataset<Row> usage = night.keep(ensured.values());
    long rows = usage.count();
    // The stage's time is what computing and storing the missing dates took; reading the stored
    // dates back for the examples is noted apart.
    night.manifest.record("features", "usage_indicators", "ok", null, rows, computeSeconds,
        String.format(java.util.Locale.ROOT, "usage indicators of every account on %d as-of dates: %d computed "
            + "from the roll-ups (usage windows %s), %d stored; all read back in %.1fs", dates.size(),
            ensured.computed().size(), ensured.advancedFrom().map(d -> "advanced from " + d).orElse("built"),
            dates.size() - ensured.computed().size(), secondsSince(read)));
    return usage;
  }
}
