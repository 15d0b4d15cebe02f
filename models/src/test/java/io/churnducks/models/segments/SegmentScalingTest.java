package io.churnducks.models.segments;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SegmentScalingTest extends SparkTestBase {

  private static final double[] TICKETS = {0, 0, 0, 1, 2, 3, 5, 8};
  private static final double[] INTENT = {0, 0, 1, 1, 2, 4, 6, 9};
  private static final double[] SHARE = {0.0, 0.1, 0.25, 0.3, 0.5, 0.55, 0.7, 0.9};

  private Dataset<Row> population() {
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < TICKETS.length; i++) {
      values.append(i == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "(%d, %d, %s)",
          (int) TICKETS[i], (int) INTENT[i], SHARE[i]));
    }
    // One customer without a ticket count: a missing value is no fraction.
    values.append(", (NULL, 3, 0.4)");
    return spark().sql("SELECT * FROM VALUES " + values + " AS t(tickets, intent, share)");
  }

  @Test
  void aWholeNumberedIndicatorCarriesTheVarianceOfItsCountingStepAndAFractionalOneNone() {
    SegmentScaling scaling = SegmentScaling.learn(population(), List.of("tickets", "intent", "share"),
        List.of("intent"), new double[] {1.0, 0.5, 1.0});

    double[] variance = scaling.countingVariance(population());

    // tickets: grid step 1 in a standard deviation of the counts (the missing one imputed by the median).
    double ticketsSd = sd(append(TICKETS, scaling.median()[0]));
    assertEquals(Math.pow(1 / ticketsSd, 2) / 12, variance[0], 1e-9);
    // intent: ln(1 + x), whose widest step is the first, ln 2, at weight 0.5.
    double[] logIntent = Arrays.stream(append(INTENT, 3)).map(Math::log1p).toArray();
    assertEquals(Math.pow(Math.log(2) * 0.5 / sd(logIntent), 2) / 12, variance[1], 1e-9);
    assertEquals(0.0, variance[2], 0.0);
  }

  private static double[] append(double[] values, double extra) {
    double[] out = Arrays.copyOf(values, values.length + 1);
    out[values.length] = extra;
    return out;
  }

  private static double sd(double[] values) {
    double mean = Arrays.stream(values).average().orElseThrow();
    return Math.sqrt(Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / values.length);
  }
}
