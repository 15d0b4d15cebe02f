package io.churnducks.jobs.nightly;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.TableContract;
import io.churnducks.features.indicators.CustomerFeatures;
import io.churnducks.features.indicators.ReasonPhrases;
import io.churnducks.features.labels.AsOfCalendar;
import io.churnducks.features.indicators.IndicatorSettings;
import io.churnducks.features.indicators.UsageHistory;
import io.churnducks.models.groups.BehaviouralGroups;
import io.churnducks.features.relevance.FeatureRetention;
import io.churnducks.features.relevance.IndicatorDrift;
import io.churnducks.features.relevance.IndicatorRelevance;
import io.churnducks.features.relevance.IndustryFocus;
import io.churnducks.features.labels.ChurnLabeler;
import io.churnducks.features.labels.SubscriptionTimeline;
import io.churnducks.features.lifecycle.AccountEconomics;
import io.churnducks.features.lifecycle.LifecycleSettings;
import io.churnducks.features.lifecycle.RetentionCurves;
import io.churnducks.features.lifecycle.UnitEconomics;
import io.churnducks.features.validation.ConformedSource;
import io.churnducks.features.validation.ContractException;
import io.churnducks.features.validation.ContractValidator;
import io.churnducks.features.validation.Quarantine;
import io.churnducks.features.validation.QuarantineSummary;
import io.churnducks.features.validation.SourceConformer;
import io.churnducks.features.validation.ValidatedInputs;
import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.config.SourceSettings;
import io.churnducks.jobs.io.SourceReader;
import io.churnducks.jobs.io.Warehouse;
import io.churnducks.jobs.report.MorningReport;
import io.churnducks.jobs.rollup.RollupLog;
import io.churnducks.jobs.rollup.UsageRollupStage;
import io.churnducks.jobs.rollup.UsageSnapshots;
import io.churnducks.features.indicators.UsageRollup;
import io.churnducks.models.churn.ChurnModel;
import io.churnducks.models.churn.ChurnModelSettings;
import io.churnducks.models.churn.ChurnTraining;
import io.churnducks.models.churn.ModelRegistry;
import io.churnducks.models.churn.ChurnScores;
import io.churnducks.models.churn.RiskList;
import io.churnducks.models.segments.CustomerSegments;
import io.churnducks.models.segments.DuckSegmentModel;
import io.churnducks.models.segments.DuckSegments;
import io.churnducks.models.segments.HealthExtremes;
import io.churnducks.models.segments.HealthTemperature;
import io.churnducks.models.segments.SegmentModelStore;
import io.churnducks.models.segments.SegmentProfiles;
import io.churnducks.models.segments.SegmentSettings;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

/**
 * The nightly run for one run date: validate → features → train → segments → score → risk list →
 * lifecycle analytics and the morning report, each stage writing its run_date partition and a manifest entry. Strictly point-in-time: every
 * indicator uses only data dated before the run date. Rerunning a date replaces its partitions.
 */
public final class NightlyJob {

  private static final Logger LOG = LoggerFactory.getLogger(NightlyJob.class);
  private static final String USAGE = InputContract.USAGE_EVENTS.name();

  /** Rows read, skipped by the source's filter and rejected, for one source. */
  public record SourceStats(String source, long read, long skipped, long rejected, Map<String, Long> rejectedByRule) {}

  /** A segment's name and size. */
  public record SegmentSize(int segmentId, String name, String evidence, long accounts) {}

  /** What a run did, for the summary (small aggregates only). */
  public record Result(LocalDate runDate, List<SourceStats> sources, Map<String, List<String>> disabledIndicators,
      String evaluation, String modelVersion, List<SegmentSize> segments, long scored, long riskListSize,
      String riskListCsv, String warehouse, List<String> tables, String report) {}

  /** Folder of the model registry under the warehouse root. */
  public static final String REGISTRY = "_registry";
  /** Folder of the segment models (one per run date) under the warehouse root. */
  public static final String SEGMENT_MODELS = "_segments";
  /** What one stage hands the next, per run date, under {@code _state/run} (see {@link RunState}). */
  private static final String CONFORMED = "conformed_";
  private static final String REJECTED_ACCOUNTS = "rejected_accounts";
  private static final String KEY_FEATURES = "key_features";
  private static final String EXAMPLES = "training_examples";
  private static final org.apache.spark.sql.types.StructType KEY_FEATURES_SCHEMA = new org.apache.spark.sql.types.StructType()
      .add("key_features", org.apache.spark.sql.types.DataTypes.createArrayType(
          org.apache.spark.sql.types.DataTypes.StringType, false), false)
      .add("activation_uses", org.apache.spark.sql.types.DataTypes.IntegerType, true);

  private final SparkSession spark;
  private final ChurnConfig config;
  private final LocalDate runDate;
  private final LocalDate extractDate;
  /** Accounts rejected by validation (account_id, reason): their events say so in the quarantine. */
  private Dataset<Row> rejectedAccounts;
  private final Warehouse warehouse;
  private final RunState state;
  /** Read once per job by the stages after features (train, segments, score), which share them. */
  private Dataset<Row> examples;
  private Dataset<Row> foldedFeatures;
  private final RunManifest manifest = new RunManifest();
  private final List<Dataset<Row>> cached = new ArrayList<>();
  /** The champion model when the run started (null outside {@link #run}): a failed run puts it back. */
  private Optional<String> championBefore;
  /** Train a new model even when the champion could score. */
  private boolean retrain;
  /** The indicator settings of the run: the configured ones, with the key features found when none is configured. */
  private IndicatorSettings indicators;

  /** A run on its own night: the extract is taken to end the day before {@code runDate}, as {@code today}. */
  public NightlyJob(SparkSession spark, ChurnConfig config, LocalDate runDate) {
    this(spark, config, runDate, runDate);
  }

  /**
   * @param today the day the job runs, read once from the clock at the command-line edge: the
   *              default extract date ({@code validation.extract-date}); rows dated after it are
   *              {@code after_cutoff}, rows dated on or after {@code runDate} are out of scope
   */
  public NightlyJob(SparkSession spark, ChurnConfig config, LocalDate runDate, LocalDate today) {
    this.spark = spark;
    this.config = config;
    this.runDate = runDate;
    this.extractDate = config.extractDate(today);
    this.warehouse = new Warehouse(spark, config.warehouse());
    this.state = new RunState(spark, warehouse, runDate);
    this.indicators = config.indicators();
  }

