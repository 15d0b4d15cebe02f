package io.churnducks.models.churn;

import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.attribute.NumericAttribute;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReasonCodesTest {

  private static final Attribute[] SLOTS = {
      NumericAttribute.defaultAttr().withName("events_28d__imp"),
      NumericAttribute.defaultAttr().withName("tickets_90d__imp"),
      NumericAttribute.defaultAttr().withName("last_nps__imp"),
      NumericAttribute.defaultAttr().withName("industry__vec_Retail"),
  };

  /** A logistic model: log-odds = w · x, typical vector all zeros (standardised inputs). */
  private static ReasonCodes linear(double[] w, int keep) {
    ReasonCodes.Scorer scorer = x -> 1 / (1 + Math.exp(-dot(w, x)));
    return ReasonCodes.of(new AttributeGroup("features_raw", SLOTS).toStructField(), new double[4], scorer, keep,
        java.util.List.of("events_28d"), java.util.Map.of(), java.util.Map.of(), 30);
  }

  private static double dot(double[] w, Vector x) {
    double s = 0;
    for (int i = 0; i < w.length; i++) {
      s += w[i] * x.apply(i);
    }
    return s;
  }

  @Test
  void reasonsAreTheIndicatorsWhoseTypicalValueLowersTheRiskMost() {
    ReasonCodes r = linear(new double[] {-1.0, 0.8, -0.5, 3.0}, 2);
    // events far below typical (-2 × -1.0 = +2.0 log-odds), tickets above (1.5 × 0.8 = 1.2), nps above (lowers risk).
    assertArrayEquals(new String[] {"events_28d low", "tickets_90d high"},
        r.explain(Vectors.dense(-2.0, 1.5, 1.0, 1.0), 10));
  }

  @Test
  void categoriesAndRiskLoweringIndicatorsAreNeverReasons() {
    ReasonCodes r = linear(new double[] {-1.0, 0.8, -0.5, 3.0}, 3);
    assertArrayEquals(new String[] {}, r.explain(Vectors.dense(1.0, -1.0, 1.0, 2.0), 10));
    assertArrayEquals(new String[] {"last_nps low"}, r.explain(Vectors.dense(0.5, 0.0, -1.0, 0.0), 10));
    // Near-certain churn: setting nps to typical moves the probability by less than half a point.
    assertArrayEquals(new String[] {}, r.explain(Vectors.dense(0.5, 0.0, -1.0, 2.0), 10));
  }

  @Test
  void onboardingIndicatorsAreNoReasonsPastOnboarding() {
    ReasonCodes r = linear(new double[] {-1.0, 0.8, -0.5, 0.0}, 2);
    // events_28d is declared an onboarding indicator here: a reason at 10 days, not at 400.
    assertArrayEquals(new String[] {"events_28d low", "tickets_90d high"}, r.explain(Vectors.dense(-2.0, 1.5, 0, 0), 10));
    assertArrayEquals(new String[] {"tickets_90d high"}, r.explain(Vectors.dense(-2.0, 1.5, 0, 0), 400));
    assertArrayEquals(new String[] {"events_28d low", "tickets_90d high"}, r.explain(Vectors.dense(-2.0, 1.5, 0, 0), null));
  }

  @Test
  void anIndicatorIsAReasonOnlyOnTheSideTheCatalogueCallsWorse() {
    // A model that learned (from noise) that very active accounts and many tickets both raise the risk.
    ReasonCodes.Scorer learned = x -> 1 / (1 + Math.exp(-(0.9 * x.apply(0) + 0.8 * x.apply(1))));
    java.util.Map<String, String> better = java.util.Map.of("events_28d", ReasonCodes.HIGHER,
        "tickets_90d", ReasonCodes.LOWER);
    ReasonCodes guarded = ReasonCodes.of(new AttributeGroup("features_raw", SLOTS).toStructField(), new double[4],
        learned, 3, java.util.List.of(), better, java.util.Map.of(), 30);
    ReasonCodes unguarded = ReasonCodes.of(new AttributeGroup("features_raw", SLOTS).toStructField(), new double[4],
        learned, 3, java.util.List.of(), java.util.Map.of(), java.util.Map.of(), 30);
    assertArrayEquals(new String[] {"events_28d high", "tickets_90d high"},
        unguarded.explain(Vectors.dense(2.0, 1.5, 0, 0), 400));
    assertArrayEquals(new String[] {"tickets_90d high"}, guarded.explain(Vectors.dense(2.0, 1.5, 0, 0), 400),
        "many events are no churn reason, whatever the model learned");
    assertThrows(IllegalArgumentException.class, () -> ReasonCodes.of(new AttributeGroup("features_raw", SLOTS)
        .toStructField(), new double[4], learned, 3, java.util.List.of(), java.util.Map.of("events_28d", "more"), java.util.Map.of(), 30));
  }

  @Test
  void aThresholdModelNamesOnlyTheIndicatorThatCrossedIt() {
    // A tree-like model: risk jumps when tickets exceed 3; events do not matter.
    ReasonCodes.Scorer tree = x -> x.apply(1) > 3 ? 0.6 : 0.1;
    ReasonCodes r = ReasonCodes.of(new AttributeGroup("features_raw", SLOTS).toStructField(),
        new double[] {10, 1, 7, 0}, tree, 3, java.util.List.of(), java.util.Map.of(), java.util.Map.of(), 30);
    assertArrayEquals(new String[] {"tickets_90d high"}, r.explain(Vectors.dense(0.0, 5.0, 2.0, 1.0), 10));
    assertArrayEquals(new String[] {}, r.explain(Vectors.dense(0.0, 2.0, 2.0, 1.0), 10));
  }

  @Test
  void indicatorsThatTellOneStoryAreWeighedAsOneReason() {
    // A tree-like model: the risk jumps when users left, which three indicators say alike (any one
    // of them is enough), and rises a little with a low share of key-feature use.
    Attribute[] slots = {
        NumericAttribute.defaultAttr().withName("lost_users_28d__imp"),
        NumericAttribute.defaultAttr().withName("lost_users_90d__imp"),
        NumericAttribute.defaultAttr().withName("lost_user_share_90d__imp"),
        NumericAttribute.defaultAttr().withName("key_feature_share_90d__imp"),
    };
    ReasonCodes.Scorer tree = x -> (x.apply(0) > 1 || x.apply(1) > 1 || x.apply(2) > 1 ? 0.6 : 0.1)
        + (x.apply(3) < -1 ? 0.05 : 0.0);
    java.util.Map<String, String> lost = java.util.Map.of("lost_users_28d", "lost users", "lost_users_90d",
        "lost users", "lost_user_share_90d", "lost users");
    Vector leftAndShallow = Vectors.dense(2.0, 3.0, 2.5, -2.0);
    ReasonCodes alone = ReasonCodes.of(new AttributeGroup("features_raw", slots).toStructField(), new double[4],
        tree, 3, java.util.List.of(), java.util.Map.of(), java.util.Map.of(), 30);
    assertArrayEquals(new String[] {"key_feature_share_90d low"}, alone.explain(leftAndShallow, 400),
        "one at a time, the users who left hide behind each other");
    ReasonCodes grouped = ReasonCodes.of(new AttributeGroup("features_raw", slots).toStructField(), new double[4],
        tree, 3, java.util.List.of(), java.util.Map.of(), lost, 30);
    assertArrayEquals(new String[] {"lost_users_28d high", "key_feature_share_90d low"},
        grouped.explain(leftAndShallow, 400), "the group is the strongest reason, named once");
    assertArrayEquals(new String[] {"key_feature_share_90d low"}, grouped.explain(Vectors.dense(0, 0, 0, -2.0), 400));
  }
}
