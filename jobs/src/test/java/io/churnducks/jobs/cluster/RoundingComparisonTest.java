package io.churnducks.jobs.cluster;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import scala.collection.JavaConverters;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the cluster test pairs up rows left over after the exact comparison. */
class RoundingComparisonTest {

  private static Row row(double top, double nested, String label) {
    Row bucket = RowFactory.create(label, 3L, nested);
    return RowFactory.create("usage_cost_28d", top, JavaConverters.asScalaBuffer(List.of(bucket)));
  }

  @Test
  void doublesOneRoundingStepApartAtAnyDepthAreTheSame() {
    assertTrue(StandaloneClusterIT.sameWithinRounding(row(36433.045146554, 0.009057707833932433, "0 to 1"),
        row(36433.045146553, 0.009057707833931018, "0 to 1")));
  }

  @Test
  void realDifferencesAreNot() {
    assertFalse(StandaloneClusterIT.sameWithinRounding(row(0.300687599, 0.5, "0 to 1"),
        row(0.300657174, 0.5, "0 to 1")), "top-level double");
    assertFalse(StandaloneClusterIT.sameWithinRounding(row(1.0, 0.25, "0 to 1"), row(1.0, 0.2501, "0 to 1")),
        "nested double");
    assertFalse(StandaloneClusterIT.sameWithinRounding(row(1.0, 0.25, "0 to 1"), row(1.0, 0.25, "0 to 2")),
        "nested string");
  }
}