  /**
   * Makes the run train and backtest a new model even when the champion is fresh; the new model
   * becomes champion unless a champion trained for a later run date exists.
   */
  public NightlyJob retraining(boolean retrain) {
    this.retrain = retrain;
    return this;
  }

  /**
   * Test hook: the run stops with an exception right after its write to {@code table} commits, as
   * if the process died there (the tables written before it are rolled back like any failure's).
   */
  NightlyJob failingAfterWriting(String table) {
    warehouse.afterEachWrite(t -> {
      if (t.equals(table)) {
        throw new IllegalStateException("Stopped after writing " + t + " (test hook)");
      }
    });
    return this;
  }

  /**
   * The stages of a night, in order. Each reads its inputs from the warehouse (the previous stages'
   * tables and the run's state under {@code _state/run}), so a scheduler can rerun any one alone for
   * a run date; {@link #run()} runs them all.
   */
  public enum Stage {
    /** Sources read, conformed and checked (dq_quarantine), usage events rolled up. */
    validate("validate", "rollup"),
    /** Key features, customer_features, drift, the labelled training examples, indicator relevance. */
    features("features", "relevance"),
    /** The churn model: the champion, or challengers backtested and the winner trained (model_evaluations). */
    train("train"),
    /** Duck segments, health and temperature (customer_segments, segment_profiles, health_extremes). */
    segments("segments"),
    /** churn_scores and the churn_risk_list with its CSV. */
    score("score", "risk_list"),
    /** Retention curves, unit economics and account economics (after score: they need segments and scores). */
    lifecycle("lifecycle"),
    /** The morning report: one HTML file of the run date's tables ({@code reports/run_date=D/report.html}). */
    report("report");

    /** The run_manifest stage names the stage records under. */
    final List<String> manifestStages;

    Stage(String... manifestStages) {
      this.manifestStages = List.of(manifestStages);
    }
  }

  /** Runs every stage; the manifest is written whether the run succeeds or fails. */
  public Result run() {
    return run(java.util.EnumSet.allOf(Stage.class));
  }

  /**
   * Runs {@code stages} (in their order) for the run date, each reading what it needs from the
   * warehouse. The run date's manifest keeps the entries of the stages not run.
   */
  public Result run(java.util.Set<Stage> stages) {
    LOG.info("{} for {} (config {}, warehouse {}, extract date {})", stages.size() == Stage.values().length
        ? "Nightly run" : "Stages " + stages, runDate, config.origin(), warehouse.root(), extractDate);
    List<SourceStats> stats = new ArrayList<>();
    Outputs out = new Outputs();
    championBefore = registry().championVersion();
    try {
      if (stages.contains(Stage.validate)) {
        validateStage(stats);
      }
      if (stages.contains(Stage.features)) {
        featuresStage(out);
      }
      if (stages.contains(Stage.train)) {
        trainStage(out);
      }
      if (stages.contains(Stage.segments)) {
        segmentsStage(out);
      }
      if (stages.contains(Stage.score)) {
        scoreStage(out);
      }
      if (stages.contains(Stage.lifecycle)) {
        lifecycleStage();
      }
      if (stages.contains(Stage.report)) {
        if (stages.size() > 1) {
          // The report shows tonight's manifest: the entries of the stages run so far are written first.
          writeManifest(stages);
        }
        reportStage(out);
      }
      List<String> written = new ArrayList<>(warehouse.written());
      if (!written.contains("run_manifest")) {
        written.add("run_manifest");
      }
      return new Result(runDate, stats, out.disabled, out.evaluation, out.modelVersion, out.sizes, out.scored,
          out.listed, out.csv, warehouse.root(), written, out.report);
    } catch (RuntimeException e) {
      manifest.record("run", stages.size() == Stage.values().length ? "nightly" : stages.toString(), "failed", null,
          null, 0.0, e.getMessage() + rolledBack());
      throw e;
    } finally {
      writeManifest(stages);
      cached.forEach(Dataset::unpersist);
    }
  }

  /**
   * Puts every table this run wrote back to its version before the run (the quarantines stay:
   * they say why it failed); returns a note for the manifest naming them.
   */
  private ModelRegistry registry() {
    return new ModelRegistry(spark, warehouse.root() + "/" + REGISTRY);
  }

  private String rolledBack() {
    List<String> undone = new ArrayList<>(warehouse.rollBack(List.of("dq_quarantine", UsageRollupStage.QUARANTINE)));
    if (championBefore != null && registry().restoreChampion(championBefore)) {
      undone.add("the champion model (back to " + championBefore.orElse("none") + ")");
    }
    if (!undone.isEmpty()) {
      LOG.warn("Run failed: the tables it wrote are back to their earlier versions: {}", undone);
    }
    return undone.isEmpty() ? "" : " (rolled back: " + String.join(", ", undone) + ")";
  }

  /** What the stages of one invocation produced, for the summary. */
  private static final class Outputs {
    Map<String, List<String>> disabled = Map.of();
    String evaluation;
    String modelVersion;
    List<SegmentSize> sizes = List.of();
    long scored;
    long listed;
    String csv;
    String report;
  }

  /** Writes the run date's manifest: tonight's entries, and the earlier entries of stages not run now. */
  private void writeManifest(java.util.Set<Stage> stages) {
    List<String> rerun = new ArrayList<>(List.of("run"));
    stages.forEach(s -> rerun.addAll(s.manifestStages));
    Dataset<Row> rows = manifest.toFrame(spark);
    if (stages.size() < Stage.values().length && warehouse.runDates("run_manifest").contains(runDate)) {
      // A handful of bookkeeping rows, read before their partition is replaced.
      List<Row> kept = warehouse.read("run_manifest", runDate).drop(Warehouse.RUN_DATE)
          .where(col("stage").isin(rerun.toArray()).unary_$bang()).collectAsList();
      rows = spark.createDataFrame(kept, RunManifest.SCHEMA).unionByName(rows);
    }
    warehouse.write("run_manifest", rows, RunManifest.SCHEMA, runDate);
  }

  /**
   * Validate: reads and checks the sources, rolls up the new usage days, keeps the clean tables for
   * the run. A source rejecting too many rows fails the stage only once every source is checked,
   * so one night shows every source's rejects (dq_quarantine, usage_quarantine) and one line
   * names them all; what the failed night wrote besides the quarantines is rolled back.
   */
  private void validateStage(List<SourceStats> stats) {
    List<String> failures = new ArrayList<>();
    Map<String, Dataset<Row>> tables = validate(stats, failures);
    try {
      rollUp(tables, stats, Optional.empty(), !failures.isEmpty());
    } catch (UsageRollupStage.TooManyRejected e) {
      failures.add(e.failure());
    }
    failIfAny(failures);
    tables.forEach((name, df) -> state.write(CONFORMED + name, df));
    state.write(REJECTED_ACCOUNTS, rejectedAccounts);
  }

