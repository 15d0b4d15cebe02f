package io.churnducks.models.churn;

import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.feature.ImputerModel;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.functions;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

/**
 * A fitted churn model: a pipeline trained on labelled (account, as-of date) examples, the
 * calibration of its score, and the reasons behind each score.
 */
public final class ChurnModel {

  /**
   * The indicator columns a model reads.
   *
   * @param earlyStage the indicators among them that describe an account's first days (not reasons
   *                   once it is past onboarding)
   * @param betterWhen indicator → {@code "higher"} or {@code "lower"}, the better side as the
   *                   indicator catalogue declares it (reasons name only the other side)
   * @param reasonGroups indicator → behavioural group (indicators that move together, such as users
   *                   lost and the share of use they made): a group's indicators are weighed as one
   *                   reason (see {@link ReasonCodes}); indicators without a group stand alone
   */
  public record Columns(List<String> numeric, List<String> logScaled, List<String> categorical,
      List<String> earlyStage, java.util.Map<String, String> betterWhen, java.util.Map<String, String> reasonGroups) {

    public Columns {
      // A card saved before reasons knew the better side reads as "either side", one saved before
      // reasons knew the groups as "every indicator alone".
      betterWhen = betterWhen == null ? java.util.Map.of() : java.util.Map.copyOf(betterWhen);
      reasonGroups = reasonGroups == null ? java.util.Map.of() : java.util.Map.copyOf(reasonGroups);
    }

    public Columns(List<String> numeric, List<String> logScaled, List<String> categorical,
        List<String> earlyStage, java.util.Map<String, String> betterWhen) {
      this(numeric, logScaled, categorical, earlyStage, betterWhen, java.util.Map.of());
    }

    public Columns(List<String> numeric, List<String> logScaled, List<String> categorical) {
      this(numeric, logScaled, categorical, List.of(), java.util.Map.of());
    }

    /** These columns without the numeric indicators that hold no value in {@code frame}. */
    public Columns populatedIn(Dataset<Row> frame) {
      List<String> kept = ChurnModel.populatedIn(frame, numeric);
      return new Columns(kept, logScaled.stream().filter(kept::contains).toList(), categorical, earlyStage,
          betterWhen, reasonGroups);
    }

    /** These columns with {@code groups} as the reasons' behavioural groups. */
    public Columns withReasonGroups(java.util.Map<String, String> groups) {
      return new Columns(numeric, logScaled, categorical, earlyStage, betterWhen, groups);
    }
  }

  /** Column holding an account's age in days (decides whether onboarding indicators can be reasons). */
  public static final String TENURE = "tenure_days";

  /** Column holding the model's uncalibrated churn probability. */
  public static final String SCORE = "score";

  private final PipelineModel pipeline;
  private final Candidate candidate;
  private final Calibration calibration;
  private final ReasonCodes reasons;
  private final ChurnModelSettings settings;
  private final LocalDate runDate;
  private final int fingerprint;
  private final Columns columns;

  private ChurnModel(PipelineModel pipeline, Candidate candidate, Calibration calibration, ReasonCodes reasons,
      ChurnModelSettings settings, LocalDate runDate, int fingerprint, Columns columns) {
    this.columns = columns;
    this.pipeline = pipeline;
    this.candidate = candidate;
    this.calibration = calibration;
    this.reasons = reasons;
    this.settings = settings;
    this.runDate = runDate;
    this.fingerprint = fingerprint;
  }

  /**
   * Fits one candidate on labelled examples.
   *
   * @param examples indicator columns plus {@code churned} (boolean, not null)
   * @param weighted    weight churners and stayers equally
   * @param calibration the calibration of its score; null for a backtest model, which only
   *                    ranks ({@link #rawScores}) and has no reasons
   * @param runDate     the run the model belongs to (names the version)
   */
  public static ChurnModel fit(Dataset<Row> examples, Columns columns, Candidate candidate, boolean weighted,
      Calibration calibration, ChurnModelSettings settings, LocalDate runDate) {
    Dataset<Row> labelled = withWeight(withLabel(examples), weighted);
    PipelineModel model = ChurnPipeline.build(columns.numeric(), columns.logScaled(), columns.categorical(),
        withMissing(labelled, columns.numeric()), candidate).fit(labelled);
    if (calibration == null) {
      return new ChurnModel(model, candidate, Calibration.identity(), null, settings, runDate, 0, columns);
    }
    Dataset<Row> transformed = model.transform(labelled);
    StructField assembled = transformed.schema().apply(ChurnPipeline.ASSEMBLED);
    ReasonCodes reasons = ReasonCodes.of(assembled, typical(transformed, ChurnPipeline.classifierInput(candidate)),
        scorer(model, candidate, columns, assembled), settings.reasons(),
        columns.earlyStage(), columns.betterWhen(), columns.reasonGroups(), settings.onboardingDays());
    reasons = reasons.worded(ReasonCodes.CODES, medians(model, reasons.indicators()));
    return new ChurnModel(model, candidate, calibration, reasons, settings, runDate,
        Objects.hash(columns, candidate, weighted, settings), columns);
  }

