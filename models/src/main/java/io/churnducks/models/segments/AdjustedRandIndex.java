package io.churnducks.models.segments;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Agreement of two labellings of the same rows, corrected for chance (Hubert and Arabie): 1 when
 * they group the rows identically, about 0 for unrelated labellings. Computed from the contingency
 * table (one count per pair of labels, aggregated by Spark), so it measures segments against any
 * reference grouping (hidden customer types, last month's segments) at any size.
 */
public final class AdjustedRandIndex {

  private AdjustedRandIndex() {}

  /** The index of columns {@code a} and {@code b} of {@code rows} (rows with a null label are left out). */
  public static double of(Dataset<Row> rows, String a, String b) {
    List<Row> table = rows.where(rows.col(a).isNotNull().and(rows.col(b).isNotNull()))
        .groupBy(a, b).count().collectAsList();
    Map<Object, Double> rowSums = new HashMap<>();
    Map<Object, Double> colSums = new HashMap<>();
    double pairs = 0;
    double n = 0;
    for (Row r : table) {
      double c = r.getLong(2);
      pairs += choose2(c);
      n += c;
      rowSums.merge(r.get(0), c, Double::sum);
      colSums.merge(r.get(1), c, Double::sum);
    }
    double sa = rowSums.values().stream().mapToDouble(AdjustedRandIndex::choose2).sum();
    double sb = colSums.values().stream().mapToDouble(AdjustedRandIndex::choose2).sum();
    double expected = n < 2 ? 0 : sa * sb / choose2(n);
    double max = (sa + sb) / 2;
    return max == expected ? 1.0 : (pairs - expected) / (max - expected);
  }

  private static double choose2(double n) {
    return n * (n - 1) / 2;
  }
}
