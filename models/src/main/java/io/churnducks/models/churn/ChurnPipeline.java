package io.churnducks.models.churn;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;

import java.util.ArrayList;
import java.util.List;

/**
 * The churn model as one Spark ML pipeline: heavy-tailed counts are log-scaled, missing values
 * imputed with the training median, categories one-hot encoded (unseen categories kept in an
 * extra slot), everything standardised, then a logistic regression. Because the regression sees
 * standardised inputs, coefficient × input is each indicator's share of an account's log-odds,
 * which is what {@link ReasonCodes} reads.
 */
public final class ChurnPipeline {

  /** Column holding the label (1.0 = churned within the horizon). */
  public static final String LABEL = "label";
  /** Column holding the standardised feature vector the regression reads. */
  public static final String FEATURES = "features";
  /** Column holding the probability vector; index 1 is the churn probability. */
  public static final String PROBABILITY = "probability";

  private ChurnPipeline() {}

  /**
   * @param numeric     numeric indicator columns (nulls allowed)
   * @param logScaled   subset of {@code numeric} to pass through ln(1 + max(x, 0)) first
   * @param categorical string columns to one-hot encode
   */
  public static Pipeline build(List<String> numeric, List<String> logScaled, List<String> categorical,
      ChurnModelSettings settings) {
    List<PipelineStage> stages = new ArrayList<>();
    StringBuilder sql = new StringBuilder("SELECT *");
    List<String> prepared = new ArrayList<>();
    for (String c : numeric) {
      String expr = logScaled.contains(c) ? "ln(1 + greatest(CAST(" + c + " AS DOUBLE), 0))" : "CAST(" + c + " AS DOUBLE)";
      sql.append(", ").append(expr).append(" AS ").append(c).append("__x");
      prepared.add(c + "__x");
    }
    stages.add(new SQLTransformer().setStatement(sql.append(" FROM __THIS__").toString()));
    List<String> imputed = prepared.stream().map(c -> c.replace("__x", "")).toList();
    stages.add(new Imputer().setStrategy("median")
        .setInputCols(prepared.toArray(String[]::new))
        .setOutputCols(imputed.stream().map(c -> c + "__imp").toArray(String[]::new)));
    List<String> assembled = new ArrayList<>(imputed.stream().map(c -> c + "__imp").toList());
    for (String c : categorical) {
      stages.add(new StringIndexer().setInputCol(c).setOutputCol(c + "__idx").setHandleInvalid("keep")
          .setStringOrderType("alphabetAsc"));
      stages.add(new OneHotEncoder().setInputCol(c + "__idx").setOutputCol(c + "__vec").setDropLast(true)
          .setHandleInvalid("keep"));
      assembled.add(c + "__vec");
    }
    stages.add(new VectorAssembler().setInputCols(assembled.toArray(String[]::new)).setOutputCol("features_raw"));
    stages.add(new StandardScaler().setInputCol("features_raw").setOutputCol(FEATURES).setWithMean(true).setWithStd(true));
    stages.add(new LogisticRegression().setFeaturesCol(FEATURES).setLabelCol(LABEL)
        .setProbabilityCol(PROBABILITY).setRegParam(settings.regParam()).setElasticNetParam(settings.elasticNet())
        .setMaxIter(200).setStandardization(false));
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }
}