  /** The clean tables validate kept for this run date. */
  private Map<String, Dataset<Row>> conformed() {
    Map<String, Dataset<Row>> tables = new LinkedHashMap<>();
    for (String name : config.sources().keySet()) {
      if (!name.equals(USAGE)) {
        tables.put(name, state.read(CONFORMED + name, "validate"));
      }
    }
    return tables;
  }

  private void featuresStage(Outputs out) {
    Map<String, Dataset<Row>> tables = conformed();
    boolean usageConfigured = config.sources().containsKey(USAGE);
    if (usageConfigured) {
      indicators = keyFeatures(tables);
    }
    state.write(KEY_FEATURES, spark.createDataFrame(List.of(RowFactory.create(
        indicators.keyFeatures().toArray(new String[0]), indicators.activationUses())), KEY_FEATURES_SCHEMA));
    long t = System.nanoTime();
    Dataset<Row> subscriptions = tables.get(InputContract.SUBSCRIPTIONS.name());
    ChurnModelSettings ms = config.model();
    List<LocalDate> asOfDates = asOfDates();
    Optional<Dataset<Row>> usage = usageConfigured ? Optional.of(usageIndicators(tables, asOfDates)) : Optional.empty();
    Dataset<Row> spine = SubscriptionTimeline.scoringSpine(subscriptions, runDate, ms.graceDays());
    CustomerFeatures.Result computed = CustomerFeatures.compute(spine, tables, usage, indicators);
    computed.disabled().forEach((source, indicators) -> LOG.warn(
        "Source {} is not configured: indicators {} are left empty", source, indicators));
    out.disabled = computed.disabled();
    warehouse.write("customer_features", computed.features(), CustomerFeatures.SCHEMA, runDate);
    Dataset<Row> features = keep(warehouse.read("customer_features", runDate).drop(Warehouse.RUN_DATE));
    long active = features.count();
    if (active == 0) {
      throw new ContractException("Cannot score " + runDate + ": no account is active on that day "
          + "(check the run date against the subscriptions' start and end dates)");
    }
    manifest.record("features", "customer_features", "ok", null, active, secondsSince(t),
        computed.disabled().isEmpty() ? null : "disabled: " + computed.disabled());
    drift(features);

    t = System.nanoTime();
    Dataset<Row> labels = ChurnLabeler.label(subscriptions, AsOfCalendar.frame(spark, asOfDates), runDate,
        ms.horizonDays(), ms.graceDays()).where(col("censored").equalTo(false));
    state.write(EXAMPLES, CustomerFeatures.compute(labels.select("account_id", "as_of_date"), tables, usage, indicators)
        .features().join(labels.select("account_id", "as_of_date", "churned"), new String[] {"account_id", "as_of_date"}));
    Dataset<Row> examples = examples();
    Row labelStats = examples.agg(count(lit(1)), count(when(col("churned"), 1))).first();
    long exampleCount = labelStats.getLong(0);
    long churners = labelStats.getLong(1);
    manifest.record("features", "training_examples", "ok", null, exampleCount, secondsSince(t), churners
        + " churners on as-of dates " + asOfDates.get(0) + ".." + asOfDates.get(asOfDates.size() - 1));
    if (churners == 0 || churners == exampleCount) {
      throw new ContractException("Cannot train the churn model for " + runDate + ": " + exampleCount
          + " labelled examples on as-of dates " + asOfDates.get(0) + ".." + asOfDates.get(asOfDates.size() - 1)
          + ", " + churners + " of them churned (the model needs both churners and stayers: run on a later date "
          + "or lower model.training-months)");
    }
    List<String> numeric = populated(populated(CustomerFeatures.numericIndicators(), features), examples);
    judgeIndicators(examples, numeric, asOfDates, ms.horizonDays());
  }

  private List<LocalDate> asOfDates() {
    ChurnModelSettings ms = config.model();
    return AsOfCalendar.observedMonthStarts(runDate, ms.trainingMonths(), ms.horizonDays(), ms.graceDays());
  }

  /** The labelled training examples the features stage kept for this run date. */
  private Dataset<Row> examples() {
    if (examples == null) {
      examples = keep(state.read(EXAMPLES, "features"));
    }
    return examples;
  }

  /** Tonight's customer_features, industries folded as industry_focus decided. */
  private Dataset<Row> features() {
    if (foldedFeatures == null) {
      if (!warehouse.runDates("customer_features").contains(runDate)) {
        throw new ContractException("Cannot run the stage for " + runDate + ": customer_features has no rows for it "
            + "(run `churn features --run-date " + runDate + "` first)");
      }
      foldedFeatures = keep(warehouse.read("customer_features", runDate).drop(Warehouse.RUN_DATE)
          .withColumn("industry", IndustryFocus.folded(col("industry"), keptIndustries())));
    }
    return foldedFeatures;
  }

  private List<String> keptIndustries() {
    return warehouse.read("industry_focus", runDate).where(col("kept")).select("industry")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList().stream().sorted().toList();
  }

  /** The run's indicator settings: the configured ones with the key features the features stage used. */
  private IndicatorSettings runIndicators() {
    Row r = state.read(KEY_FEATURES, "features").first();
    return config.indicators().withKeyFeatures(r.getList(0), r.isNullAt(1) ? null : r.getInt(1));
  }

