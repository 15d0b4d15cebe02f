package io.churnducks.models.churn;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RiskListTest extends SparkTestBase {

  private static final StructType SEGMENTS = new StructType().add("account_id", DataTypes.StringType)
      .add("segment_name", DataTypes.StringType).add("quadrant", DataTypes.StringType).add("play", DataTypes.StringType);
  private static final StructType ACCOUNTS = new StructType().add("account_id", DataTypes.StringType)
      .add("account_name", DataTypes.StringType).add("csm_owner", DataTypes.StringType);

  private static Dataset<Row> segments() {
    return frame(SEGMENTS,
        new Object[] {"a", "Light Users", "Sleeping", "Re-onboard"},
        new Object[] {"b", "Support Heavy", "Free Riders", "Find out why"},
        new Object[] {"d", "Light Users", "Sleeping", "Re-onboard"},
        new Object[] {"e", "Big Spenders", "Red Carpet", "Invite to betas"});
  }

  private static Dataset<Row> accounts() {
    return frame(ACCOUNTS,
        new Object[] {"a", "Acme", "Ada"}, new Object[] {"b", "Bolt", "Bea"},
        new Object[] {"c", "Core", "Cy"}, new Object[] {"d", "Dune", null},
        new Object[] {"e", "Echo", "Eve"}, new Object[] {"f", "Fern", "Fay"});
  }

  @Test
  void listsTheChosenTiersRankedByMrrAtRiskWithOwnerAndPlay() {
    Dataset<Row> scores = frame(ChurnScores.SCHEMA,
        new Object[] {"a", 0.50, "high", false, 100.0, 50.0, new String[] {"events_28d low"}, "v1", new String[] {}, 24.0},
        new Object[] {"b", 0.20, "medium", false, 500.0, 100.0, new String[] {"tickets_90d high", "last_nps low"}, "v1", new String[] {}, 24.0},
        new Object[] {"c", 0.05, "low", false, 1000.0, 50.0, new String[] {}, "v1", new String[] {}, 24.0},
        new Object[] {"d", 0.40, "high", false, 125.0, 50.0, new String[] {"usage_trend_28d low"}, "v1", new String[] {}, 24.0});

    List<Row> list = RiskList.build(scores, segments(), accounts(), List.of("high", "medium")).collectAsList();

    assertEquals(3, list.size());
    // b has the most MRR at risk; a and d tie on it, a has the higher probability.
    assertEquals(List.of("b", "a", "d"), list.stream().map(r -> r.getString(1)).toList());
    assertEquals(List.of(1L, 2L, 3L), list.stream().map(r -> r.getLong(0)).toList());
    assertEquals("tickets_90d high; last_nps low", list.get(0).getAs("top_reasons"));
    assertEquals("Bea", list.get(0).getAs("csm_owner"));
    assertEquals("Find out why", list.get(0).getAs("play"));
    assertEquals(false, list.get(0).getAs("lapsed"));
  }

  @Test
  void lapsedAccountsMakeTheListWhateverTheirTierAndComeFirst() {
    Dataset<Row> scores = frame(ChurnScores.SCHEMA,
        new Object[] {"b", 0.60, "high", false, 500.0, 300.0, new String[] {"tickets_90d high"}, "v1", new String[] {}, 24.0},
        new Object[] {"c", 0.05, "low", false, 1000.0, 50.0, new String[] {}, "v1", new String[] {}, 24.0},
        // lapsed with a low score: listed anyway, before every active account
        new Object[] {"e", 0.02, "low", true, 2000.0, 40.0, new String[] {"tenure_days low"}, "v1", new String[] {}, 24.0},
        // lapsed with more MRR at risk: first
        new Object[] {"f", 0.20, "medium", true, 400.0, 80.0, new String[] {}, "v1", new String[] {}, 24.0});

    List<Row> list = RiskList.build(scores, segments(), accounts(), List.of("high")).collectAsList();

    assertEquals(List.of("f", "e", "b"), list.stream().map(r -> r.getString(1)).toList());
    assertEquals(List.of(true, true, false), list.stream().map(r -> (Boolean) r.getAs("lapsed")).toList());
    assertEquals("subscription lapsed; tenure_days low", list.get(1).getAs("top_reasons"));
    assertEquals("subscription lapsed", list.get(0).getAs("top_reasons"));
    assertEquals(RiskList.LAPSED_PLAY, list.get(1).getAs("play"));
    assertEquals("Big Spenders", list.get(1).getAs("segment_name"));
    assertEquals("Find out why", list.get(2).getAs("play"));
  }

  @Test
  void theListForPeopleShowsPercentagesAndCents() {
    Dataset<Row> scores = frame(ChurnScores.SCHEMA,
        new Object[] {"a", 0.20486075928038094, "medium", false, 1065.8999999999999, 218.36, new String[] {"x high"}, "v1", new String[] {}, 24.0},
        new Object[] {"b", 0.05, "low", true, 80.0, 4.0, new String[] {}, "v1", new String[] {}, 24.0});
    List<Row> rows = RiskList.forPeople(RiskList.build(scores, segments(), accounts(), List.of("high", "medium")))
        .orderBy("rank").collectAsList();
    assertEquals("20.5%", rows.get(1).getAs("churn_risk"));
    assertEquals("1065.90", rows.get(1).getAs("mrr"));
    assertEquals("218.36", rows.get(1).getAs("mrr_at_risk"));
    assertEquals("no", rows.get(1).getAs("lapsed"));
    assertEquals("5.0%", rows.get(0).getAs("churn_risk"));
    assertEquals("yes", rows.get(0).getAs("lapsed"));
  }

  @Test
  void aPlayAddressesTheStrongestReasonThePlaybookKnows() {
    Dataset<Row> scores = frame(ChurnScores.SCHEMA,
        new Object[] {"a", 0.50, "high", false, 100.0, 50.0, new String[] {"renewal in 9 days", "2 unpaid invoices"},
            "v1", new String[] {"days_to_renewal low", "unpaid_invoices_90d high"}, 5.0},
        new Object[] {"b", 0.40, "high", false, 100.0, 40.0, new String[] {"x", "2 unpaid invoices"},
            "v1", new String[] {"mrr high", "unpaid_invoices_90d high"}, 6.0},
        new Object[] {"d", 0.35, "high", false, 100.0, 35.0, new String[] {"x"}, "v1", new String[] {"mrr high"}, 7.0},
        new Object[] {"e", 0.30, "high", true, 100.0, 30.0, new String[] {"renewal in 9 days"}, "v1",
            new String[] {"days_to_renewal low"}, 8.0});
    Map<String, String> plays = Map.of("days_to_renewal low", "Book the renewal call.",
        "unpaid_invoices_90d high", "Fix the payment.");
    Map<String, String> play = new java.util.HashMap<>();
    RiskList.build(scores, segments(), accounts(), List.of("high"), plays).collectAsList()
        .forEach(r -> play.put(r.getAs("account_id"), r.getAs("play")));
    assertEquals("Book the renewal call.", play.get("a"), "the strongest reason with a play");
    assertEquals("Fix the payment.", play.get("b"), "a reason without a play is passed over");
    assertEquals("Re-onboard", play.get("d"), "no reason with a play: the segment's play");
    assertEquals(RiskList.LAPSED_PLAY, play.get("e"), "a lapsed account is called to win the renewal");
  }
}
