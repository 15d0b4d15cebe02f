package io.churnducks.features.relevance;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class MultipleTestingTest {

  @Test
  void holmMultipliesTheKthSmallestByTheHypothesesLeftAndKeepsTheOrder() {
    // Sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 raised to 0.06; 0.5 x 4 capped at 1.
    assertArrayEquals(new double[] {0.03, 0.06, 0.06, 0.02},
        MultipleTesting.holm(new double[] {0.01, 0.04, 0.03, 0.005}), 1e-12);
    assertArrayEquals(new double[] {1.0, 1.0}, MultipleTesting.holm(new double[] {0.5, 0.9}), 1e-12);
  }
}