  private void trainStage(Outputs out) {
    long t = System.nanoTime();
    indicators = runIndicators();
    ChurnModelSettings ms = config.model();
    List<LocalDate> asOfDates = asOfDates();
    Dataset<Row> examples = examples();
    long exampleCount = examples.count();
    List<String> numeric = populated(populated(CustomerFeatures.numericIndicators(), features()), examples);
    List<String> kept = keptIndustries();
    Dataset<Row> focusedExamples = examples.withColumn("industry", IndustryFocus.folded(col("industry"), kept));
    List<String> logScaled = config.modelLogScaled().stream().filter(numeric::contains).toList();
    ChurnModel.Columns columns = new ChurnModel.Columns(numeric, logScaled, config.modelCategorical(),
        CustomerFeatures.earlyIndicators(), CustomerFeatures.betterWhen());
    ModelRegistry registry = registry();
    String recipe = recipe(columns, ms, kept);
    Optional<ChurnModel.Card> current = registry.champion();
    Optional<ChurnModel.Card> champion = retrain ? Optional.empty() : current.filter(c -> reusable(c, recipe));
    if (champion.isPresent()) {
      ChurnModel.Card card = champion.get();
      out.evaluation = card.evaluation();
      out.modelVersion = card.version();
      LocalDate trainedFor = LocalDate.parse(card.runDate());
      if (!trainedFor.equals(runDate)) {
        warehouse.write("model_evaluations", ModelEvaluations.upgraded(warehouse.read("model_evaluations", trainedFor)
            .drop(Warehouse.RUN_DATE)), ModelEvaluations.SCHEMA, runDate);
      }
      manifest.record("train", "model_evaluations", "skipped", exampleCount, 0L, secondsSince(t), "scoring with "
          + "champion " + card.version() + " trained for " + trainedFor + " (retrains after "
          + config.modelMaxAgeDays() + " days, on a change of inputs or settings, or with --retrain)");
      LOG.info("Scoring with champion {} trained for {}: {}", card.version(), trainedFor, out.evaluation);
    } else {
      ChurnTraining.Trained trained = ChurnTraining.train(focusedExamples, asOfDates, columns, ms, runDate,
          current.map(c -> new ChurnTraining.Champion(c.version(), c.candidate(), c.columns(),
              config.modelPromotionMargin())));
      ChurnModel model = trained.model().worded(ReasonPhrases::phrase);
      out.evaluation = ModelEvaluations.describe(trained);
      out.modelVersion = model.version();
      registry.save(model, model.card(recipe, out.evaluation, trained.provenance()));
      boolean promoted = current.map(c -> !c.recipe().equals(recipe)
          || !LocalDate.parse(c.runDate()).isAfter(runDate)).orElse(true);
      // The evaluation is written first: a run that fails between the two leaves the old champion.
      warehouse.write("model_evaluations", spark.createDataFrame(ModelEvaluations.rows(trained, exampleCount,
          asOfDates), ModelEvaluations.SCHEMA), ModelEvaluations.SCHEMA, runDate);
      if (promoted) {
        registry.promote(model.version());
      }
      manifest.record("train", "model_evaluations", "ok", exampleCount, 1L, secondsSince(t), model.version() + ": "
          + out.evaluation + (promoted ? "; champion" : "; kept beside the newer champion"));
    }
  }

  private void segmentsStage(Outputs out) {
    long t = System.nanoTime();
    ChurnModelSettings ms = config.model();
    Dataset<Row> features = features();
    long active = features.count();
    List<String> populatedTonight = populated(CustomerFeatures.numericIndicators(), features);
    SegmentSettings segmentSettings = config.segments().restrictedTo(populatedTonight);
    SegmentModelStore segmentModels = new SegmentModelStore(spark, warehouse.root() + "/" + SEGMENT_MODELS);
    Optional<LocalDate> previousRun = segmentModels.latestBefore(runDate);
    Optional<DuckSegmentModel> previousModel = previousRun.map(segmentModels::load);
    DuckSegments segments = DuckSegments.learn(features, segmentSettings, previousModel);
    segmentModels.save(runDate, segments.model());
    Dataset<Row> segmentRows = segments.model().transform(features)
        .join(HealthTemperature.apply(features, config.healthMap().restrictedTo(populatedTonight)), "account_id")
        .select("account_id", "segment_id", "segment_name", "health", "temperature", "quadrant", "play");
    warehouse.write("customer_segments", segmentRows, CustomerSegments.SCHEMA, runDate);
    Dataset<Row> storedSegments = keep(warehouse.read("customer_segments", runDate));
    LocalDate churnAsOf = asOfDates().stream().filter(d -> !d.plusDays(ms.horizonDays() + ms.graceDays())
        .isAfter(runDate)).reduce((a, b) -> b).orElse(null);
    Optional<Dataset<Row>> recentChurn = Optional.ofNullable(churnAsOf).map(d -> segments.model()
        .transform(examples().where(col("as_of_date").equalTo(lit(java.sql.Date.valueOf(d)))))
        .select("segment_id", "churned"));
    Optional<Dataset<Row>> previousSegments = previousRun.map(d -> warehouse.read("customer_segments", d));
    Dataset<Row> segmentsWithMrr = storedSegments.join(features.select("account_id", "mrr"), "account_id");
    warehouse.write("segment_profiles", SegmentProfiles.build(spark, segments, segmentsWithMrr, recentChurn,
        Optional.ofNullable(churnAsOf), previousSegments, previousModel), SegmentProfiles.SCHEMA, runDate);
    warehouse.write("health_extremes", HealthExtremes.of(segmentsWithMrr, config.healthExtremes()),
        HealthExtremes.SCHEMA, runDate);
    List<SegmentSize> sizes = new ArrayList<>();
    for (Row r : storedSegments.groupBy("segment_id", "segment_name").agg(count(lit(1)).as("n"))
        .orderBy(col("n").desc()).collectAsList()) {
      int id = r.getInt(0);
      sizes.add(new SegmentSize(id, r.getString(1), segments.model().evidence(segments.centreOf(id)), r.getLong(2)));
    }
    out.sizes = sizes;
    manifest.record("segments", "customer_segments", "ok", active, active, secondsSince(t), String.format(
        java.util.Locale.ROOT, "%d segments (silhouette %.3f)%s%s", sizes.size(), segments.model().silhouette(),
        previousRun.map(d -> "; ids matched to " + d).orElse(""), segments.lineage().vanished().isEmpty() ? ""
            : "; vanished: " + segments.lineage().vanished()));
  }