  /** The indicators of {@code numeric} missing in some rows of {@code frame} (one pass). */
  static List<String> withMissing(Dataset<Row> frame, List<String> numeric) {
    if (numeric.isEmpty()) {
      return List.of();
    }
    Row nulls = frame.agg(count(when(col(numeric.get(0)).isNull(), 1)), numeric.stream().skip(1)
        .map(c -> count(when(col(c).isNull(), 1))).toArray(Column[]::new)).first();
    return IntStream.range(0, numeric.size()).filter(i -> nulls.getLong(i) > 0).mapToObj(numeric::get).toList();
  }

  /** This model with its reasons worded by {@code phraser} (the codes stay as they are). */
  public ChurnModel worded(ReasonCodes.Phraser phraser) {
    return new ChurnModel(pipeline, candidate, calibration, reasons.worded(phraser), settings,
        runDate, fingerprint, columns);
  }

  /**
   * Everything a saved model needs besides its Spark ML pipeline (plain values, saved as JSON).
   *
   * @param runDate     the run the model was trained for, YYYY-MM-DD (its examples' outcomes were known then)
   * @param recipe      hash of what the model was trained with (inputs, kept industries, training and
   *                    indicator settings); a model is reused only by runs with the same recipe
   * @param evaluation  its backtest, in one line
   * @param provenance  its training data, backtest folds and champion challenge (absent from cards
   *                    of models trained before it was recorded)
   */
  public record Card(String version, String runDate, int fingerprint, String recipe, Candidate candidate,
      Columns columns, String calibration, double[] calibrationParameters, double[] calibrationBoundaries,
      double[] calibrationValues, double[] typicalSlots, double[] typicalValues, String evaluation,
      Provenance provenance) {}

  /**
   * How a model came to be.
   *
   * @param trainingFrom     first as-of date trained on
   * @param trainingTo       last as-of date trained on
   * @param dataFingerprint  order-independent hash of the training examples' inputs and labels
   * @param folds            the chosen recipe's backtest, fold by fold
   * @param decision         why this recipe was chosen (the challenge against the champion)
   */
  public record Provenance(String trainingFrom, String trainingTo, long examples, long churners,
      String dataFingerprint, List<FoldMetrics> folds, String decision) {}

  /** One backtest fold of a card (metrics null when the fold was skipped or undefined). */
  public record FoldMetrics(String testDate, String trainFrom, String trainTo, long trainExamples, Double rocAuc,
      Double prAuc, Double logLoss, Double ece, Double topDecileLift, String skipped) {}

  /** This model's card. */
  public Card card(String recipe, String evaluation, Provenance provenance) {
    return new Card(version(), runDate.toString(), fingerprint, recipe, candidate, columns, calibration.method(),
        calibration.parameters(), calibration.boundaries(), calibration.values(), reasons.typicalSlots(),
        reasons.typicalValues(), evaluation, provenance);
  }

  /** A saved model, from its pipeline and card; scored with {@code settings}' tiers and reasons. */
  public static ChurnModel restore(SparkSession spark, PipelineModel pipeline, Card card, ChurnModelSettings settings) {
    List<StructField> fields = new java.util.ArrayList<>();
    card.columns().numeric().forEach(c -> fields.add(DataTypes.createStructField(c, DataTypes.DoubleType, true)));
    card.columns().categorical().forEach(c -> fields.add(DataTypes.createStructField(c, DataTypes.StringType, true)));
    Dataset<Row> empty = spark.createDataFrame(List.of(), DataTypes.createStructType(fields));
    StructField assembled = pipeline.transform(empty).schema().apply(ChurnPipeline.ASSEMBLED);
    ReasonCodes reasons = ReasonCodes.of(assembled, card.typicalSlots(),
        scorer(pipeline, card.candidate(), card.columns(), assembled), settings.reasons(), card.columns().earlyStage(),
        card.columns().betterWhen(), card.columns().reasonGroups(), settings.onboardingDays())
        .worded(ReasonCodes.CODES, card.typicalValues());
    Calibration calibration = Calibration.restore(card.calibration(), card.calibrationParameters(),
        card.calibrationBoundaries(), card.calibrationValues());
    return new ChurnModel(pipeline, card.candidate(), calibration, reasons, settings, LocalDate.parse(card.runDate()),
        card.fingerprint(),
        card.columns());
  }

