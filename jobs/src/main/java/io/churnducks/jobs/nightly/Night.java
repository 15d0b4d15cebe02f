package io.churnducks.jobs.nightly;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.indicators.IndicatorSettings;
import io.churnducks.features.labels.AsOfCalendar;
import io.churnducks.features.relevance.IndustryFocus;
import io.churnducks.features.validation.ContractException;
import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.io.Warehouse;
import io.churnducks.models.churn.ChurnModel;
import io.churnducks.models.churn.ChurnModelSettings;
import io.churnducks.models.churn.ModelRegistry;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * What the stages of one {@link NightlyJob} share: the session, the settings, the run and extract
 * dates, the warehouse, the run's state and manifest, the model registry, the frames read once
 * per job, and what the summary needs.
 */
final class Night {

  /** The stages log as the job does. */
  static final Logger LOG = LoggerFactory.getLogger(NightlyJob.class);
  static final String USAGE = InputContract.USAGE_EVENTS.name();
  /** What one stage hands the next, per run date, under {@code _state/run} (see {@link RunState}). */
  static final String CONFORMED = "conformed_";
  static final String REJECTED_ACCOUNTS = "rejected_accounts";
  static final String KEY_FEATURES = "key_features";
  static final String EXAMPLES = "training_examples";

  final SparkSession spark;
  final ChurnConfig config;
  final LocalDate runDate;
  final LocalDate extractDate;
  final Warehouse warehouse;
  final RunState state;
  final RunManifest manifest = new RunManifest();
  /** Puts the tables and the champion model back when a run fails. */
  final Rollback rollback;
  private final List<Dataset<Row>> cached = new ArrayList<>();
  /** Accounts rejected by validation (account_id, reason): their events say so in the quarantine. */
  Dataset<Row> rejectedAccounts;
  /** Read once per job by the stages after features (train, segments, score), which share them. */
  private Dataset<Row> examples;
  private Dataset<Row> foldedFeatures;
  /** Train a new model even when the champion could score. */
  boolean retrain;
  /** The indicator settings of the run: the configured ones, with the key features found when none is configured. */
  IndicatorSettings indicators;
  /** What the stages of the current invocation produced, for the summary. */
  Outputs out = new Outputs();

  Night(SparkSession spark, ChurnConfig config, LocalDate runDate, LocalDate extractDate) {
    this.spark = spark;
    this.config = config;
    this.runDate = runDate;
    this.extractDate = extractDate;
    this.warehouse = new Warehouse(spark, config.warehouse());
    this.state = new RunState(spark, warehouse, runDate);
    this.indicators = config.indicators();
    this.rollback = new Rollback(this);
  }

  /** What the stages of one invocation produced, for the summary. */
  static final class Outputs {
    final List<NightlyJob.SourceStats> stats = new ArrayList<>();
    Map<String, List<String>> disabled = Map.of();
    String evaluation;
    String modelVersion;
    List<NightlyJob.SegmentSize> sizes = List.of();
    long scored;
    long listed;
    String csv;
    String report;
  }

  ModelRegistry registry() {
    return new ModelRegistry(spark, warehouse.root() + "/" + NightlyJob.REGISTRY);
  }

  /** The clean tables validate kept for this run date. */
  Map<String, Dataset<Row>> conformed() {
    Map<String, Dataset<Row>> tables = new LinkedHashMap<>();
    for (String name : config.sources().keySet()) {
      if (!name.equals(USAGE)) {
        tables.put(name, state.read(CONFORMED + name, "validate"));
      }
    }
    return tables;
  }

  List<LocalDate> asOfDates() {
    ChurnModelSettings ms = config.model();
    return AsOfCalendar.observedMonthStarts(runDate, ms.trainingMonths(), ms.horizonDays(), ms.graceDays());
  }

  /** The labelled training examples the features stage kept for this run date. */
  Dataset<Row> examples() {
    if (examples == null) {
      examples = keep(state.read(EXAMPLES, "features"));
    }
    return examples;
  }

  /** Tonight's customer_features, industries folded as industry_focus decided. */
  Dataset<Row> features() {
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

  List<String> keptIndustries() {
    return warehouse.read("industry_focus", runDate).where(col("kept")).select("industry")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList().stream().sorted().toList();
  }

  /** Indicator → its behavioural group, as indicator_relevance measured them tonight (one row per indicator). */
  Map<String, String> behaviouralGroups() {
    Map<String, String> groups = new java.util.TreeMap<>();
    for (Row r : warehouse.read("indicator_relevance", runDate).where(col("behavioural_group").isNotNull())
        .select("indicator", "behavioural_group").collectAsList()) {
      groups.put(r.getString(0), r.getString(1));
    }
    return groups;
  }

  /** The run's indicator settings: the configured ones with the key features the features stage used. */
  IndicatorSettings runIndicators() {
    Row r = state.read(KEY_FEATURES, "features").first();
    return config.indicators().withKeyFeatures(r.getList(0), r.isNullAt(1) ? null : r.getInt(1));
  }

  Dataset<Row> keep(Dataset<Row> df) {
    Dataset<Row> p = df.persist(StorageLevel.MEMORY_AND_DISK());
    cached.add(p);
    return p;
  }

  /** Releases the frames kept for the job. */
  void unpersist() {
    cached.forEach(Dataset::unpersist);
  }

  /**
   * The indicators that hold at least one value in {@code frame} (one aggregate row). An
   * indicator whose source or source column is absent is empty and cannot be imputed or scaled,
   * so it is left out of the model and the segmentation, and the log says so.
   */
  static List<String> populated(List<String> indicators, Dataset<Row> frame) {
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
  static Dataset<Row> materialize(Dataset<Row> df) {
    return df.localCheckpoint(true);
  }

  static double secondsSince(long nanos) {
    return (System.nanoTime() - nanos) / 1e9;
  }
}