  private void scoreStage(Outputs out) {
    long t = System.nanoTime();
    Dataset<Row> features = features();
    long active = features.count();
    List<Row> versions = warehouse.runDates("model_evaluations").contains(runDate)
        ? warehouse.read("model_evaluations", runDate).where(col("chosen")).select("model_version", "candidate")
            .limit(1).collectAsList() : List.of();
    if (versions.isEmpty()) {
      throw new ContractException("Cannot score " + runDate + ": model_evaluations names no model for it (run `churn "
          + "train --run-date " + runDate + "` first)");
    }
    out.modelVersion = versions.get(0).getString(0);
    ChurnModel model = registry()
        .load(out.modelVersion, config.model()).worded(ReasonPhrases::phrase);
    warehouse.write("churn_scores", model.score(features), ChurnScores.SCHEMA, runDate);
    Dataset<Row> scores = warehouse.read("churn_scores", runDate);
    long scored = scores.count();
    manifest.record("score", "churn_scores", "ok", active, scored, secondsSince(t), "model " + out.modelVersion);

    t = System.nanoTime();
    Dataset<Row> storedSegments = warehouse.read("customer_segments", runDate);
    Dataset<Row> riskList = RiskList.build(scores, storedSegments, state.read(CONFORMED + InputContract.ACCOUNTS.name(),
        "validate"), config.riskListTiers(), config.riskListPlays());
    warehouse.write("churn_risk_list", riskList, RiskList.SCHEMA, runDate);
    Dataset<Row> storedList = warehouse.read("churn_risk_list", runDate).drop(Warehouse.RUN_DATE).orderBy("rank");
    out.csv = warehouse.exportCsv("churn_risk_list", RiskList.forPeople(storedList), runDate);
    out.listed = storedList.count();
    out.scored = scored;
    manifest.record("risk_list", "churn_risk_list", "ok", scored, out.listed, secondsSince(t), "CSV " + out.csv);
  }

  /** Report: renders the run date's tables into its morning report. */
  private void reportStage(Outputs out) {
    long t = System.nanoTime();
    MorningReport.Result r = new MorningReport(spark, warehouse, config.report()).write(runDate);
    out.report = r.path();
    manifest.record("report", "morning_report", r.missing().isEmpty() ? "ok" : "warning", null,
        (long) r.charts().size(), secondsSince(t), r.charts().size() + " charts in " + r.path()
            + (r.missing().isEmpty() ? "" : "; not computed for this run: " + String.join(", ", r.missing())));
  }

  /**
   * Lifecycle analytics: {@code retention_curves}, {@code unit_economics} and {@code account_economics}
   * from the clean accounts and subscriptions, tonight's features, segments and scores. A churned
   * account has no segment tonight; it counts in the segment it had when last seen active (see
   * {@link #lastKnownSegments}).
   */
  private void lifecycleStage() {
    for (String table : List.of("customer_segments", "churn_scores")) {
      if (!warehouse.runDates(table).contains(runDate)) {
        throw new ContractException("Cannot run the lifecycle stage for " + runDate + ": " + table + " has no rows "
            + "for it (run `churn " + (table.equals("churn_scores") ? "score" : "segments") + " --run-date " + runDate
            + "` first)");
      }
    }
    int grace = config.model().graceDays();
    LifecycleSettings settings = config.lifecycle();
    Dataset<Row> accounts = state.read(CONFORMED + InputContract.ACCOUNTS.name(), "validate");
    Dataset<Row> subscriptions = state.read(CONFORMED + InputContract.SUBSCRIPTIONS.name(), "validate");
    Dataset<Row> features = features();
    Dataset<Row> tonight = warehouse.read("customer_segments", runDate).select("account_id", "segment_name");
    Dataset<Row> segments = keep(lastKnownSegments(tonight));

    long t = System.nanoTime();
    warehouse.write("retention_curves", RetentionCurves.apply(accounts, subscriptions, segments, keptIndustries(),
        runDate, grace), RetentionCurves.SCHEMA, runDate);
    Row curves = warehouse.read("retention_curves", runDate).agg(count(lit(1)),
        org.apache.spark.sql.functions.max(when(col("dimension").equalTo("all"), col("month_number")))).first();
    manifest.record("lifecycle", "retention_curves", "ok", null, curves.getLong(0), secondsSince(t),
        curves.isNullAt(1) ? "no account is old enough to observe" : "months 0.." + curves.getInt(1) + " observed");

    t = System.nanoTime();
    Dataset<Row> active = features.where(col("lapsed").equalTo(false)).select("account_id", "mrr");
    warehouse.write("unit_economics", UnitEconomics.apply(accounts, subscriptions, active, segments, runDate, grace,
        settings), UnitEconomics.SCHEMA, runDate);
    Row all = warehouse.read("unit_economics", runDate).where(col("dimension").equalTo("all"))
        .select("monthly_churn_rate", "ltv_to_cac").first();
    long groups = warehouse.read("unit_economics", runDate).count();
    manifest.record("lifecycle", "unit_economics", "ok", null, groups, secondsSince(t), String.format(Locale.ROOT,
        "monthly churn %s, LTV/CAC %s over all accounts", all.isNullAt(0) ? "unknown" : String.format(Locale.ROOT,
            "%.2f%%", 100 * all.getDouble(0)), all.isNullAt(1) ? "unknown" : String.format(Locale.ROOT, "%.2f",
            all.getDouble(1))));

    t = System.nanoTime();
    warehouse.write("account_economics", AccountEconomics.apply(features, accounts, tonight,
        warehouse.read("churn_scores", runDate), settings), AccountEconomics.SCHEMA, runDate);
    Row flags = warehouse.read("account_economics", runDate).agg(count(lit(1)),
        count(when(col("cost_exceeds_revenue"), 1)), count(when(col("offer_more_seats"), 1))).first();
    manifest.record("lifecycle", "account_economics", "ok", null, flags.getLong(0), secondsSince(t),
        flags.getLong(1) + " cost more to serve than they pay; " + flags.getLong(2) + " to offer more seats");
  }

  /**
   * The segment each account counts in for the lifecycle tables: tonight's for the accounts scored
   * tonight; for an account gone since, the segment tonight's model gives its indicators on the
   * latest training as-of date it was active (the same model and names, so a segment's curve holds
   * its churned accounts too, not only the survivors). Accounts with no labelled example (gone before
   * the training window, or come and gone since its latest as-of date) have none and are left out of
   * the segment figures.
   */
  private Dataset<Row> lastKnownSegments(Dataset<Row> tonight) {
    DuckSegmentModel model = new SegmentModelStore(spark, warehouse.root() + "/" + SEGMENT_MODELS).load(runDate);
    Dataset<Row> examples = examples();
    Dataset<Row> latest = examples.withColumn("_latest", org.apache.spark.sql.functions.max("as_of_date")
            .over(org.apache.spark.sql.expressions.Window.partitionBy("account_id")))
        .where(col("as_of_date").equalTo(col("_latest"))).drop("_latest")
        .join(tonight.select("account_id"), new String[] {"account_id"}, "left_anti");
    return tonight.unionByName(model.transform(latest).select("account_id", "segment_name"));
  }

