package io.churnducks.models.churn;

import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.List;

/**
 * The churn model as one Spark ML pipeline. Missing values are imputed with the training median,
 * and an indicator that is missing for some training examples also gets a slot of its own that
 * says so ({@code x__nul}, 1 when missing): "no discount ending", "never answered a survey" or "no
 * first value yet" is information, not an average value. Then, by candidate:
 * <ul>
 *   <li>logistic regression: heavy-tailed counts log-scaled (after imputing), categories one-hot
 *       encoded (unseen categories kept in an extra slot), everything standardised;</li>
 *   <li>boosted trees: values as they are (trees do not care about scale), categories as indices
 *       the trees split on as categories;</li>
 *   <li>XGBoost: the boosted trees' vector, stored densely ({@link DenseFeatures}), categories as
 *       ordered indices; {@link XgboostScorer} evaluates its trees for the reasons;</li>
 *   <li>a blend: both (MLlib's trees, or XGBoost's in an xgboost-blend), the logistic regression
 *       exactly as above (the same stages on the same imputed values, so a blend's members are the
 *       two candidates): each member writes its own probability column ({@link #TREE_PROBABILITY},
 *       {@link #LINEAR_PROBABILITY}), and the score is their mean ({@link BlendScorer}).</li>
 * </ul>
 * All assemble a vector named {@link #ASSEMBLED} whose metadata names every slot; {@link
 * ReasonCodes} reads those names and substitutes slots in the vector the classifier reads.
 */
public final class ChurnPipeline {

  /** Column holding the label (1.0 = churned within the horizon). */
  public static final String LABEL = "label";
  /** Column holding the example weight (balances churners and stayers). */
  public static final String WEIGHT = "weight";
  /** Column holding the assembled vector, one named slot per numeric indicator or category. */
  public static final String ASSEMBLED = "features_raw";
  /** Column holding the standardised vector the logistic regression reads. */
  public static final String STANDARDISED = "features";
  /** Column holding the probability vector; index 1 is the (uncalibrated) churn probability. */
  public static final String PROBABILITY = "probability";
  /** A blend's trees' probability vector. */
  public static final String TREE_PROBABILITY = "tree_probability";
  /** A blend's trees' raw prediction and predicted class, beside their probability. */
  private static final String TREE_RAW = "tree_raw";
  private static final String TREE_PREDICTION = "tree_prediction";
  /** A blend's logistic regression's probability vector. */
  public static final String LINEAR_PROBABILITY = "linear_probability";
  /** A blend's vector of log-scaled values, missing flags and one-hot categories, before standardising. */
  static final String LINEAR_INPUTS = "linear_inputs";
  /** Bins of continuous values the trees consider, and the most categories a tree split takes. */
  static final int MAX_BINS = 64;
  /** Seed of every randomised fit (boosted trees' subsamples), so a refit gives the same model. */
  static final long SEED = 7L;

  private ChurnPipeline() {}

  /** The vector column the candidate's classifier reads. */
  public static String classifierInput(Candidate candidate) {
    return candidate.usesTrees() ? ASSEMBLED : STANDARDISED;
  }

  /** Suffix of the slot that says an indicator was missing (1) or not (0). */
  public static final String MISSING_SLOT = "__nul";
  /** Suffix of an indicator's value cast to a double, before imputation. */
  public static final String PREPARED_SLOT = "__x";
  /** Suffix of an indicator's imputed value slot (as it is; the trees' vector). */
  public static final String VALUE_SLOT = "__imp";
  /** Suffix of an indicator's value slot in a linear model's vector (log-scaled where configured). */
  public static final String LINEAR_VALUE_SLOT = "__lin";

