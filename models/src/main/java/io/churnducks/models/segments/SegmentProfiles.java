package io.churnducks.models.segments;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.churnducks.features.contract.Schemas.field;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * The {@code segment_profiles} table: one row per segment of the run (and one per segment of the
 * previous run that vanished), saying what the segment is, how big and valuable it is, how it
 * churned recently, what CS does with it and how it moved since the previous run. Built from
 * per-segment aggregates (k rows), never from customer rows on the driver.
 */
public final class SegmentProfiles {

  private SegmentProfiles() {}

  /** How many distinguishing indicators a profile lists. */
  static final int TOP = 4;

  public static final StructType SCHEMA = new StructType(new StructField[] {
      field("segment_id", IntegerType, false, "Segment id; kept from run to run while the segment persists."),
      field("segment_name", StringType, false, "Segment name (see name_origin)."),
      field("name_origin", StringType, false, "rulebook, generated (top distinguishing indicators), kept (from the "
          + "previous run) or override."),
      field("status", StringType, false, "new, kept (matched to the previous run's segment) or vanished."),
      field("accounts", LongType, false, "Active customers in the segment."),
      field("share", DoubleType, false, "Share of the run's active customers."),
      field("mrr", DoubleType, false, "Monthly recurring revenue of the segment's customers."),
      field("arpa", DoubleType, true, "Average MRR per account."),
      field("churn_rate", DoubleType, true, "Share of the customers this segment model places in the segment on "
          + "churn_rate_as_of who churned within the churn horizon (null without such a labelled date)."),
      field("churn_rate_as_of", DateType, true, "The as-of date churn_rate is measured from."),
      field("avg_health", DoubleType, true, "Average health (0-100)."),
      field("avg_temperature", DoubleType, true, "Average temperature (0-100)."),
      field("quadrant", StringType, true, "The quadrant most of the segment's customers are in."),
      field("distinguishing", StringType, false, "Top indicators the segment stands out on: indicator, direction, "
          + "standardised difference, segment mean vs population mean."),
      field("evidence", StringType, false, "The distinctions the name was given for."),
      field("play", StringType, false, "What CS does with the segment: the rulebook's play, else its quadrant's."),
      field("moved_in", LongType, false, "Customers in the segment tonight that were in another segment last run."),
      field("moved_out", LongType, false, "Customers in the segment last run that are in another segment tonight."),
      field("match_distance", DoubleType, true, "Distance (sd) of the centre from the previous run's matched centre."),
      field("k", IntegerType, false, "Number of segments chosen for the run."),
      field("silhouette", DoubleType, true, "Silhouette of the chosen k."),
  });

