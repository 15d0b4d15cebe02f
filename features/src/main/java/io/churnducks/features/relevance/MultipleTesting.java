package io.churnducks.features.relevance;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/** Corrections of p-values for testing many hypotheses at once. */
final class MultipleTesting {

  private MultipleTesting() {}

  /**
   * Holm's step-down adjustment: the k-th smallest of m p-values (1-based) is multiplied by
   * m − k + 1, and the adjusted values are kept non-decreasing in that order, at most 1. Controls
   * the family-wise error rate like Bonferroni with more power.
   *
   * @return adjusted p-values, in the order of {@code p}
   */
  static double[] holm(double[] p) {
    Integer[] order = IntStream.range(0, p.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
    double[] adjusted = new double[p.length];
    double running = 0;
    for (int k = 0; k < order.length; k++) {
      running = Math.max(running, Math.min(1.0, p[order[k]] * (order.length - k)));
      adjusted[order[k]] = running;
    }
    return adjusted;
  }
}