  /**
   * @param numeric     numeric indicator columns (nulls allowed)
   * @param logScaled   subset of {@code numeric} to pass through ln(1 + max(x, 0)) first (linear models only)
   * @param categorical string columns
   * @param missing     subset of {@code numeric} that get a slot saying the value was missing
   */
  public static Pipeline build(List<String> numeric, List<String> logScaled, List<String> categorical,
      List<String> missing, Candidate candidate) {
    List<PipelineStage> stages = new ArrayList<>();
    StringBuilder sql = new StringBuilder("SELECT *");
    for (String c : numeric) {
      sql.append(", CAST(").append(c).append(" AS DOUBLE) AS ").append(c).append(PREPARED_SLOT);
    }
    List<String> flags = new ArrayList<>();
    for (String c : numeric) {
      if (missing.contains(c)) {
        flags.add(c + MISSING_SLOT);
        sql.append(", CASE WHEN ").append(c).append(" IS NULL THEN 1.0 ELSE 0.0 END AS ").append(c + MISSING_SLOT);
      }
    }
    stages.add(new SQLTransformer().setStatement(sql.append(" FROM __THIS__").toString()));
    List<String> imputed = numeric.stream().map(c -> c + VALUE_SLOT).toList();
    stages.add(new Imputer().setStrategy("median")
        .setInputCols(numeric.stream().map(c -> c + PREPARED_SLOT).toArray(String[]::new))
        .setOutputCols(imputed.toArray(String[]::new)));
    String[] indexed = categorical.stream().map(c -> c + "__idx").toArray(String[]::new);
    if (!categorical.isEmpty()) {
      // One pass indexes every category column; unseen values get an extra index.
      stages.add(new StringIndexer().setInputCols(categorical.toArray(String[]::new)).setOutputCols(indexed)
          .setHandleInvalid("keep").setStringOrderType("alphabetAsc"));
    }
    if (candidate.usesTrees()) {
      // Value slots first, then the missing flags: an indicator's first slot is its value (ReasonCodes).
      List<String> assembled = new ArrayList<>(imputed);
      assembled.addAll(flags);
      assembled.addAll(List.of(indexed));
      stages.add(new VectorAssembler().setInputCols(assembled.toArray(String[]::new)).setOutputCol(ASSEMBLED));
      if (candidate.usesXgboost()) {
        stages.add(new DenseFeatures());
        XGBoostClassifier trees = xgboost(candidate.treeMember());
        if (candidate.isBlend()) {
          trees.setProbabilityCol(TREE_PROBABILITY);
          trees.setRawPredictionCol(TREE_RAW);
          trees.setPredictionCol(TREE_PREDICTION);
        }
        stages.add(trees);
      } else {
        GBTClassifier trees = new GBTClassifier().setFeaturesCol(ASSEMBLED).setLabelCol(LABEL).setWeightCol(WEIGHT)
            .setMaxDepth(candidate.maxDepth()).setMaxIter(candidate.trees()).setStepSize(candidate.stepSize())
            .setSubsamplingRate(candidate.subsample())
            .setMaxBins(MAX_BINS).setMinInstancesPerNode(20).setSeed(SEED);
        stages.add(candidate.isBlend() ? trees.setProbabilityCol(TREE_PROBABILITY).setRawPredictionCol(TREE_RAW)
            .setPredictionCol(TREE_PREDICTION) : trees.setProbabilityCol(PROBABILITY));
      }
    }
    if (candidate.usesTrees() && !candidate.isBlend()) {
      return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
    }
    // The linear model: the imputed values, log-scaled where configured (the median of ln(1 + x) is
    // ln(1 + the median of x), so imputing first is the same), the missing flags and the categories
    // one-hot encoded, standardised. A logistic regression alone reads them as its assembled vector.
    String linearInputs = candidate.isBlend() ? LINEAR_INPUTS : ASSEMBLED;
    StringBuilder linear = new StringBuilder("SELECT *");
    List<String> inputs = new ArrayList<>();
    for (String c : numeric) {
      String v = c + VALUE_SLOT;
      linear.append(", ").append(logScaled.contains(c) ? "ln(1 + greatest(" + v + ", 0))" : v).append(" AS ")
          .append(c).append(LINEAR_VALUE_SLOT);
      inputs.add(c + LINEAR_VALUE_SLOT);
    }
    stages.add(new SQLTransformer().setStatement(linear.append(" FROM __THIS__").toString()));
    inputs.addAll(flags);
    if (!categorical.isEmpty()) {
      String[] encoded = categorical.stream().map(c -> c + "__vec").toArray(String[]::new);
      stages.add(new OneHotEncoder().setInputCols(indexed).setOutputCols(encoded).setDropLast(true)
          .setHandleInvalid("keep"));
      inputs.addAll(List.of(encoded));
    }
    stages.add(new VectorAssembler().setInputCols(inputs.toArray(String[]::new)).setOutputCol(linearInputs));
    stages.add(new StandardScaler().setInputCol(linearInputs).setOutputCol(STANDARDISED).setWithMean(true)
        .setWithStd(true));
    LogisticRegression regression = new LogisticRegression().setFeaturesCol(STANDARDISED).setLabelCol(LABEL)
        .setWeightCol(WEIGHT).setRegParam(candidate.regParam()).setElasticNetParam(candidate.elasticNet())
        .setMaxIter(200).setStandardization(false);
    stages.add(candidate.isBlend() ? regression.setProbabilityCol(LINEAR_PROBABILITY)
        .setRawPredictionCol("linear_raw").setPredictionCol("linear_prediction")
        : regression.setProbabilityCol(PROBABILITY));
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  /**
   * Spark setting naming the address XGBoost's tracker listens on, for a driver whose default
   * address its executors cannot reach (several interfaces); unset, XGBoost takes the driver's.
   */
  public static final String XGBOOST_TRACKER_HOST = "spark.churnducks.xgboost.trackerHost";

  /**
   * XGBoost's classifier on the assembled vector (stored densely: {@link DenseFeatures}): histogram
   * trees with the same bins as MLlib's, one worker per core of the cluster (its workers train
   * together, so they start together), no missing value (the pipeline imputed them and says so in
   * the missing slots, so NaN never reaches it). Category indices are split on as ordered numbers.
   */
  private static XGBoostClassifier xgboost(Candidate candidate) {
    XGBoostClassifier classifier = QuietXgboostClassifier.create();
    classifier.setObjective("binary:logistic");
    classifier.setTreeMethod("hist");
    classifier.setMaxDepth(candidate.maxDepth());
    classifier.setNumRound(candidate.trees());
    classifier.setEta(candidate.stepSize());
    classifier.setSubsample(candidate.subsample());
    classifier.setLambda(candidate.regParam());
    classifier.setMinChildWeight(candidate.minChildWeight());
    classifier.setMaxBins(MAX_BINS);
    classifier.setSeed(SEED);
    SparkSession spark = SparkSession.active();
    classifier.setNumWorkers(spark.sparkContext().defaultParallelism());
    // The rows spread evenly over the workers, however the fold's filter left the partitions.
    classifier.setForceRepartition(true);
    if (spark.conf().contains(XGBOOST_TRACKER_HOST)) {
      classifier.setRabitTrackerHostIp(spark.conf().get(XGBOOST_TRACKER_HOST));
    }
    classifier.setMissing(Float.NaN);
    classifier.setWeightCol(WEIGHT);
    classifier.setFeaturesCol(ASSEMBLED);
    classifier.setLabelCol(LABEL);
    classifier.setProbabilityCol(PROBABILITY);
    return classifier;
  }
}
