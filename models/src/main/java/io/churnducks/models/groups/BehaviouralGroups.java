package io.churnducks.models.groups;

import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.stat.Correlation;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * Behavioural groups: indicators that move together (events, active days and active users over
 * 28 days are one behaviour seen three ways) clustered by correlation distance, as metric grouping
 * does. The distance of two indicators is 1 − |Spearman ρ|; groups are merged by average linkage
 * while their average |ρ| is at least {@link #MIN_CORRELATION}. A group is named after its two
 * most central members (highest mean |ρ| to the others), e.g. {@code events_28d & active_days_28d (+3)}.
 *
 * <p>The correlations are computed by Spark on at most {@link #SAMPLE_ROWS} examples (a sample
 * tells the correlation structure as well as all rows); only the indicators × indicators matrix
 * reaches the driver.
 */
public final class BehaviouralGroups {

  private BehaviouralGroups() {}

  /** Smallest average |Spearman ρ| within a group. */
  public static final double MIN_CORRELATION = 0.6;
  /** Most examples the correlations are computed on. */
  static final long SAMPLE_ROWS = 50_000;

  /**
   * @return indicator → group name, for the indicators that belong to a group of two or more
   *         (constant indicators and loners have none)
   */
  public static Map<String, String> of(Dataset<Row> examples, List<String> indicators) {
    if (indicators.size() < 2) {
      return Map.of();
    }
    long rows = examples.count();
    Dataset<Row> sample = rows > SAMPLE_ROWS ? examples.sample(false, (double) SAMPLE_ROWS / rows, 7L) : examples;
    List<String> cast = new ArrayList<>();
    List<Column> columns = new ArrayList<>();
    for (int i = 0; i < indicators.size(); i++) {
      cast.add("_c" + i);
      columns.add(col(indicators.get(i)).cast("double").as("_c" + i));
    }
    Dataset<Row> numbers = sample.select(columns.toArray(Column[]::new));
    String[] names = cast.toArray(String[]::new);
    Dataset<Row> imputed = new Imputer().setStrategy("median").setInputCols(names).setOutputCols(names)
        .fit(numbers).transform(numbers);
    Dataset<Row> vectors = new VectorAssembler().setInputCols(names).setOutputCol("_v").setHandleInvalid("keep")
        .transform(imputed).select("_v");
    Matrix rho = Correlation.corr(vectors, "_v", "spearman").first().getAs(0);
    int n = indicators.size();
    double[][] similarity = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double r = rho.apply(i, j);
        similarity[i][j] = Double.isNaN(r) ? 0.0 : Math.abs(r);
      }
    }
    return name(cluster(similarity), similarity, indicators);
  }

  /** Average-linkage agglomeration on |ρ|: merge the closest pair while its average |ρ| ≥ the minimum. */
  static List<List<Integer>> cluster(double[][] similarity) {
    List<List<Integer>> groups = new ArrayList<>();
    for (int i = 0; i < similarity.length; i++) {
      groups.add(new ArrayList<>(List.of(i)));
    }
    while (true) {
      double best = -1;
      int a = -1;
      int b = -1;
      for (int i = 0; i < groups.size(); i++) {
        for (int j = i + 1; j < groups.size(); j++) {
          double s = average(groups.get(i), groups.get(j), similarity);
          if (s > best) {
            best = s;
            a = i;
            b = j;
          }
        }
      }
      if (a < 0 || best < MIN_CORRELATION) {
        return groups;
      }
      groups.get(a).addAll(groups.remove(b));
    }
  }

  private static double average(List<Integer> x, List<Integer> y, double[][] similarity) {
    double sum = 0;
    for (int i : x) {
      for (int j : y) {
        sum += similarity[i][j];
      }
    }
    return sum / (x.size() * y.size());
  }

  private static Map<String, String> name(List<List<Integer>> groups, double[][] similarity, List<String> indicators) {
    Map<String, String> out = new LinkedHashMap<>();
    for (List<Integer> g : groups) {
      if (g.size() < 2) {
        continue;
      }
      List<Integer> central = g.stream().sorted(Comparator.comparingDouble((Integer i) -> -average(List.of(i),
          g.stream().filter(j -> !j.equals(i)).toList(), similarity)).thenComparing(indicators::get)).toList();
      String name = indicators.get(central.get(0)) + " & " + indicators.get(central.get(1))
          + (g.size() > 2 ? " (+" + (g.size() - 2) + ")" : "");
      g.forEach(i -> out.put(indicators.get(i), name));
    }
    return out;
  }
}
