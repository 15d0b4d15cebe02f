package io.churnducks.jobs.generate;

import io.churnducks.jobs.io.Warehouse;
import io.churnducks.models.segments.AdjustedRandIndex;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

/**
 * How a run's duck segments compare with a generated sample's hidden personas: the adjusted Rand
 * index between segment and persona, each persona's majority segment (and the share of the persona
 * it holds), and which personas lead their majority segment (a persona sharing its segment with a
 * larger one is named for the larger one).
 *
 * @param ari      adjusted Rand index of segment ids against personas
 * @param segments number of segments
 * @param majority persona → its majority segment's name
 * @param share    persona → share of the persona in that segment
 * @param leading  personas that are the largest persona of their majority segment
 * @param purity   leading persona → its share of its segment's customers
 */
public record PersonaRecovery(double ari, long segments, Map<String, String> majority, Map<String, Double> share,
    List<String> leading, Map<String, Double> purity) {

  /** What each generated persona is, in the words of the default naming rulebook. */
  public static final Map<String, String> MOTIVATION = Map.of(
      "power_collaborator", "Power Collaborators",
      "seat_sharer", "Seat Sharers",
      "stalled_onboarder", "Stalled Onboarders",
      "discount_hunter", "Discount Hunters",
      "support_heavy", "Support Heavy",
      "quiet_loyalist", "Quiet Loyalists",
      "expander", "Expanders");

  public static PersonaRecovery measure(SparkSession spark, String sampleDir, Warehouse warehouse, LocalDate runDate) {
    Dataset<Row> joined = warehouse.read("customer_segments", runDate)
        .join(spark.read().parquet(sampleDir + "/truth/accounts").select("account_id", "persona"), "account_id")
        .cache();
    try {
      double ari = AdjustedRandIndex.of(joined, "segment_id", "persona");
      Dataset<Row> counts = joined.groupBy("persona", "segment_name").count().cache();
      Map<String, String> majority = new TreeMap<>();
      Map<String, Double> share = new TreeMap<>();
      for (Row r : counts
          .withColumn("rank", expr("row_number() OVER (PARTITION BY persona ORDER BY count DESC, segment_name)"))
          .withColumn("share", expr("count / sum(count) OVER (PARTITION BY persona)"))
          .where(col("rank").equalTo(1)).collectAsList()) {
        majority.put(r.getString(0), r.getString(1));
        share.put(r.getString(0), r.getDouble(4));
      }
      Map<String, String> leader = new TreeMap<>();
      Map<String, Double> leaderShare = new TreeMap<>();
      for (Row r : counts
          .withColumn("rank", expr("row_number() OVER (PARTITION BY segment_name ORDER BY count DESC, persona)"))
          .withColumn("of_segment", expr("count / sum(count) OVER (PARTITION BY segment_name)"))
          .where(col("rank").equalTo(1)).collectAsList()) {
        leader.put(r.getString(1), r.getString(0));
        leaderShare.put(r.getString(0), r.getDouble(4));
      }
      counts.unpersist();
      List<String> leading = majority.keySet().stream().filter(p -> p.equals(leader.get(majority.get(p)))).toList();
      long segments = joined.select("segment_id").distinct().count();
      Map<String, Double> purity = new TreeMap<>();
      leading.forEach(p -> purity.put(p, leaderShare.get(p)));
      return new PersonaRecovery(ari, segments, majority, share, leading, purity);
    } finally {
      joined.unpersist();
    }
  }

  /** Leading personas whose segment's name does not say what they are. */
  public List<String> misnamed() {
    return misnamed(0.0);
  }

  /** Leading personas making up at least {@code minPurity} of their segment whose segment's name does not say what they are. */
  public List<String> misnamed(double minPurity) {
    return leading.stream().filter(p -> purity.get(p) >= minPurity).filter(p -> !namedForItsMotivation(p)).toList();
  }

  /** Personas whose majority segment's name is not the name of their motivation, whoever leads that segment. */
  public List<String> notNamedForTheirMotivation() {
    return majority.keySet().stream().filter(p -> !namedForItsMotivation(p)).toList();
  }

  private boolean namedForItsMotivation(String persona) {
    return MOTIVATION.getOrDefault(persona, "").equals(majority.get(persona));
  }

  public String describe() {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%d segments, ARI %.3f vs the hidden personas",
        segments, ari));
    majority.forEach((p, s) -> out.append(String.format(Locale.ROOT, "; %s -> %s (%.0f %%%s)", p, s,
        100 * share.get(p), leading.contains(p) ? String.format(Locale.ROOT, ", %.0f %% of the segment",
        100 * purity.get(p)) : ", led by another persona")));
    return out.toString();
  }
}
