package io.churnducks.models.segments;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log1p;
import static org.apache.spark.sql.functions.stddev_pop;
import static org.apache.spark.sql.functions.when;

/**
 * Places every customer on the health × temperature map (DESIGN.md §2.4).
 * <ul>
 *   <li>health (0–100) = usage stickiness: usage volume, active days, breadth, seat use, recency;</li>
 *   <li>temperature (0–100) = purchase intent: intent events, payment reliability (invoices of the
 *       last 90 days unpaid on the day or paid late, point-in-time), usage growth, NPS.</li>
 * </ul>
 * Each score is the average of its inputs in standard deviations from today's population mean,
 * mapped through a logistic curve, so 50 is the average customer. A score of 50 or more is high.
 */
public final class HealthTemperature {

  private HealthTemperature() {}

  /** The four quadrants and what CS does in each. */
  public enum Quadrant {
    RED_CARPET("Red Carpet", "Invite to betas and new features first; ask for referrals."),
    READY_TO_BUY("Ready to Buy", "Close or convert now, then train toward the core features."),
    SLEEPING("Sleeping", "Re-onboard: guide them to the high-retention features."),
    FREE_RIDERS("Free Riders", "Find out why: cost-to-serve above revenue? One login shared by many people (sell seats)?");

    public final String label;
    public final String play;

    Quadrant(String label, String play) {
      this.label = label;
      this.play = play;
    }
  }

  /** Health inputs: (expression, +1 when more is healthier, -1 when less is). */
  private static List<Object[]> healthInputs() {
    List<Object[]> in = new ArrayList<>();
    in.add(new Object[] {log1p(coalesce(col("events_28d"), lit(0.0))), 1});
    in.add(new Object[] {coalesce(col("active_days_28d"), lit(0)).cast("double"), 1});
    in.add(new Object[] {coalesce(col("features_used_28d"), lit(0)).cast("double"), 1});
    in.add(new Object[] {least(coalesce(col("seat_utilisation"), lit(0.0)), lit(1.5)), 1});
    in.add(new Object[] {log1p(coalesce(col("days_since_last_activity"), col("tenure_days"), lit(0)).cast("double")), -1});
    return in;
  }

  private static List<Object[]> temperatureInputs() {
    List<Object[]> in = new ArrayList<>();
    in.add(new Object[] {log1p(coalesce(col("intent_events_28d"), lit(0.0))), 1});
    in.add(new Object[] {coalesce(col("unpaid_invoices_90d"), lit(0)).plus(coalesce(col("late_payments_90d"), lit(0)))
        .cast("double"), -1});
    in.add(new Object[] {coalesce(col("usage_trend_28d"), lit(0.0)), 1});
    in.add(new Object[] {coalesce(col("last_nps"), lit(7)).cast("double"), 1});
    return in;
  }

  /** {@code account_id, health, temperature, quadrant, play} for every row of {@code features}. */
  public static Dataset<Row> apply(Dataset<Row> features) {
    List<Object[]> health = healthInputs();
    List<Object[]> temp = temperatureInputs();
    List<Column> stats = new ArrayList<>();
    List<Object[]> all = new ArrayList<>(health);
    all.addAll(temp);
    for (Object[] i : all) {
      stats.add(avg((Column) i[0]));
      stats.add(stddev_pop((Column) i[0]));
    }
    // One row of population statistics (2 numbers per input), never per-customer data.
    Row s = features.agg(stats.get(0), stats.subList(1, stats.size()).toArray(Column[]::new)).first();
    Column h = score(health, s, 0);
    Column t = score(temp, s, health.size());
    Column hHigh = h.geq(50);
    Column tHigh = t.geq(50);
    Column quadrant = when(hHigh.and(tHigh), Quadrant.RED_CARPET.label)
        .when(hHigh.unary_$bang().and(tHigh), Quadrant.READY_TO_BUY.label)
        .when(hHigh.unary_$bang(), Quadrant.SLEEPING.label)
        .otherwise(Quadrant.FREE_RIDERS.label);
    Column play = when(quadrant.equalTo(Quadrant.RED_CARPET.label), Quadrant.RED_CARPET.play)
        .when(quadrant.equalTo(Quadrant.READY_TO_BUY.label), Quadrant.READY_TO_BUY.play)
        .when(quadrant.equalTo(Quadrant.SLEEPING.label), Quadrant.SLEEPING.play)
        .otherwise(Quadrant.FREE_RIDERS.play);
    return features.select(col("account_id"), h.as("health"), t.as("temperature"), quadrant.as("quadrant"),
        play.as("play"));
  }

  private static Column score(List<Object[]> inputs, Row stats, int offset) {
    Column sum = lit(0.0);
    for (int i = 0; i < inputs.size(); i++) {
      int at = 2 * (offset + i);
      double mean = stats.isNullAt(at) ? 0.0 : stats.getDouble(at);
      double sd = stats.isNullAt(at + 1) ? 0.0 : stats.getDouble(at + 1);
      Column z = sd > 0 ? ((Column) inputs.get(i)[0]).minus(mean).divide(sd) : lit(0.0);
      sum = sum.plus(z.multiply((int) inputs.get(i)[1]));
    }
    Column mean = greatest(lit(-10.0), least(lit(10.0), sum.divide(inputs.size())));
    return lit(100.0).divide(lit(1.0).plus(exp(mean.multiply(-1.7))));
  }
}