  /**
   * Compares tonight's indicators with the previous run's ({@code drift}); the first run has
   * nothing to compare with and writes no drift rows.
   */
  private void drift(Dataset<Row> features) {
    long t = System.nanoTime();
    Optional<LocalDate> previous = warehouse.runDates("customer_features").stream().filter(d -> d.isBefore(runDate))
        .reduce((a, b) -> b);
    if (previous.isEmpty()) {
      manifest.record("features", "drift", "skipped", null, 0L, secondsSince(t), "no earlier run to compare with");
      return;
    }
    List<String> numeric = CustomerFeatures.numericIndicators();
    warehouse.write("drift", IndicatorDrift.compute(spark, warehouse.read("customer_features", previous.get()),
        features, numeric, previous.get(), config.driftThreshold()), IndicatorDrift.SCHEMA, runDate);
    List<String> flagged = warehouse.read("drift", runDate).where(col("flagged")).orderBy(col("psi").desc())
        .select("indicator").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    if (!flagged.isEmpty()) {
      LOG.warn("Indicators that moved since {} (PSI > {}): {}", previous.get(), config.driftThreshold(), flagged);
    }
    manifest.record("features", "drift", flagged.isEmpty() ? "ok" : "warning", (long) numeric.size(),
        (long) numeric.size(), secondsSince(t), flagged.isEmpty() ? "compared with " + previous.get()
            : "moved since " + previous.get() + ": " + flagged);
  }

  /**
   * What a model is trained with: its inputs, the industries kept, the training and backtest
   * settings and the indicator settings. A champion is reused only by runs with the same recipe.
   */
  private String recipe(ChurnModel.Columns columns, ChurnModelSettings ms, List<String> industries) {
    return Integer.toHexString(java.util.Objects.hash(columns, industries, ms.horizonDays(), ms.graceDays(),
        ms.trainingMonths(), ms.backtestFolds(), ms.candidates(), ms.calibration(), ms.balanceClasses(),
        indicators.fingerprint()));
  }

  /**
   * Whether tonight can score with a saved model: same recipe, trained for this run date or an
   * earlier one (a backfill of an older date never uses outcomes later than it), and not older than
   * {@code model.max-age-days}.
   */
  private boolean reusable(ChurnModel.Card card, String recipe) {
    LocalDate trainedFor = LocalDate.parse(card.runDate());
    return card.recipe().equals(recipe) && !trainedFor.isAfter(runDate)
        && java.time.temporal.ChronoUnit.DAYS.between(trainedFor, runDate) <= config.modelMaxAgeDays();
  }

  /**
   * Measures how early use of each feature goes with retention ({@code feature_retention}) and
   * returns the run's indicator settings: the configured key features, or when none is configured
   * the key features found.
   */
  private IndicatorSettings keyFeatures(Map<String, Dataset<Row>> tables) {
    long t = System.nanoTime();
    ChurnModelSettings ms = config.model();
    IndicatorSettings configured = config.indicators();
    FeatureRetention.Result r = FeatureRetention.compute(spark,
        warehouse.readAll(UsageRollupStage.FEATURE_DAYS, UsageRollup.FEATURE_DAYS_SCHEMA),
        tables.get(InputContract.ACCOUNTS.name()),
        ChurnLabeler.churnEvents(tables.get(InputContract.SUBSCRIPTIONS.name()), runDate, ms.graceDays()),
        configured.nonUsageFeatures(), runDate,
        new FeatureRetention.Settings(UsageHistory.ONBOARDING_DAYS, config.retentionDays(), ms.graceDays()),
        configured.keyFeatures());
    warehouse.write("feature_retention", r.table(), FeatureRetention.SCHEMA, runDate);
    IndicatorSettings out = configured.withKeyFeatures(
        configured.keyFeatures().isEmpty() ? r.keyFeatures() : configured.keyFeatures(), r.keyThreshold());
    String found = r.keyFeatures().isEmpty() ? "none stands out" : r.keyFeatures() + " (together best from "
        + r.keyThreshold() + " uses in the first " + UsageHistory.ONBOARDING_DAYS + " days)";
    LOG.info("High-retention features: {}; key features used: {}", found,
        out.keyFeatures().isEmpty() ? "every product feature" : out.keyFeatures());
    manifest.record("relevance", "feature_retention", "ok", null, (long) r.keyFeatures().size(), secondsSince(t),
        "key features found: " + found + "; used: " + out.keyFeatures());
    return out;
  }

  /**
   * Judges every indicator on the labelled examples ({@code indicator_relevance}) and decides which
   * industries churn differently ({@code industry_focus}, on as-of dates a horizon apart).
   */
  private IndustryFocus.Decision judgeIndicators(Dataset<Row> examples, List<String> numeric, List<LocalDate> asOfDates,
      int horizonDays) {
    long t = System.nanoTime();
    List<LocalDate> spaced = IndustryFocus.spacedDates(asOfDates, horizonDays);
    IndustryFocus.Decision focus = IndustryFocus.decide(spark, examples.where(col("as_of_date")
        .isin(spaced.stream().map(java.sql.Date::valueOf).toArray())));
    warehouse.write("industry_focus", focus.table(), IndustryFocus.SCHEMA, runDate);
    Map<String, String> groups = BehaviouralGroups.of(examples, numeric);
    Dataset<Row> relevance = IndicatorRelevance.compute(spark, examples, numeric,
        CustomerFeatures.categoricalIndicators(), groups);
    warehouse.write("indicator_relevance", relevance, IndicatorRelevance.SCHEMA, runDate);
    Map<String, Long> verdicts = new java.util.TreeMap<>();
    for (Row r : warehouse.read("indicator_relevance", runDate).groupBy("verdict").count().collectAsList()) {
      verdicts.put(r.getString(0), r.getLong(1));
    }
    LOG.info("Indicators judged on the training examples: {}; {} behavioural groups; industries kept: {}", verdicts,
        new java.util.HashSet<>(groups.values()).size(),
        focus.kept().isEmpty() ? "none (all folded into other)" : focus.kept());
    manifest.record("relevance", "indicator_relevance", "ok", null, verdicts.values().stream().mapToLong(v -> v).sum(),
        secondsSince(t), verdicts + "; industries kept: " + focus.kept());
    return focus;
  }