  /**
   * Expected months until churn under a constant monthly hazard h implied by the probability p of
   * churning within the horizon: p = 1 - (1 - h)^(horizon months), so h = 1 - (1 - p)^(1 / horizon
   * months) and the expected lifetime is 1 / h months (p clipped to [1e-6, 1 - 1e-6]).
   */
  public static Column expectedMonthsLeft(Column probability, int horizonDays) {
    double horizonMonths = horizonDays / DAYS_PER_MONTH;
    Column p = org.apache.spark.sql.functions.least(org.apache.spark.sql.functions.greatest(probability, lit(1e-6)),
        lit(1 - 1e-6));
    Column hazard = lit(1.0).minus(org.apache.spark.sql.functions.pow(lit(1.0).minus(p), 1.0 / horizonMonths));
    return lit(1.0).divide(hazard);
  }

  /** Mean days per calendar month. */
  static final double DAYS_PER_MONTH = 365.25 / 12;

  /** The run the model was trained for. */
  public LocalDate runDate() {
    return runDate;
  }

  /**
   * {@code frame} with the model's uncalibrated churn probability in {@link #SCORE} (a blend's is the
   * mean of its members').
   */
  public Dataset<Row> rawScores(Dataset<Row> frame) {
    Column score = candidate.isBlend()
        ? churnProbability(ChurnPipeline.TREE_PROBABILITY).plus(churnProbability(ChurnPipeline.LINEAR_PROBABILITY))
            .divide(2)
        : churnProbability(ChurnPipeline.PROBABILITY);
    return pipeline.transform(frame).withColumn(SCORE, score);
  }

  private static Column churnProbability(String probabilityVector) {
    return functions.vector_to_array(col(probabilityVector), "float64").getItem(1);
  }

  /**
   * Scores accounts: {@link ChurnScores#SCHEMA}. Input: indicator columns incl. account_id and mrr,
   * and {@code lapsed} (boolean, as {@code customer_features} has it) which is passed through; a
   * frame without it is taken as active accounts only. The model does not read {@code lapsed}:
   * training examples are all active, so a lapsed account is scored on its other indicators.
   */
  public Dataset<Row> score(Dataset<Row> features) {
    if (reasons == null) {
      throw new IllegalStateException("A backtest model only ranks; fit with a calibration to score accounts");
    }
    Dataset<Row> scored = rawScores(features);
    Column p = calibration.apply(col(SCORE));
    Column mrr = coalesce(col("mrr"), lit(0.0));
    Column lapsed = Arrays.asList(features.columns()).contains("lapsed")
        ? coalesce(col("lapsed"), lit(false)) : lit(false);
    Column values = org.apache.spark.sql.functions.array(reasons.indicators().stream()
        .map(c -> col(c).cast("double")).toArray(Column[]::new));
    Column tenure = Arrays.asList(features.columns()).contains(TENURE) ? col(TENURE) : lit(null);
    return scored.withColumn("__p", p)
        .withColumn("__reasons", reasons.column(col(ChurnPipeline.classifierInput(candidate)), tenure, values))
        .select(
        col("account_id"),
        col("__p").as("churn_probability"),
        when(col("__p").geq(settings.highTier()), "high").when(col("__p").geq(settings.mediumTier()), "medium")
            .otherwise("low").as("risk_tier"),
        lapsed.as("lapsed"),
        mrr.as("mrr"),
        col("__p").multiply(mrr).as("mrr_at_risk"),
        col("__reasons.words").as("top_reasons"),
        lit(version()).as("model_version"),
        col("__reasons.codes").as("reason_codes"),
        expectedMonthsLeft(col("__p"), settings.horizonDays()).as("expected_months_left"));
  }

  /** Identifies the model in scores: algorithm, run date and a hash of what it was fitted with. */
  public String version() {
    return candidate.family() + "-" + runDate + "-"
        + Integer.toHexString(Objects.hash(fingerprint, calibration.describe()) & 0xfffffff);
  }