  /**
   * @param assigned      {@code account_id, segment_id, health, temperature, quadrant, mrr} of tonight's customers
   * @param recentChurn   {@code segment_id, churned} of the latest labelled as-of date, assigned by tonight's model
   * @param churnAsOf     that as-of date
   * @param previous      {@code account_id, segment_id} of the previous run, when there was one
   * @param previousModel the previous run's model (names of vanished segments)
   */
  public static Dataset<Row> build(SparkSession spark, DuckSegments segments, Dataset<Row> assigned,
      Optional<Dataset<Row>> recentChurn, Optional<LocalDate> churnAsOf, Optional<Dataset<Row>> previous,
      Optional<DuckSegmentModel> previousModel) {
    Map<Integer, Row> sizes = byId(assigned.groupBy("segment_id").agg(count(lit(1)), sum(coalesce(col("mrr"),
        lit(0.0))), avg("mrr"), avg("health"), avg("temperature")));
    long total = sizes.values().stream().mapToLong(r -> r.getLong(1)).sum();
    Map<Integer, Row> churn = recentChurn.map(c -> byId(c.groupBy("segment_id").agg(avg(col("churned")
        .cast("double"))))).orElse(Map.of());
    Map<Integer, long[]> moves = new HashMap<>();
    previous.ifPresent(p -> {
      Dataset<Row> both = assigned.select(col("account_id"), col("segment_id").as("now"))
          .join(p.select(col("account_id"), col("segment_id").as("before")), "account_id");
      for (Row r : both.where(col("now").notEqual(col("before"))).groupBy("now").count().collectAsList()) {
        moves.computeIfAbsent(r.getInt(0), x -> new long[2])[0] = r.getLong(1);
      }
      for (Row r : both.where(col("now").notEqual(col("before"))).groupBy("before").count().collectAsList()) {
        moves.computeIfAbsent(r.getInt(0), x -> new long[2])[1] = r.getLong(1);
      }
    });
    // Each segment's most common quadrant (ties: the first in the enum's order).
    Map<Integer, HealthTemperature.Quadrant> quadrants = new HashMap<>();
    Map<Integer, Long> best = new HashMap<>();
    for (Row r : assigned.groupBy("segment_id", "quadrant").count().collectAsList()) {
      HealthTemperature.Quadrant q = java.util.Arrays.stream(HealthTemperature.Quadrant.values())
          .filter(x -> x.label.equals(r.getString(1))).findFirst().orElse(null);
      long n = r.getLong(2);
      HealthTemperature.Quadrant held = quadrants.get(r.getInt(0));
      long heldN = best.getOrDefault(r.getInt(0), -1L);
      if (q != null && (n > heldN || n == heldN && held != null && q.ordinal() < held.ordinal())) {
        quadrants.put(r.getInt(0), q);
        best.put(r.getInt(0), n);
      }
    }
    DuckSegmentModel model = segments.model();
    List<Row> rows = new ArrayList<>();
    for (int j = 0; j < model.k(); j++) {
      int id = model.id(j);
      Row s = sizes.get(id);
      long accounts = s == null ? 0 : s.getLong(1);
      Double health = s == null || s.isNullAt(4) ? null : s.getDouble(4);
      Double temperature = s == null || s.isNullAt(5) ? null : s.getDouble(5);
      HealthTemperature.Quadrant quadrant = quadrants.get(id);
      String play = segments.names().plays()[j] != null ? segments.names().plays()[j]
          : quadrant != null ? quadrant.play : "Review what distinguishes the segment with CS.";
      Row c = churn.get(id);
      double distance = segments.lineage().distances()[j];
      rows.add(RowFactory.create(id, model.name(j), segments.names().origins()[j],
          segments.lineage().kept().get(j).isPresent() ? "kept" : "new", accounts,
          total == 0 ? 0.0 : (double) accounts / total, s == null ? 0.0 : s.getDouble(2),
          s == null || s.isNullAt(3) ? null : s.getDouble(3),
          c == null || c.isNullAt(1) ? null : c.getDouble(1),
          c == null ? null : churnAsOf.map(Date::valueOf).orElse(null),
          health, temperature, quadrant == null ? null : quadrant.label,
          String.join("; ", segments.profile().distinctions(j, 0.0).stream().limit(TOP)
              .map(SegmentProfile.Distinction::describe).toList()),
          model.evidence(j), play, moves.getOrDefault(id, new long[2])[0], moves.getOrDefault(id, new long[2])[1],
          Double.isNaN(distance) ? null : distance, model.k(),
          Double.isNaN(model.silhouette()) ? null : model.silhouette()));
    }
    for (int gone : segments.lineage().vanished()) {
      String name = previousModel.flatMap(p -> java.util.stream.IntStream.range(0, p.k()).filter(q -> p.id(q) == gone)
          .mapToObj(p::name).findFirst()).orElse("segment " + gone);
      rows.add(RowFactory.create(gone, name, "kept", "vanished", 0L, 0.0, 0.0, null, null, null, null, null, null,
          "", "no customer is in this segment any more", "", 0L, moves.getOrDefault(gone, new long[2])[1], null,
          model.k(), Double.isNaN(model.silhouette()) ? null : model.silhouette()));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

  private static Map<Integer, Row> byId(Dataset<Row> perSegment) {
    Map<Integer, Row> out = new HashMap<>();
    for (Row r : perSegment.collectAsList()) {
      out.put(r.getInt(0), r);
    }
    return out;
  }
}
