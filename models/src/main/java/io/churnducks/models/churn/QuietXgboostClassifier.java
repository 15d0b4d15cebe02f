package io.churnducks.models.churn;

import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.util.Arrays;

/**
 * XGBoost's Spark classifier without its per-round training log. XGBoost prints the training set's
 * log loss after every boosting round (200 lines per model, 800 per backtested candidate) unless the
 * booster's parameters hold {@code verbose_eval = 0}, a setting its Spark estimator does not declare
 * (and Java cannot subclass the Scala estimator to declare it). The estimator passes every parameter
 * it lists and that is set to the booster by name, so this adds {@code verbose_eval} to the list
 * Spark keeps of the estimator's parameters and sets it to 0; should a later Spark keep that list
 * elsewhere, training goes on and prints as before, with one warning saying so. Verbosity 0 keeps
 * the booster from warning that it does not use {@code verbose_eval} itself (an error still fails
 * the training with XGBoost's message).
 */
final class QuietXgboostClassifier {

  private static final Logger LOG = LoggerFactory.getLogger(QuietXgboostClassifier.class);

  /** XGBoost's name of the setting: print the evaluation every this many rounds, 0 never. */
  static final String VERBOSE_EVAL = "verbose_eval";

  private QuietXgboostClassifier() {}

  /** A new classifier that trains without printing every round's evaluation. */
  static XGBoostClassifier create() {
    XGBoostClassifier classifier = new XGBoostClassifier();
    classifier.setVerbosity(0);
    try {
      Param<?>[] listed = classifier.params();
      IntParam verboseEval = new IntParam(classifier, VERBOSE_EVAL,
          "print the training evaluation every this many rounds (0: never)");
      Param<?>[] more = Arrays.copyOf(listed, listed.length + 1);
      more[listed.length] = verboseEval;
      Field params = PipelineStage.class.getDeclaredField("params");
      params.setAccessible(true);
      params.set(classifier, more);
      classifier.set(verboseEval, 0);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("XGBoost will print its training log loss every round (cannot set {}: {})", VERBOSE_EVAL, e);
    }
    return classifier;
  }
}