  public Candidate candidate() {
    return candidate;
  }

  public Calibration calibration() {
    return calibration;
  }

  public PipelineModel pipeline() {
    return pipeline;
  }

  /** The columns of {@code numeric} holding at least one value in {@code frame} (one aggregate row). */
  public static List<String> populatedIn(Dataset<Row> frame, List<String> numeric) {
    Row counts = frame.agg(org.apache.spark.sql.functions.count(col(numeric.get(0))), numeric.subList(1, numeric.size())
        .stream().map(c -> org.apache.spark.sql.functions.count(col(c))).toArray(Column[]::new)).first();
    return IntStream.range(0, numeric.size()).filter(i -> counts.getLong(i) > 0).mapToObj(numeric::get).toList();
  }

  static Dataset<Row> withLabel(Dataset<Row> examples) {
    return examples.withColumn(ChurnPipeline.LABEL, when(col("churned"), 1.0).otherwise(0.0));
  }

  /** Weights that give churners and stayers the same total weight (1.0 each when not weighted). */
  private static Dataset<Row> withWeight(Dataset<Row> labelled, boolean weighted) {
    if (!weighted) {
      return labelled.withColumn(ChurnPipeline.WEIGHT, lit(1.0));
    }
    double rate = labelled.agg(avg(col(ChurnPipeline.LABEL))).first().getDouble(0);
    if (rate <= 0 || rate >= 1) {
      return labelled.withColumn(ChurnPipeline.WEIGHT, lit(1.0));
    }
    return labelled.withColumn(ChurnPipeline.WEIGHT,
        when(col(ChurnPipeline.LABEL).equalTo(1.0), 0.5 / rate).otherwise(0.5 / (1 - rate)));
  }

  /** The training median of each indicator in its own units, from the pipeline's imputer. */
  private static double[] medians(PipelineModel model, List<String> indicators) {
    ImputerModel imputer = Arrays.stream(model.stages()).filter(ImputerModel.class::isInstance)
        .map(ImputerModel.class::cast).findFirst().orElseThrow();
    Row surrogate = imputer.surrogateDF().first();
    double[] out = new double[indicators.size()];
    for (int k = 0; k < out.length; k++) {
      Object m = surrogate.get(surrogate.fieldIndex(indicators.get(k) + ChurnPipeline.PREPARED_SLOT));
      out[k] = m == null ? Double.NaN : ((Number) m).doubleValue();
    }
    return out;
  }

  /** The approximate median of every slot of a vector column (one pass). */
  private static double[] typical(Dataset<Row> transformed, String vectorColumn) {
    Dataset<Row> arrays = transformed.select(functions.vector_to_array(col(vectorColumn), "float64").as("v"));
    int size = AttributeGroup.fromStructField(transformed.schema().apply(ChurnPipeline.ASSEMBLED)).size();
    String[] names = IntStream.range(0, size).mapToObj(i -> "s" + i).toArray(String[]::new);
    Dataset<Row> slots = arrays.select(IntStream.range(0, size).mapToObj(i -> col("v").getItem(i).as(names[i]))
        .toArray(Column[]::new));
    double[][] q = slots.stat().approxQuantile(names, new double[] {0.5}, 0.005);
    return Arrays.stream(q).mapToDouble(a -> a[0]).toArray();
  }

  /** The churn probability of one classifier input vector, as {@link #rawScores} gives it. */
  private static ReasonCodes.Scorer scorer(PipelineModel model, Candidate candidate, Columns columns,
      StructField assembled) {
    if (candidate.isBlend()) {
      long flags = Arrays.stream(AttributeGroup.fromStructField(assembled).attributes().get())
          .filter(a -> a.name().get().endsWith(ChurnPipeline.MISSING_SLOT)).count();
      return BlendScorer.of(model, columns.numeric(), columns.logScaled(), (int) flags);
    }
    if (candidate.isXgboost()) {
      return XgboostScorer.of((XGBoostClassificationModel) model.stages()[model.stages().length - 1]);
    }
    return lastStage(model);
  }

  @SuppressWarnings("unchecked")
  private static ReasonCodes.Scorer lastStage(PipelineModel model) {
    Transformer last = model.stages()[model.stages().length - 1];
    ProbabilisticClassificationModel<Vector, ?> classifier = (ProbabilisticClassificationModel<Vector, ?>) last;
    return x -> classifier.predictProbability(x).apply(1);
  }
}
