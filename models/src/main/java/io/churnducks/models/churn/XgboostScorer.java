package io.churnducks.models.churn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ml.dmlc.xgboost4j.java.XGBoostError;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import org.apache.spark.ml.linalg.Vector;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An XGBoost model's churn probability of one vector, computed in Java from the model's own JSON
 * (its trees and base score), the way XGBoost computes it: each tree is walked from the root, left
 * when the value (as a 32-bit float, as XGBoost reads it) is below the split condition, and the
 * leaves' values are added to the base margin; the probability is the logistic of the sum.
 * XGBoost's Spark model only predicts whole data sets, while {@link ReasonCodes} asks for one
 * vector at a time with one indicator substituted. A test holds it to the model's own scores.
 */
final class XgboostScorer implements ReasonCodes.Scorer {

  private final double baseMargin;
  private final int[][] feature;
  private final float[][] condition;
  private final int[][] left;
  private final int[][] right;
  private final boolean[][] defaultLeft;

  private XgboostScorer(double baseMargin, int[][] feature, float[][] condition, int[][] left, int[][] right,
      boolean[][] defaultLeft) {
    this.baseMargin = baseMargin;
    this.feature = feature;
    this.condition = condition;
    this.left = left;
    this.right = right;
    this.defaultLeft = defaultLeft;
  }

  static XgboostScorer of(XGBoostClassificationModel model) {
    try {
      return parse(new ObjectMapper().readTree(model.nativeBooster().toByteArray("json")));
    } catch (XGBoostError e) {
      throw new IllegalStateException("Cannot read the trees of an XGBoost churn model: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the trees of an XGBoost churn model", e);
    }
  }

  /** From XGBoost's JSON model format (learner → gradient_booster → model → trees). */
  static XgboostScorer parse(JsonNode json) {
    JsonNode learner = json.path("learner");
    String objective = learner.path("objective").path("name").asText();
    if (!"binary:logistic".equals(objective)) {
      throw new IllegalStateException("An XGBoost churn model must use binary:logistic, not '" + objective + "'");
    }
    // One value, written "5E-1" or, since XGBoost 3, "[5E-1]".
    double base = Double.parseDouble(learner.path("learner_model_param").path("base_score").asText()
        .replaceAll("[\\[\\]]", ""));
    JsonNode trees = learner.path("gradient_booster").path("model").path("trees");
    int n = trees.size();
    int[][] feature = new int[n][];
    float[][] condition = new float[n][];
    int[][] left = new int[n][];
    int[][] right = new int[n][];
    boolean[][] defaultLeft = new boolean[n][];
    for (int t = 0; t < n; t++) {
      JsonNode tree = trees.get(t);
      feature[t] = ints(tree.path("split_indices"));
      left[t] = ints(tree.path("left_children"));
      right[t] = ints(tree.path("right_children"));
      JsonNode conditions = tree.path("split_conditions");
      condition[t] = new float[conditions.size()];
      for (int i = 0; i < condition[t].length; i++) {
        condition[t][i] = (float) conditions.get(i).asDouble();
      }
      JsonNode defaults = tree.path("default_left");
      defaultLeft[t] = new boolean[defaults.size()];
      for (int i = 0; i < defaultLeft[t].length; i++) {
        JsonNode d = defaults.get(i);
        defaultLeft[t][i] = d.isBoolean() ? d.asBoolean() : d.asInt() != 0;
      }
    }
    return new XgboostScorer(Math.log(base / (1 - base)), feature, condition, left, right, defaultLeft);
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  /** The model's margin (log-odds) of {@code x}. */
  double margin(Vector x) {
    double sum = baseMargin;
    for (int t = 0; t < left.length; t++) {
      int node = 0;
      while (left[t][node] != -1) {
        float v = (float) x.apply(feature[t][node]);
        boolean goLeft = Float.isNaN(v) ? defaultLeft[t][node] : v < condition[t][node];
        node = goLeft ? left[t][node] : right[t][node];
      }
      // A leaf's split condition holds its value.
      sum += condition[t][node];
    }
    return sum;
  }

  @Override
  public double probability(Vector x) {
    return 1 / (1 + Math.exp(-margin(x)));
  }
}
