package io.churnducks.models.churn;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.indicators.CustomerFeatures;
import io.churnducks.features.indicators.IndicatorSettings;
import io.churnducks.features.labels.SubscriptionTimeline;
import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An account whose subscription ended ten days before the run date, within the grace period, goes
 * from the scoring spine through its features and score to the top of the risk list, flagged as
 * lapsed and valued at the MRR it lapsed from, although the model finds it low-risk.
 */
class LapsedAccountJourneyTest extends SparkTestBase {

  private static final LocalDate D = LocalDate.parse("2024-06-01");
  private static final int GRACE = 30;
  private static final ChurnModelSettings SETTINGS = new ChurnModelSettings(90, GRACE, 12, 3,
      List.of(Candidate.logisticRegression(0.01, 0.0)), Calibration.NONE, false, 0.30, 0.15, 2, 30);

  private static Object[] account(String id) {
    return new Object[] {id, d("2023-01-01"), "Name " + id, "Retail", 10, "DE", "ads", 100.0, "csm-" + id};
  }

  private static Object[] sub(String id, String account, String start, String end, double mrr) {
    return new Object[] {id, account, d(start), end == null ? null : d(end), mrr, "pro", 1, 5, 0.0, null, true};
  }

  @Test
  void aLapsedAccountIsScoredFlaggedAndListedFirst() {
    Dataset<Row> accounts = frame(InputContract.ACCOUNTS.schema(),
        account("steady"), account("lapsed"), account("gone"), account("small"));
    Dataset<Row> subscriptions = frame(InputContract.SUBSCRIPTIONS.schema(),
        sub("s1", "steady", "2023-01-01", null, 300.0),
        sub("s2", "lapsed", "2023-01-01", "2024-05-22", 900.0),
        sub("s3", "gone", "2023-01-01", "2024-03-01", 900.0),
        sub("s4", "small", "2024-01-01", null, 5.0));
    // A model that learned "small accounts churn".
    Dataset<Row> examples = spark().range(1, 41).select(expr("id * 10.0").as("mrr"), expr("id * 10.0 < 150").as("churned"));
    ChurnModel model = ChurnModel.fit(examples, new ChurnModel.Columns(List.of("mrr"), List.of(), List.of()),
        SETTINGS.candidates().get(0), false, Calibration.identity(), SETTINGS, D);

    Dataset<Row> spine = SubscriptionTimeline.scoringSpine(subscriptions, D, GRACE);
    Dataset<Row> features = CustomerFeatures.compute(spine,
        Map.of("accounts", accounts, "subscriptions", subscriptions), IndicatorSettings.ofIntent(List.of())).features();
    Dataset<Row> scores = model.score(features);
    StructType segmentsSchema = new StructType().add("account_id", DataTypes.StringType)
        .add("segment_name", DataTypes.StringType).add("quadrant", DataTypes.StringType)
        .add("play", DataTypes.StringType);
    List<Row> list = RiskList.build(scores, frame(segmentsSchema), accounts, List.of("high", "medium")).collectAsList();

    Row lapsed = scores.where("account_id = 'lapsed'").first();
    assertEquals(3, scores.count(), "gone churned before the grace period: not scored");
    assertEquals(true, lapsed.getAs("lapsed"));
    assertEquals(900.0, lapsed.<Double>getAs("mrr"), "valued at the subscription it lapsed from");
    assertEquals("low", lapsed.getAs("risk_tier"));
    assertEquals(List.of("lapsed", "small"), list.stream().map(r -> r.<String>getAs("account_id")).toList());
    assertEquals(RiskList.LAPSED_PLAY, list.get(0).getAs("play"));
    assertEquals("csm-lapsed", list.get(0).getAs("csm_owner"));
    assertEquals(false, list.get(1).getAs("lapsed"));
  }
}
