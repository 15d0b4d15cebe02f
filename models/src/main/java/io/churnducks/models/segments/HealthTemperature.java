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
 * Places every customer on the health × temperature map.
 * <ul>
 *   <li>{@code health} (0–100) = usage stickiness: by default frequency (active days), breadth
 *       (features used), recency (days since last activity, less is healthier), usage trend and
 *       key-feature adoption;</li>
 *   <li>{@code temperature} (0–100) = purchase intent and willingness to pay: by default intent
 *       events, expansion (seat growth, upgrades), payment reliability (unpaid and late invoices of
 *       the last 90 days, fewer is warmer) and feedback (NPS, ticket satisfaction).</li>
 * </ul>
 * Each part is turned into standard deviations from tonight's population mean (after ln(1 + x) for
 * counts, clipped to ±3 so one extreme part cannot carry the score), signed by its direction and
 * averaged with its non-negative weight; the average goes through a logistic curve, so 50 is the
 * average customer. Because every weight is non-negative and every part enters once with its sign,
 * a score never falls when one of its parts improves (monotone). A missing part counts as the
 * population average: a missing optional value never moves a customer.
 *
 * <p>Quadrants split at the configured thresholds (a score at or above one is high), by default
 * tonight's medians of each score (a score above the median is high, so half the customers are).
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

    /** The quadrant of a high or low health and a high or low temperature. */
    public static Quadrant of(boolean healthy, boolean warm) {
      return healthy ? (warm ? RED_CARPET : FREE_RIDERS) : (warm ? READY_TO_BUY : SLEEPING);
    }
  }

  /**
   * One part of a score.
   *
   * @param indicator      numeric indicator
   * @param weight         non-negative weight
   * @param higherIsBetter true when more of it raises the score
   * @param log            ln(1 + x) first (counts)
   */
  public record Part(String indicator, double weight, boolean higherIsBetter, boolean log) {
    public Part {
      if (!(weight >= 0)) {
        throw new IllegalArgumentException("Cannot weigh " + indicator + " by " + weight
            + ": weights must be 0 or more, so each score stays monotone in its parts");
      }
    }

    /** Parses {@code "active_days_28d"}, {@code "-days_since_last_activity"}, {@code "log intent_events_28d * 2"}. */
    public static Part parse(String text) {
      String t = text.trim();
      double weight = 1.0;
      int star = t.indexOf('*');
      if (star >= 0) {
        try {
          weight = Double.parseDouble(t.substring(star + 1).trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("Cannot read the weight of score part '" + text + "'");
        }
        t = t.substring(0, star).trim();
      }
      boolean higher = true;
      boolean log = false;
      // "-" and "log" may come in either order: "-log x" and "log -x" mean the same.
      while (t.startsWith("-") || t.startsWith("log ")) {
        if (t.startsWith("-")) {
          higher = !higher;
          t = t.substring(1).trim();
        } else {
          log = true;
          t = t.substring(4).trim();
        }
      }
      if (!t.matches("[a-z0-9_]+")) {
        throw new IllegalArgumentException("Cannot read score part '" + text
            + "': expected [log ][-]indicator[ * weight], e.g. '-log days_since_last_activity'");
      }
      return new Part(t, weight, higher, log);
    }
  }

  /**
   * The map's settings.
   *
   * @param health               parts of health
   * @param temperature          parts of temperature
   * @param healthThreshold      health at and above which a customer is healthy; NaN = tonight's median
   * @param temperatureThreshold temperature at and above which a customer is warm; NaN = tonight's median
   */
  public record Settings(List<Part> health, List<Part> temperature, double healthThreshold,
      double temperatureThreshold) {
    public Settings {
      health = List.copyOf(health);
      temperature = List.copyOf(temperature);
      if (health.stream().mapToDouble(Part::weight).sum() <= 0
          || temperature.stream().mapToDouble(Part::weight).sum() <= 0) {
        throw new IllegalArgumentException("Cannot score health and temperature: each needs a part with a weight above 0");
      }
    }

    /** These settings without parts whose indicator is not in {@code available}. */
    public Settings restrictedTo(List<String> available) {
      return new Settings(health.stream().filter(p -> available.contains(p.indicator())).toList(),
          temperature.stream().filter(p -> available.contains(p.indicator())).toList(), healthThreshold,
          temperatureThreshold);
    }
  }

  /** The thresholds a run used: the settings' or tonight's medians. */
  public record Thresholds(double health, double temperature) {}

  /** {@code account_id, health, temperature, quadrant, play} for every row of {@code features}. */
  public static Dataset<Row> apply(Dataset<Row> features, Settings settings) {
    List<Part> all = new ArrayList<>(settings.health());
    all.addAll(settings.temperature());
    List<Column> stats = new ArrayList<>();
    for (Part p : all) {
      stats.add(avg(value(p)));
      stats.add(stddev_pop(value(p)));
    }
    // One row of population statistics (2 numbers per part), never per-customer data.
    Row s = features.agg(stats.get(0), stats.subList(1, stats.size()).toArray(Column[]::new)).first();
    Column h = score(settings.health(), s, 0);
    Column t = score(settings.temperature(), s, settings.health().size());
    Dataset<Row> scored = features.select(col("account_id"), h.as("health"), t.as("temperature"));
    Thresholds cut = thresholds(scored, settings);
    // A configured threshold is reached at its value; a median is passed only above it, so half are above.
    Column healthy = Double.isNaN(settings.healthThreshold()) ? col("health").gt(cut.health())
        : col("health").geq(cut.health());
    Column warm = Double.isNaN(settings.temperatureThreshold()) ? col("temperature").gt(cut.temperature())
        : col("temperature").geq(cut.temperature());
    Column quadrant = lit(null).cast("string");
    Column play = lit(null).cast("string");
    for (Quadrant q : Quadrant.values()) {
      Column in = (q == Quadrant.RED_CARPET || q == Quadrant.FREE_RIDERS ? healthy : healthy.unary_$bang())
          .and(q == Quadrant.RED_CARPET || q == Quadrant.READY_TO_BUY ? warm : warm.unary_$bang());
      quadrant = when(in, q.label).otherwise(quadrant);
      play = when(in, q.play).otherwise(play);
    }
    return scored.withColumn("quadrant", quadrant).withColumn("play", play);
  }

  /** The settings' thresholds, or the medians of tonight's scores where a threshold is not set. */
  public static Thresholds thresholds(Dataset<Row> scored, Settings settings) {
    double health = settings.healthThreshold();
    double temperature = settings.temperatureThreshold();
    if (Double.isNaN(health) || Double.isNaN(temperature)) {
      double[][] q = scored.stat().approxQuantile(new String[] {"health", "temperature"}, new double[] {0.5}, 0.001);
      health = Double.isNaN(health) ? (q[0].length == 0 ? 50.0 : q[0][0]) : health;
      temperature = Double.isNaN(temperature) ? (q[1].length == 0 ? 50.0 : q[1][0]) : temperature;
    }
    return new Thresholds(health, temperature);
  }

  private static Column value(Part p) {
    Column v = col(p.indicator()).cast("double");
    return p.log() ? log1p(greatest(v, lit(0.0))) : v;
  }

  private static Column score(List<Part> parts, Row stats, int offset) {
    Column sum = lit(0.0);
    double weights = 0;
    for (int i = 0; i < parts.size(); i++) {
      Part p = parts.get(i);
      int at = 2 * (offset + i);
      double mean = stats.isNullAt(at) ? 0.0 : stats.getDouble(at);
      double sd = stats.isNullAt(at + 1) ? 0.0 : stats.getDouble(at + 1);
      Column z = sd > 0 ? least(lit(3.0), greatest(lit(-3.0), coalesce(value(p).minus(mean).divide(sd), lit(0.0))))
          : lit(0.0);
      sum = sum.plus(z.multiply(p.weight() * (p.higherIsBetter() ? 1 : -1)));
      weights += p.weight();
    }
    Column mean = sum.divide(weights);
    return lit(100.0).divide(lit(1.0).plus(exp(mean.multiply(-1.7))));
  }
}
