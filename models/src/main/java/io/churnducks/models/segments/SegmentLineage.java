package io.churnducks.models.segments;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Keeps segment ids from one run to the next. Tonight's centres are matched to the previous run's
 * centres by optimal assignment (the Hungarian method, minimising the total distance), both in
 * tonight's standard deviations (the previous centres are restated through both runs' scalings). A
 * centre matched within {@code maxDistance} keeps the previous id (and, when it still fits, the
 * name); the others get new ids above every id used before; previous segments left unmatched are
 * reported as vanished.
 *
 * @param ids       segment id per tonight's centre
 * @param kept      per centre, the previous (name, evidence) when the id was kept
 * @param distances per centre, the distance to the matched previous centre (NaN when new)
 * @param vanished  ids of previous segments no centre matched
 */
public record SegmentLineage(int[] ids, List<Optional<String[]>> kept, double[] distances, List<Integer> vanished) {

  /** Ids 0..k-1 and nothing kept: the first run. */
  public static SegmentLineage first(int k) {
    double[] d = new double[k];
    Arrays.fill(d, Double.NaN);
    List<Optional<String[]>> none = new ArrayList<>();
    for (int j = 0; j < k; j++) {
      none.add(Optional.empty());
    }
    return new SegmentLineage(java.util.stream.IntStream.range(0, k).toArray(), none, d, List.of());
  }

  /**
   * Matches {@code today}'s centres to {@code previous}'s. A model that carried over the previous
   * run's segments ({@link DuckSegmentModel#continues()}) is matched by construction: each centre
   * continues the segment its customers started in, however far the refinement moved its centre.
   */
  public static SegmentLineage align(DuckSegmentModel today, DuckSegmentModel previous, double maxDistance) {
    int k = today.k();
    int p = previous.k();
    double[][] cost = new double[k][p];
    for (int j = 0; j < k; j++) {
      double[] mine = today.centre(j);
      for (int q = 0; q < p; q++) {
        double[] theirs = today.scaling().restate(previous.centre(q), previous.scaling());
        double s = 0;
        for (int i = 0; i < mine.length; i++) {
          s += (mine[i] - theirs[i]) * (mine[i] - theirs[i]);
        }
        cost[j][q] = Math.sqrt(s);
      }
    }
    Optional<int[]> continues = today.continues();
    int[] match = continues.orElseGet(() -> assign(cost));
    double limit = continues.isPresent() ? Double.POSITIVE_INFINITY : maxDistance;
    int next = 0;
    for (int q = 0; q < p; q++) {
      next = Math.max(next, previous.id(q) + 1);
    }
    int[] ids = new int[k];
    double[] distances = new double[k];
    List<Optional<String[]>> kept = new ArrayList<>();
    boolean[] used = new boolean[p];
    for (int j = 0; j < k; j++) {
      int q = match[j];
      if (q >= 0 && cost[j][q] <= limit) {
        ids[j] = previous.id(q);
        distances[j] = cost[j][q];
        kept.add(Optional.of(new String[] {previous.name(q), previous.evidence(q)}));
        used[q] = true;
      } else {
        ids[j] = next++;
        distances[j] = Double.NaN;
        kept.add(Optional.empty());
      }
    }
    List<Integer> vanished = new ArrayList<>();
    for (int q = 0; q < p; q++) {
      if (!used[q]) {
        vanished.add(previous.id(q));
      }
    }
    return new SegmentLineage(ids, kept, distances, vanished);
  }

  /**
   * Minimum-cost assignment of rows to columns (Hungarian method, O(n³)); a rectangular matrix is
   * padded with zero-cost dummies.
   *
   * @return for each row, its column, or -1 when it got a dummy
   */
  static int[] assign(double[][] cost) {
    int rows = cost.length;
    int cols = rows == 0 ? 0 : cost[0].length;
    int n = Math.max(rows, cols);
    double[][] a = new double[n + 1][n + 1];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        a[i + 1][j + 1] = cost[i][j];
      }
    }
    double[] u = new double[n + 1];
    double[] v = new double[n + 1];
    int[] colOwner = new int[n + 1];
    int[] way = new int[n + 1];
    for (int i = 1; i <= n; i++) {
      colOwner[0] = i;
      int j0 = 0;
      double[] minv = new double[n + 1];
      Arrays.fill(minv, Double.POSITIVE_INFINITY);
      boolean[] done = new boolean[n + 1];
      do {
        done[j0] = true;
        int i0 = colOwner[j0];
        double delta = Double.POSITIVE_INFINITY;
        int j1 = 0;
        for (int j = 1; j <= n; j++) {
          if (!done[j]) {
            double cur = a[i0][j] - u[i0] - v[j];
            if (cur < minv[j]) {
              minv[j] = cur;
              way[j] = j0;
            }
            if (minv[j] < delta) {
              delta = minv[j];
              j1 = j;
            }
          }
        }
        for (int j = 0; j <= n; j++) {
          if (done[j]) {
            u[colOwner[j]] += delta;
            v[j] -= delta;
          } else {
            minv[j] -= delta;
          }
        }
        j0 = j1;
      } while (colOwner[j0] != 0);
      do {
        int j1 = way[j0];
        colOwner[j0] = colOwner[j1];
        j0 = j1;
      } while (j0 != 0);
    }
    int[] out = new int[rows];
    Arrays.fill(out, -1);
    for (int j = 1; j <= n; j++) {
      int i = colOwner[j];
      if (i >= 1 && i <= rows && j <= cols) {
        out[i - 1] = j - 1;
      }
    }
    return out;
  }
}
