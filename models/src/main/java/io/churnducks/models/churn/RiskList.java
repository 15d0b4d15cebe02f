package io.churnducks.models.churn;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.List;
import java.util.Map;

import static io.churnducks.features.contract.Schemas.field;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.try_element_at;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * The {@code churn_risk_list} CS works every morning: accounts in the listed risk tiers and every
 * lapsed account whatever its tier, lapsed accounts first (their subscription has ended and the
 * grace period is running out: the most urgent saves), then ranked by MRR at risk (then
 * probability, then account id), with owner, reasons, segment and play. A lapsed account's first
 * reason is {@link #LAPSED_REASON} and its play is {@link #LAPSED_PLAY}.
 * Ranking sorts in a distributed way and numbers rows with {@code zipWithIndex}; nothing is
 * gathered on the driver.
 */
public final class RiskList {

  private RiskList() {}

  /** First reason of a lapsed account. */
  public static final String LAPSED_REASON = "subscription lapsed";

  /** The play of a lapsed account, instead of its segment's. */
  public static final String LAPSED_PLAY = "Lapsed: the subscription ended and was not renewed. Call now to win the "
      + "renewal before the grace period ends.";

  public static final StructType SCHEMA = new StructType(new StructField[] {
      field("rank", LongType, false, "Position in the list, 1 = work first."),
      field("account_id", StringType, false, "Account identifier."),
      field("account_name", StringType, true, "Account name from the CRM."),
      field("csm_owner", StringType, true, "Customer-success manager who owns the account."),
      field("churn_probability", DoubleType, false, "Probability of churning within the horizon."),
      field("risk_tier", StringType, false, "A listed tier (high or medium); any tier for a lapsed account."),
      field("lapsed", BooleanType, false,
          "True when the subscription ended within the grace period and was not renewed yet; listed first."),
      field("mrr", DoubleType, false, "Current monthly recurring revenue (lapsed: of the subscription it lapsed from)."),
      field("mrr_at_risk", DoubleType, false, "churn_probability × mrr."),
      field("top_reasons", StringType, false, "Why the account is at risk, strongest first ('; '-separated)."),
      field("segment_name", StringType, true, "The account's segment."),
      field("quadrant", StringType, true, "Health × temperature quadrant."),
      field("play", StringType, true, "What to do about it: the playbook's play for its strongest reason that has "
          + "one, else its segment's play (lapsed: win the renewal)."),
  });

  /**
   * @param scores   {@link ChurnScores#SCHEMA}
   * @param segments {@code account_id, segment_name, quadrant, play}
   * @param accounts {@code account_id, account_name, csm_owner}
   * @param tiers    risk tiers that make the list (lapsed accounts make it whatever their tier)
   */
  public static Dataset<Row> build(Dataset<Row> scores, Dataset<Row> segments, Dataset<Row> accounts, List<String> tiers) {
    return build(scores, segments, accounts, tiers, Map.of());
  }

  /**
   * The list, each account's play chosen by its reasons: the play of its strongest reason that the
   * playbook has a play for, else its segment's play (a lapsed account: win the renewal).
   *
   * @param plays reason code ({@code days_to_renewal low}) → what CS should do about it
   */
  public static Dataset<Row> build(Dataset<Row> scores, Dataset<Row> segments, Dataset<Row> accounts,
      List<String> tiers, Map<String, String> plays) {
    Column lapsed = col("lapsed");
    Column byReason = lit(null).cast("string");
    if (!plays.isEmpty()) {
      Column book = map(plays.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(lit(e.getKey()),
          lit(e.getValue()))).toArray(Column[]::new));
      Column matched = filter(transform(col("reason_codes"), code -> try_element_at(book, code)), p -> p.isNotNull());
      byReason = try_element_at(matched, lit(1));
    }
    Column reasons = when(lapsed, concat(array(lit(LAPSED_REASON)), col("top_reasons"))).otherwise(col("top_reasons"));
    Dataset<Row> listed = scores.where(col("risk_tier").isin(tiers.toArray()).or(lapsed))
        .join(segments.select("account_id", "segment_name", "quadrant", "play"), new String[] {"account_id"}, "left")
        .join(accounts.select("account_id", "account_name", "csm_owner"), new String[] {"account_id"}, "left")
        .select(col("account_id"), col("account_name"), col("csm_owner"), col("churn_probability"), col("risk_tier"),
            lapsed, col("mrr"), col("mrr_at_risk"), array_join(reasons, "; ").as("top_reasons"),
            col("segment_name"), col("quadrant"),
            when(lapsed, lit(LAPSED_PLAY)).otherwise(coalesce(byReason, col("play"))).as("play"))
        .orderBy(lapsed.desc(), col("mrr_at_risk").desc(), col("churn_probability").desc(), col("account_id"));
    JavaRDD<Row> ranked = listed.javaRDD().zipWithIndex().map(t -> {
      Row r = t._1();
      Object[] values = new Object[r.size() + 1];
      values[0] = t._2() + 1;
      for (int i = 0; i < r.size(); i++) {
        values[i + 1] = r.get(i);
      }
      return RowFactory.create(values);
    });
    return listed.sparkSession().createDataFrame(ranked, SCHEMA);
  }

  /**
   * The list as people read it (the CSV export): probability as a percentage with one decimal,
   * money to the cent, lapsed as yes / no; ranks, names and words unchanged.
   *
   * @param list rows in {@link #SCHEMA}
   */
  public static Dataset<Row> forPeople(Dataset<Row> list) {
    return list.select(col("rank"), col("account_id"), col("account_name"), col("csm_owner"),
        format_string("%.1f%%", col("churn_probability").multiply(100)).as("churn_risk"), col("risk_tier"),
        when(col("lapsed"), "yes").otherwise("no").as("lapsed"), format_string("%.2f", col("mrr")).as("mrr"),
        format_string("%.2f", col("mrr_at_risk")).as("mrr_at_risk"), col("top_reasons"), col("segment_name"),
        col("quadrant"), col("play"));
  }
}
