package io.churnducks.models.segments;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

/**
 * What distinguishes each segment from the population: for every describing indicator, the
 * segment's mean in the population's standard deviations (after the same log, imputation and
 * clipping as {@link SegmentScaling}), and its plain mean beside the population's plain mean.
 * Computed by one aggregation per segment; k rows reach the driver.
 *
 * @param indicators the describing indicators
 * @param accounts   customers per centre number
 * @param z          standardised mean difference per centre number and indicator
 * @param mean       plain mean per centre number and indicator (NaN when no customer has a value)
 * @param population plain population mean per indicator
 */
public record SegmentProfile(List<String> indicators, long[] accounts, double[][] z, double[][] mean,
    double[] population) {

  /** One indicator on which a segment stands out. */
  public record Distinction(String indicator, double z, double segmentMean, double populationMean) {
    public boolean high() {
      return z > 0;
    }

    /** e.g. {@code tickets_90d high +2.3 sd (8.0 vs 1.2)}. */
    public String describe() {
      return String.format(Locale.ROOT, "%s %s %+.1f sd (%s vs %s)", indicator, high() ? "high" : "low", z,
          number(segmentMean), number(populationMean));
    }
  }

  /** Profiles the segments {@code model} assigns to {@code population}, on {@code indicators}. */
  public static SegmentProfile measure(DuckSegmentModel model, Dataset<Row> population, List<String> indicators,
      List<String> logScaled) {
    SegmentScaling scale = SegmentScaling.learn(population, indicators, logScaled);
    List<Column> aggs = new ArrayList<>();
    for (int i = 0; i < indicators.size(); i++) {
      aggs.add(avg(scale.z(i)));
      aggs.add(avg(col(indicators.get(i)).cast("double")));
    }
    Dataset<Row> numbered = model.withCentre(population, "_centre");
    int k = model.k();
    long[] accounts = new long[k];
    double[][] z = new double[k][indicators.size()];
    double[][] mean = new double[k][indicators.size()];
    for (double[] row : mean) {
      java.util.Arrays.fill(row, Double.NaN);
    }
    for (Row r : numbered.groupBy("_centre").agg(count(lit(1)), aggs.toArray(Column[]::new)).collectAsList()) {
      int j = r.getInt(0);
      accounts[j] = r.getLong(1);
      for (int i = 0; i < indicators.size(); i++) {
        z[j][i] = r.isNullAt(2 + 2 * i) ? 0.0 : r.getDouble(2 + 2 * i);
        mean[j][i] = r.isNullAt(3 + 2 * i) ? Double.NaN : r.getDouble(3 + 2 * i);
      }
    }
    List<Column> overall = new ArrayList<>();
    for (String c : indicators) {
      overall.add(avg(col(c).cast("double")));
    }
    Row p = population.agg(overall.get(0), overall.subList(1, overall.size()).toArray(Column[]::new)).first();
    double[] populationMean = new double[indicators.size()];
    for (int i = 0; i < populationMean.length; i++) {
      populationMean[i] = p.isNullAt(i) ? Double.NaN : p.getDouble(i);
    }
    return new SegmentProfile(List.copyOf(indicators), accounts, z, mean, populationMean);
  }

  /** Standardised difference of centre {@code j} on {@code indicator}; 0 when it is not described. */
  public double z(int j, String indicator) {
    int i = indicators.indexOf(indicator);
    return i < 0 ? 0.0 : z[j][i];
  }

  /** The indicators on which centre {@code j} stands out by at least {@code min} sd, strongest first. */
  public List<Distinction> distinctions(int j, double min) {
    List<Distinction> out = new ArrayList<>();
    for (int i = 0; i < indicators.size(); i++) {
      if (Math.abs(z[j][i]) >= min) {
        out.add(new Distinction(indicators.get(i), z[j][i], mean[j][i], population[i]));
      }
    }
    out.sort(Comparator.comparingDouble((Distinction d) -> -Math.abs(d.z())).thenComparing(Distinction::indicator));
    return out;
  }

  private static String number(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
  }
}
