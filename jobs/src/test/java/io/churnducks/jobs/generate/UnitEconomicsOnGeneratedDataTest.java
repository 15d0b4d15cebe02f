package io.churnducks.jobs.generate;

import io.churnducks.features.labels.SubscriptionTimeline;
import io.churnducks.features.lifecycle.LifecycleSettings;
import io.churnducks.features.lifecycle.UnitEconomics;
import io.churnducks.features.testing.SparkTestBase;
import io.churnducks.jobs.generate.SampleCatalog.Channel;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "The channel with the lowest CAC and the best retention has the highest LTV / CAC": unit
 * economics measured on the billing and CRM rows of 20,000 generated accounts over two years, as
 * the sources render them (their usage is never rendered, so the test needs seconds). Which channel
 * is cheapest and retains best comes from the generator's own settings, never from this test.
 */
class UnitEconomicsOnGeneratedDataTest extends SparkTestBase {

  private static final StructType ROWS = new StructType()
      .add("account_id", DataTypes.StringType, false)
      .add("signup_date", DataTypes.DateType, false)
      .add("acquisition_channel", DataTypes.StringType, false)
      .add("acquisition_cost", DataTypes.DoubleType, false)
      .add("start_date", DataTypes.DateType, false)
      .add("end_date", DataTypes.DateType, true)
      .add("mrr", DataTypes.DoubleType, false);

  /**
   * The monthly base hazard a channel's accounts are generated with: the persona hazards weighted by
   * how often the channel brings each persona, times the channel's own multiplier.
   */
  static double expectedHazard(Channel channel) {
    int i = SampleCatalog.CHANNELS.indexOf(channel);
    double weight = 0;
    double hazard = 0;
    for (Persona p : Persona.values()) {
      double w = p.share * SampleCatalog.channelWeights(p)[i];
      weight += w;
      hazard += w * p.baseHazard;
    }
    return hazard / weight * channel.hazardMultiplier();
  }

  @Test
  void theCheapestBestRetainingChannelHasTheHighestLtvToCac() {
    Channel cheapest = SampleCatalog.CHANNELS.stream().min(Comparator.comparingDouble(Channel::acquisitionCost))
        .orElseThrow();
    Channel retainsBest = SampleCatalog.CHANNELS.stream()
        .min(Comparator.comparingDouble(UnitEconomicsOnGeneratedDataTest::expectedHazard)).orElseThrow();
    assertEquals(cheapest, retainsBest, "the generator's cheapest channel is also the one that retains best");

    GeneratorOptions o = new GeneratorOptions(20_000, LocalDate.of(2023, 1, 1), 24, 1811L, "unused", "parquet", 0.0,
        90, 30);
    // The CRM and billing rows exactly as the sources render them (dates in epoch seconds, MRR as demo.conf maps it).
    Dataset<Row> rows = spark().range(0, o.accounts(), 1, 8).flatMap((FlatMapFunction<Long, Row>) index -> {
      AccountHistory h = AccountSimulator.simulate(o, index);
      String[] crm = SourceRenderer.crmAccounts(h).get(0);
      List<Row> out = new ArrayList<>();
      for (String[] s : SourceRenderer.subscriptions(h, o)) {
        double mrr = Long.parseLong(s[6]) * Long.parseLong(s[7]) * (1 - (s[8] == null ? 0 : Integer.parseInt(s[8]))
            / 100.0) / 100.0;
        out.add(RowFactory.create(crm[0], Date.valueOf(LocalDate.ofEpochDay(h.signup)), crm[6],
            Double.parseDouble(crm[7]), day(s[2]), s[3] == null ? null : day(s[3]), mrr));
      }
      return out.iterator();
    }, Encoders.row(ROWS)).cache();
    LocalDate runDate = o.cutoff();
    Dataset<Row> accounts = rows.select("account_id", "acquisition_channel", "acquisition_cost").distinct();
    Dataset<Row> subscriptions = rows.select("account_id", "start_date", "end_date", "mrr");
    Dataset<Row> active = SubscriptionTimeline.knownAt(subscriptions, runDate)
        .where(col("start_date").leq(lit(Date.valueOf(runDate)))
            .and(col("end_date").isNull().or(col("end_date").gt(lit(Date.valueOf(runDate))))))
        .groupBy("account_id").agg(sum("mrr").as("mrr"));
    Dataset<Row> noSegments = spark().createDataFrame(List.of(), new StructType()
        .add("account_id", DataTypes.StringType).add("segment_name", DataTypes.StringType));

    List<Row> economics = UnitEconomics.apply(accounts, subscriptions, active, noSegments, runDate, o.graceDays(),
        LifecycleSettings.defaults()).collectAsList();
    rows.unpersist();
    List<Row> channels = economics.stream().filter(r -> r.getString(0).equals("channel")).toList();
    Row all = economics.stream().filter(r -> r.getString(0).equals("all")).findFirst().orElseThrow();

    assertEquals(SampleCatalog.CHANNELS.size(), channels.size(), "one row per channel: " + channels);
    Row best = channels.stream().max(Comparator.comparingDouble(r -> r.getDouble(r.fieldIndex("ltv_to_cac"))))
        .orElseThrow();
    assertEquals(cheapest.id(), best.getString(1), "highest LTV / CAC: " + channels);
    // The measured churn agrees with the settings: the channel that retains best churns less than the average account.
    String rate = "monthly_churn_rate";
    assertTrue(best.getDouble(best.fieldIndex(rate)) < all.getDouble(all.fieldIndex(rate)), "churn of " + best
        + " below all accounts' " + all);
  }

  private static Date day(String epochSeconds) {
    return Date.valueOf(LocalDate.ofEpochDay(Long.parseLong(epochSeconds) / 86_400));
  }
}
