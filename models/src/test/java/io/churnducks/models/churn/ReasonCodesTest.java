package io.churnducks.models.churn;

import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.attribute.NumericAttribute;
import org.apache.spark.ml.linalg.Vectors;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class ReasonCodesTest {

  private static ReasonCodes codes(double[] coefficients, int keep) {
    Attribute[] attrs = {
        NumericAttribute.defaultAttr().withName("events_28d__imp"),
        NumericAttribute.defaultAttr().withName("tickets_90d__imp"),
        NumericAttribute.defaultAttr().withName("last_nps__imp"),
        NumericAttribute.defaultAttr().withName("industry__vec_Retail"),
    };
    return ReasonCodes.of(new AttributeGroup("features_raw", attrs).toStructField(), coefficients, keep);
  }

  @Test
  void reasonsAreTheLargestPositiveContributionsWithTheirDirection() {
    ReasonCodes r = codes(new double[] {-1.0, 0.8, -0.5, 3.0}, 2);
    // events far below average (-2 sd × -1.0 = +2.0), tickets above (1.5 × 0.8 = 1.2), nps above (lowers risk).
    assertArrayEquals(new String[] {"events_28d low", "tickets_90d high"},
        r.explain(Vectors.dense(-2.0, 1.5, 1.0, 1.0)));
  }

  @Test
  void categoriesAndRiskLoweringIndicatorsAreNeverReasons() {
    ReasonCodes r = codes(new double[] {-1.0, 0.8, -0.5, 3.0}, 3);
    assertArrayEquals(new String[] {}, r.explain(Vectors.dense(1.0, -1.0, 1.0, 2.0)));
    assertArrayEquals(new String[] {"last_nps low"}, r.explain(Vectors.dense(0.5, 0.0, -1.0, 2.0)));
  }
}
