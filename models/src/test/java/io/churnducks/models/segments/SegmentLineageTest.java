package io.churnducks.models.segments;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentLineageTest {

  @Test
  void theAssignmentMinimisesTheTotalWhereGreedyWouldNot() {
    // Greedy takes (0,0)=1 first and must then pay (1,1)=100; the optimum is 2 + 3.
    double[][] cost = {{1, 2}, {3, 100}};
    assertArrayEquals(new int[] {1, 0}, SegmentLineage.assign(cost));
    // More rows than columns: one row gets no partner.
    int[] rect = SegmentLineage.assign(new double[][] {{5}, {1}, {9}});
    assertArrayEquals(new int[] {-1, 0, -1}, rect);
  }

  private static SegmentScaling unit(int dims) {
    double[] zero = new double[dims];
    double[] one = new double[dims];
    java.util.Arrays.fill(one, 1.0);
    List<String> cols = java.util.stream.IntStream.range(0, dims).mapToObj(i -> "c" + i).toList();
    return new SegmentScaling(cols, new boolean[dims], zero, zero, zero, zero, one, one);
  }

  /** Segments centred on {@code centres} (unit spread, equal shares). */
  private static GaussianClusters clusters(double[]... centres) {
    double[][][] identity = new double[centres.length][2][2];
    for (double[][] m : identity) {
      m[0][0] = 1;
      m[1][1] = 1;
    }
    return new GaussianClusters(centres, identity, new double[centres.length]);
  }

  private static DuckSegmentModel model(int[] ids, String[] names, double[]... centres) {
    return new DuckSegmentModel("m", unit(2), clusters(centres), List.of(), null).labelled(ids, names,
        java.util.Arrays.stream(names).map(n -> "").toArray(String[]::new));
  }

  @Test
  void centresKeepTheIdsOfTheirPredecessorsNewOnesGetFreshIdsAndGoneOnesAreReported() {
    DuckSegmentModel before = model(new int[] {3, 5, 8}, new String[] {"A", "B", "C"},
        new double[] {0, 0}, new double[] {4, 0}, new double[] {0, 4});
    // Tonight: B and A moved slightly and came out in another order; C is gone; one centre is new.
    DuckSegmentModel tonight = new DuckSegmentModel("m", unit(2), clusters(new double[] {4.2, 0.1},
        new double[] {-0.1, 0.2}, new double[] {-4, -4}), List.of(), null);
    SegmentLineage l = SegmentLineage.align(tonight, before, 1.5);
    assertArrayEquals(new int[] {5, 3, 9}, l.ids());
    assertEquals("B", l.kept().get(0).orElseThrow()[0]);
    assertTrue(l.kept().get(2).isEmpty());
    assertEquals(List.of(8), l.vanished());
  }

  @Test
  void carriedOverSegmentsKeepTheIdsOfTheSegmentsTheirCustomersStartedInHoweverFarTheyMoved() {
    DuckSegmentModel before = model(new int[] {3, 5, 8}, new String[] {"A", "B", "C"},
        new double[] {0, 0}, new double[] {4, 0}, new double[] {0, 4});
    // Refined from the previous partition: centre 0 continues B (and drifted 3 sd), centre 1
    // continues A; C's customers were dissolved into the others.
    DuckSegmentModel tonight = new DuckSegmentModel("m", unit(2), clusters(new double[] {4, 3},
        new double[] {0.1, 0}), List.of(), null).continuing(new int[] {1, 0});
    SegmentLineage l = SegmentLineage.align(tonight, before, 1.5);
    assertArrayEquals(new int[] {5, 3}, l.ids());
    assertEquals("B", l.kept().get(0).orElseThrow()[0]);
    assertEquals(3.0, l.distances()[0], 1e-9);
    assertEquals(List.of(8), l.vanished());
  }
}
