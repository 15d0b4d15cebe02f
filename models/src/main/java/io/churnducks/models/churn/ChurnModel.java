package io.churnducks.models.churn;

import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

/**
 * A fitted churn model: trained on labelled (account, as-of date) examples, it scores accounts
 * with a churn probability, a risk tier, MRR at risk and the top reasons.
 */
public final class ChurnModel {

  /** How well a model trained on older as-of dates ranked the churners of later ones. */
  public record Backtest(double auc, long trainExamples, long testExamples, double testChurnRate,
      List<LocalDate> trainDates, List<LocalDate> testDates) {}

  private final PipelineModel pipeline;
  private final ReasonCodes reasons;
  private final ChurnModelSettings settings;
  private final String version;

  private ChurnModel(PipelineModel pipeline, ReasonCodes reasons, ChurnModelSettings settings, String version) {
    this.pipeline = pipeline;
    this.reasons = reasons;
    this.settings = settings;
    this.version = version;
  }

  /**
   * Fits the model on labelled examples.
   *
   * @param examples indicator columns plus {@code churned} (boolean, not null)
   * @param runDate  the run the model belongs to (names the version)
   */
  public static ChurnModel fit(Dataset<Row> examples, List<String> numeric, List<String> logScaled,
      List<String> categorical, ChurnModelSettings settings, LocalDate runDate) {
    Dataset<Row> labelled = withLabel(examples);
    PipelineModel model = ChurnPipeline.build(numeric, logScaled, categorical, settings).fit(labelled);
    LogisticRegressionModel lr = (LogisticRegressionModel) model.stages()[model.stages().length - 1];
    Dataset<Row> empty = model.transform(labelled.limit(0));
    ReasonCodes reasons = ReasonCodes.of(empty.schema().apply("features_raw"), lr.coefficients().toArray(),
        settings.reasons());
    String version = "logreg-" + runDate + "-"
        + Integer.toHexString(Objects.hash(numeric, logScaled, categorical, settings) & 0xfffffff);
    return new ChurnModel(model, reasons, settings, version);
  }

  /**
   * Trains on the older as-of dates and measures AUC on the latest {@code backtestMonths} ones.
   * Training dates are only those whose horizon and grace end before the first test date, so the
   * backtest never learns from outcomes that were unknown at test time.
   */
  public static Backtest backtest(Dataset<Row> examples, List<LocalDate> asOfDates, List<String> numeric,
      List<String> logScaled, List<String> categorical, ChurnModelSettings settings, LocalDate runDate) {
    List<LocalDate> sorted = asOfDates.stream().sorted().toList();
    List<LocalDate> testDates = sorted.subList(Math.max(0, sorted.size() - settings.backtestMonths()), sorted.size());
    LocalDate firstTest = testDates.get(0);
    List<LocalDate> trainDates = sorted.stream()
        .filter(d -> d.plusDays(settings.horizonDays() + settings.graceDays()).isBefore(firstTest)).toList();
    if (trainDates.isEmpty()) {
      throw new IllegalArgumentException("Cannot backtest the churn model: no training as-of date ends its horizon "
          + "before the first backtest date " + firstTest + " (raise training months above "
          + settings.trainingMonths() + " or lower backtest months)");
    }
    Dataset<Row> train = examples.where(col("as_of_date").isin(trainDates.stream().map(java.sql.Date::valueOf).toArray()));
    Dataset<Row> test = examples.where(col("as_of_date").isin(testDates.stream().map(java.sql.Date::valueOf).toArray()));
    // An indicator can be empty on the older training dates alone (e.g. no survey answered yet): the
    // backtest model leaves it out rather than fail to impute it.
    List<String> trainable = populatedIn(train, numeric);
    ChurnModel model = fit(train, trainable, logScaled.stream().filter(trainable::contains).toList(), categorical,
        settings, runDate);
    Dataset<Row> scored = model.pipeline.transform(withLabel(test)).cache();
    try {
      double auc = new BinaryClassificationEvaluator().setLabelCol(ChurnPipeline.LABEL)
          .setRawPredictionCol("rawPrediction").setMetricName("areaUnderROC").evaluate(scored);
      Row stats = scored.agg(org.apache.spark.sql.functions.count(lit(1)),
          org.apache.spark.sql.functions.avg(col(ChurnPipeline.LABEL))).first();
      return new Backtest(auc, train.count(), stats.getLong(0), stats.isNullAt(1) ? 0.0 : stats.getDouble(1),
          trainDates, testDates);
    } finally {
      scored.unpersist();
    }
  }

  /** The columns of {@code numeric} holding at least one value in {@code frame} (one aggregate row). */
  public static List<String> populatedIn(Dataset<Row> frame, List<String> numeric) {
    Row counts = frame.agg(org.apache.spark.sql.functions.count(col(numeric.get(0))), numeric.subList(1, numeric.size())
        .stream().map(c -> org.apache.spark.sql.functions.count(col(c))).toArray(Column[]::new)).first();
    List<String> kept = new java.util.ArrayList<>();
    for (int i = 0; i < numeric.size(); i++) {
      if (counts.getLong(i) > 0) {
        kept.add(numeric.get(i));
      }
    }
    return kept;
  }

  /**
   * Scores accounts: {@link ChurnScores#SCHEMA}. Input: indicator columns incl. account_id and mrr,
   * and {@code lapsed} (boolean, as {@code customer_features} has it) which is passed through; a
   * frame without it is taken as active accounts only. The model does not read {@code lapsed}:
   * training examples are all active, so a lapsed account is scored on its other indicators.
   */
  public Dataset<Row> score(Dataset<Row> features) {
    Dataset<Row> scored = pipeline.transform(features);
    Column p = functions.vector_to_array(col(ChurnPipeline.PROBABILITY), "float64").getItem(1);
    Column mrr = coalesce(col("mrr"), lit(0.0));
    Column lapsed = Arrays.asList(features.columns()).contains("lapsed")
        ? coalesce(col("lapsed"), lit(false)) : lit(false);
    return scored.select(
        col("account_id"),
        p.as("churn_probability"),
        when(p.geq(settings.highTier()), "high").when(p.geq(settings.mediumTier()), "medium").otherwise("low")
            .as("risk_tier"),
        lapsed.as("lapsed"),
        mrr.as("mrr"),
        p.multiply(mrr).as("mrr_at_risk"),
        reasons.column(col(ChurnPipeline.FEATURES)).as("top_reasons"),
        lit(version).as("model_version"));
  }

  public String version() {
    return version;
  }

  public PipelineModel pipeline() {
    return pipeline;
  }

  private static Dataset<Row> withLabel(Dataset<Row> examples) {
    return examples.withColumn(ChurnPipeline.LABEL, when(col("churned"), 1.0).otherwise(0.0));
  }
}