  /** Reads, conforms and checks every source; writes dq_quarantine; returns the clean tables. */
  private Map<String, Dataset<Row>> validate(List<SourceStats> stats) {
    List<String> failures = new ArrayList<>();
    Map<String, Dataset<Row>> clean = validate(stats, failures);
    failIfAny(failures);
    return clean;
  }

  /** Fails the run with one line naming every source that rejected too large a share of its rows. */
  private void failIfAny(List<String> failures) {
    if (!failures.isEmpty()) {
      boolean usage = failures.stream().anyMatch(f -> f.startsWith("source " + USAGE + " "));
      throw new ContractException("Cannot run " + runDate + ": " + String.join("; ", failures)
          + " (rejected rows are in " + (usage ? "usage_quarantine and " : "") + "dq_quarantine run_date=" + runDate
          + ")");
    }
  }

  /**
   * Reads, conforms and checks every source; writes dq_quarantine; returns the clean tables. A
   * source rejecting more than {@code validation.max-rejected-share} of its rows adds its
   * {@link QuarantineSummary#failure} to {@code failures}.
   */
  private Map<String, Dataset<Row>> validate(List<SourceStats> stats, List<String> failures) {
    long t = System.nanoTime();
    Map<String, SourceSettings> sources = config.sources();
    Map<String, ConformedSource> conformed = new LinkedHashMap<>();
    Map<String, long[]> counts = new LinkedHashMap<>();
    // Per source, the warning naming the columns its mapping does not use.
    Map<String, String> unused = new LinkedHashMap<>();
    // Rows with their raw JSON, needed until the quarantine is written; released before the features.
    List<Dataset<Row>> checkedFrames = new ArrayList<>();
    for (SourceSettings s : sources.values()) {
      if (s.table().equals(USAGE)) {
        continue;
      }
      TableContract contract = InputContract.table(s.table());
      Dataset<Row> raw = SourceReader.read(spark, s);
      ConformedSource c = SourceConformer.conform(raw, contract, s.mapping(), s.location(), runDate, extractDate);
      Dataset<Row> checked = c.checked().persist(StorageLevel.MEMORY_AND_DISK());
      checkedFrames.add(checked);
      ConformedSource kept = new ConformedSource(c.table(), checked, c.canonicalNames(), c.sourceColumns(),
          c.absentColumns());
      conformed.put(s.table(), kept);
      long read = raw.count();
      Row conformedCounts = kept.checked().agg(count(lit(1)), kept.outOfScopeCount()).first();
      counts.put(s.table(), new long[] {read, read - conformedCounts.getLong(0), conformedCounts.getLong(1)});
      if (!c.absentColumns().isEmpty()) {
        LOG.info("Source {} provides no {}: left empty", s.table(), c.absentColumns());
      }
      SourceConformer.unusedColumnsWarning(raw, contract, s.mapping(), s.location()).ifPresent(line -> {
        LOG.warn(line);
        unused.put(s.table(), line);
      });
    }
    for (TableContract table : InputContract.ALL) {
      if (!sources.containsKey(table.name()) && !table.requiredSource()) {
        LOG.warn("Source {} is not configured: the indicators that need it are disabled", table.name());
      }
    }
    ValidatedInputs validated = ContractValidator.validate(conformed).map(df -> {
      Dataset<Row> p = df.persist(StorageLevel.MEMORY_AND_DISK());
      checkedFrames.add(p);
      return p;
    });
    Map<String, Dataset<Row>> clean = new LinkedHashMap<>();
    validated.tables().forEach((name, df) -> clean.put(name, materialize(df)));
    rejectedAccounts = materialize(validated.validated().get(InputContract.ACCOUNTS.name()).rejectedKeys());
    warehouse.write("dq_quarantine", validated.quarantine(), Quarantine.SCHEMA, runDate);

    // Only rejected rows count toward the rejected share; nulled optional values are reported.
    QuarantineSummary summary = QuarantineSummary.of(warehouse.read("dq_quarantine", runDate));
    checkedFrames.forEach(Dataset::unpersist);
    double seconds = secondsSince(t);
    for (Map.Entry<String, long[]> e : counts.entrySet()) {
      String source = e.getKey();
      long read = e.getValue()[0];
      long skipped = e.getValue()[1];
      long outOfScope = e.getValue()[2];
      Map<String, Long> rules = summary.rejectedByRule().getOrDefault(source, Map.of());
      long rejected = summary.rejected(source);
      stats.add(new SourceStats(source, read, skipped, rejected, rules));
      long considered = read - skipped - outOfScope;
      double share = considered == 0 ? 0.0 : (double) rejected / considered;
      boolean tooMany = share > config.maxRejectedShare();
      List<String> notes = new ArrayList<>(summary.notes().getOrDefault(source, List.of()));
      if (outOfScope > 0) {
        notes.add(outOfScope + " rows out of scope (dated on or after " + runDate + ", up to the extract date "
            + extractDate + ")");
      }
      if (skipped > 0) {
        // Rows in = rows out + quarantined rows + these + the out-of-scope ones.
        notes.add(skipped + " rows skipped by the source's filter");
      }
      if (unused.containsKey(source)) {
        notes.add(unused.get(source));
      }
      String detail = notes.isEmpty() ? null : String.join("; ", notes);
      boolean flagged = rejected > 0 || summary.notes().containsKey(source) || unused.containsKey(source);
      manifest.record("validate", source, tooMany ? "failed" : flagged ? "warning" : "ok", read,
          considered - rejected, seconds, detail);
      if (tooMany) {
        failures.add(summary.failure(source, considered, config.maxRejectedShare()));
      }
    }
    return clean;
  }

  /** What a backfill did: the roll-up outcome and the as-of dates whose usage indicators are stored. */
  public record Backfill(UsageRollupStage.Outcome rollup, List<LocalDate> asOfDates) {}

