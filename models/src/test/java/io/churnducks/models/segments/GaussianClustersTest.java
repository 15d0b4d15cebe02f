package io.churnducks.models.segments;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GaussianClustersTest {

  /** One-dimensional segments: mean, standard deviation, share. */
  private static GaussianClusters oneDimensional(double[] mean, double[] sd, double[] share) {
    double[][] means = new double[mean.length][];
    double[][][] inverse = new double[mean.length][][];
    double[] constants = new double[mean.length];
    for (int g = 0; g < mean.length; g++) {
      means[g] = new double[] {mean[g]};
      inverse[g] = new double[][] {{1 / sd[g]}};
      constants[g] = Math.log(share[g]) - Math.log(sd[g]) - 0.5 * Math.log(2 * Math.PI);
    }
    return new GaussianClusters(means, inverse, constants);
  }

  private static double normal(double x, double mean, double sd) {
    return Math.exp(-0.5 * Math.pow((x - mean) / sd, 2)) / (sd * Math.sqrt(2 * Math.PI));
  }

  @Test
  void theMixtureLikelihoodSumsEverySegmentsShareTimesDensity() {
    GaussianClusters g = oneDimensional(new double[] {0, 3}, new double[] {1, 2}, new double[] {0.3, 0.7});
    for (double x : new double[] {-2, 0.5, 1.7, 3, 40}) {
      double[] best = g.bestWithMixture(new double[] {x});
      double expected = Math.log(0.3 * normal(x, 0, 1) + 0.7 * normal(x, 3, 2));
      assertEquals(expected, best[2], 1e-9 * Math.max(1, Math.abs(expected)), "x = " + x);
      assertArrayEquals(g.best(new double[] {x}), new double[] {best[0], best[1]}, "x = " + x);
    }
    // Far out, the sum is its largest term: no underflow to -infinity.
    double far = g.bestWithMixture(new double[] {-60})[2];
    assertTrue(Double.isFinite(far), "finite at -60: " + far);
  }

  @Test
  void aCustomerStaysInItsSegmentUntilAnotherIsSwitchRatioTimesAsLikely() {
    GaussianClusters g = oneDimensional(new double[] {0, 3}, new double[] {1, 1}, new double[] {0.5, 0.5});
    double margin = Math.log(3);
    // At 1.6 segment 1 is e^0.3 = 1.35 times as likely as segment 0: a customer in 0 stays there.
    assertEquals(1, (int) g.best(new double[] {1.6})[0]);
    assertEquals(0, g.stickyBest(new double[] {1.6}, 0, margin));
    // At 2.5 it is e^3 = 20 times as likely: the customer moves.
    assertEquals(1, g.stickyBest(new double[] {2.5}, 0, margin));
    // Without a previous segment (or one this model does not have) the most likely one.
    assertEquals(1, g.stickyBest(new double[] {1.6}, null, margin));
    assertEquals(1, g.stickyBest(new double[] {1.6}, 7, margin));
    // A margin of 0 is the most likely segment.
    assertEquals(1, g.stickyBest(new double[] {1.6}, 0, 0));
  }

  @Test
  void theMessageLengthPricesASegmentsParametersByItsOwnCustomers() {
    // d = 2: a mean and a covariance are 2 + 3 = 5 parameters per segment.
    double n = 1200;
    double length = GaussianClusters.messageLength(-3000, new double[] {0.75, 0.25}, n, 2);
    double expected = 6000 + 2 * (Math.log(n / 12) + 6) + 5 * Math.log(900.0 / 12) + 5 * Math.log(300.0 / 12);
    assertEquals(expected, length, 1e-9);
    // A segment of fewer than 12 customers costs no negative length.
    assertEquals(6000 + 2 * (Math.log(n / 12) + 6) + 5 * Math.log(1195.0 / 12),
        GaussianClusters.messageLength(-3000, new double[] {1195 / n, 5 / n}, n, 2), 1e-9);
    // A 5 % segment's parameters cost less than BIC's ln n each, a whole-population segment's about as much.
    double small = GaussianClusters.messageLength(0, new double[] {0.95, 0.05}, n, 2)
        - GaussianClusters.messageLength(0, new double[] {1.0}, n, 2);
    assertTrue(small < 6 * Math.log(n), "a 5 % segment costs " + small + " < BIC's " + 6 * Math.log(n));
  }
}