  /**
   * Rolls up every event date in [{@code from}, run date) again, whatever the roll-up log says,
   * and stores the usage indicators of the month starts in that range (the training as-of dates),
   * so the nights after it start from stored values. The run date is the day after the range.
   */
  public Backfill backfill(LocalDate from) {
    if (!from.isBefore(runDate)) {
      throw new ContractException("Cannot backfill " + from + ".." + runDate.minusDays(1)
          + ": --from must not be after --to");
    }
    LOG.info("Backfill of usage event dates {}..{} (config {}, warehouse {})", from, runDate.minusDays(1),
        config.origin(), warehouse.root());
    try {
      Map<String, Dataset<Row>> tables = validate(new ArrayList<>());
      Optional<UsageRollupStage.Outcome> rolled = rollUp(tables, new ArrayList<>(),
          Optional.of(new LocalDate[] {from, runDate.minusDays(1)}), false);
      if (rolled.isEmpty()) {
        throw new ContractException("Cannot backfill: no usage_events source is configured (add sources.usage_events)");
      }
      indicators = keyFeatures(tables);
      List<LocalDate> monthStarts = new ArrayList<>();
      for (LocalDate d = from.withDayOfMonth(1); d.isBefore(runDate); d = d.plusMonths(1)) {
        if (!d.isBefore(from)) {
          monthStarts.add(d);
        }
      }
      if (!monthStarts.isEmpty()) {
        long t = System.nanoTime();
        usageIndicators(tables, monthStarts, false).count();
        manifest.record("backfill", "usage_snapshots", "ok", null, (long) monthStarts.size(), secondsSince(t),
            "usage indicators stored for " + monthStarts.get(0) + ".." + monthStarts.get(monthStarts.size() - 1));
      }
      return new Backfill(rolled.get(), monthStarts);
    } catch (RuntimeException e) {
      manifest.record("backfill", "usage_events", "failed", null, null, 0.0, e.getMessage() + rolledBack());
      throw e;
    } finally {
      warehouse.write("run_manifest", manifest.toFrame(spark), RunManifest.SCHEMA, runDate);
      cached.forEach(Dataset::unpersist);
    }
  }

  /**
   * Rolls up the usage events tonight needs (see {@link UsageRollupStage}); empty when no usage
   * source is configured. The events' counts join the sources' stats.
   *
   * @param forced         dates rolled up again whatever the log says (backfill)
   * @param quarantineOnly the night already failed: only validate the events and write their rejects
   */
  private Optional<UsageRollupStage.Outcome> rollUp(Map<String, Dataset<Row>> tables, List<SourceStats> stats,
      Optional<LocalDate[]> forced, boolean quarantineOnly) {
    SourceSettings source = config.sources().get(USAGE);
    if (source == null) {
      return Optional.empty();
    }
    Dataset<Row> accounts = tables.get(InputContract.ACCOUNTS.name());
    Dataset<Row> subscriptions = tables.get(InputContract.SUBSCRIPTIONS.name());
    UsageRollupStage.Outcome o;
    try {
      o = new UsageRollupStage(spark, warehouse, source, config.rollup(),
          new UsageRollupStage.References(accounts.select("account_id"), rejectedAccounts,
              subscriptions.select("subscription_id",
              "account_id")), extractDate).quarantineOnly(quarantineOnly).run(runDate, forced);
    } catch (UsageRollupStage.TooManyRejected e) {
      stats.add(new SourceStats(USAGE, e.read(), 0L, e.read() - e.clean(), e.rejectedByRule()));
      manifest.record("rollup", USAGE, "failed", e.read(), e.clean(), e.seconds(), e.failure() + " (usage_quarantine)");
      throw e;
    }
    stats.add(new SourceStats(USAGE, o.read(), 0L, o.rejected(), o.rejectedByRule()));
    manifest.record("rollup", USAGE, o.rejected() > 0 || o.unusedColumns().isPresent() ? "warning" : "ok", o.read(),
        o.rolled(), o.seconds(), o.processed().size() + " event dates, " + o.layout()
            + (o.rejected() == 0 ? "" : "; rejected " + o.rejectedByRule() + " (usage_quarantine)")
            + (quarantineOnly ? "; validated only, not rolled up (another source failed the night)" : "")
            + o.unusedColumns().map(line -> "; " + line).orElse(""));
    return Optional.of(o);
  }

  /**
   * Usage indicators of every account on the training month-starts and tonight, from the stored
   * roll-ups: stored values where still valid, only the missing dates computed.
   */
  private Dataset<Row> usageIndicators(Map<String, Dataset<Row>> tables, List<LocalDate> monthStarts) {
    return usageIndicators(tables, monthStarts, true);
  }

  private Dataset<Row> usageIndicators(Map<String, Dataset<Row>> tables, List<LocalDate> monthStarts,
      boolean withRunDate) {
    SourceSettings source = config.sources().get(USAGE);
    UsageRollupStage.Settings rs = config.rollup();
    UsageSnapshots snapshots = new UsageSnapshots(spark, warehouse,
        UsageSnapshots.fingerprint(indicators, UsageRollupStage.fingerprint(source, rs)));
    List<LocalDate> dates = new ArrayList<>(monthStarts);
    if (withRunDate) {
      dates.add(runDate);
    }
    long t = System.nanoTime();
    Dataset<Row> usage = keep(snapshots.ensure(dates, tables.get(InputContract.ACCOUNTS.name()),
        warehouse.readAll(UsageRollupStage.FEATURE_DAYS, UsageRollup.FEATURE_DAYS_SCHEMA),
        warehouse.readAll(UsageRollupStage.USER_DAYS, UsageRollup.USER_DAYS_SCHEMA),
        indicators, RollupLog.read(warehouse, spark), runDate));
    long rows = usage.count();
    manifest.record("features", "usage_indicators", "ok", null, rows, secondsSince(t),
        "usage indicators of every account on " + dates.size() + " as-of dates (stored, or computed from the roll-ups)");
    return usage;
  }

  /**
   * The indicators that hold at least one value in {@code frame} (one aggregate row). An
   * indicator whose source or source column is absent is empty and cannot be imputed or scaled,
   * so it is left out of the model and the segmentation, and the log says so.
   */
  private static List<String> populated(List<String> indicators, Dataset<Row> frame) {
    List<String> kept = ChurnModel.populatedIn(frame, indicators);
    List<String> dropped = indicators.stream().filter(i -> !kept.contains(i)).toList();
    if (!dropped.isEmpty()) {
      LOG.warn("Indicators {} have no values (source or column not provided): left out of the model and segments",
          dropped);
    }
    return kept;
  }

  /**
   * Computes a frame now and cuts its lineage. The indicator and training plans join many
   * families over the validated tables; without the cut, every later job (each model iteration)
   * re-plans the whole history of the frame.
   */
  private static Dataset<Row> materialize(Dataset<Row> df) {
    return df.localCheckpoint(true);
  }

  private Dataset<Row> keep(Dataset<Row> df) {
    Dataset<Row> p = df.persist(StorageLevel.MEMORY_AND_DISK());
    cached.add(p);
    return p;
  }

  private static double secondsSince(long nanos) {
    return (System.nanoTime() - nanos) / 1e9;
  }
}
