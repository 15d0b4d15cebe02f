package io.churnducks.features.indicators;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.sql.Date;
import java.util.List;
import java.util.Map;

import static io.churnducks.features.indicators.FeatureStory.D;
import static io.churnducks.features.indicators.FeatureStory.MID;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Indicator values on the three-account {@link FeatureStory}, computed by hand. Windows include
 * their first day (as_of - 28, as_of - 56, as_of - 90) and exclude the as-of day itself.
 */
class IndicatorValuesTest extends SparkTestBase {

  private static final Date ON_D = Date.valueOf(D);
  private static final Date ON_MID = Date.valueOf(MID);

  @Test
  void everyIndicatorMatchesTheHandComputedStory() {
    Dataset<Row> actual = FeatureStory.withAllSources(spark()).features()
        .where(col("as_of_date").equalTo(lit(ON_D)))
        .select("account_id", "as_of_date", "lapsed", "industry", "acquisition_channel", "plan", "tenure_days", "mrr",
            "seats", "seats_unknown", "discount_pct", "discount_ended_90d",
            "active_users_28d", "active_days_28d", "events_28d", "events_prev_28d", "usage_trend_28d",
            "usage_vs_first_14d", "features_used_28d", "devices_per_user_28d", "intent_events_28d",
            "days_since_last_activity",
            "seat_utilisation", "early_events_14d", "early_features_14d", "never_used", "unpaid_invoices_90d",
            "late_payments_90d", "unpaid_amount", "tickets_90d", "avg_csat_90d", "has_rated_ticket_90d", "last_nps",
            "nps_answered");

    assertFramesApproximatelyEqual(frame(actual.schema(),
        new Object[] {"a1", ON_D, false, "Retail", "ads", "pro", 91, 100.0, 5, 0, 0.0,
            1,
            // 3 events in the last 28 days against 2 in the first 14 (4 at that pace over 28 days)
            2L, 3L, 3.0, 2.0, Math.log(4.0 / 3.0), Math.log(4.0 / 5.0), 2L,
            1.5, 2.0, 2, 0.4,
            2.0, 2L, 0, 3L, 0L, 400.0,
            3L, 3.0, 1, 3, 1},
        new Object[] {"a2", ON_D, false, "Tech", "referral", "starter", 12, 50.0, 3, 0, 10.0,
            0,
            // 12 days old: its first 14 days are not over
            2L, 2L, 3.0, 0.0, Math.log(4.0), null, 2L,
            1.0, 1.0, 11, 2.0 / 3.0,
            3.0, 2L, 0, 0L, 0L, 0.0,
            2L, null, 0, 8, 1},
        new Object[] {"a3", ON_D, false, null, "partner", null, null, 0.0, null, 1, 0.0,
            0,
            0L, 0L, 0.0, 0.0, 0.0, null, 0L,
            0.0, 0.0, null, null,
            0.0, 0L, 1, 0L, 0L, 0.0,
            0L, null, 0, null, 0}),
        actual);
  }

  @Test
  void contractIndicatorsFollowTheSubscriptionChain() {
    Dataset<Row> actual = FeatureStory.withAllSources(spark()).features()
        .select("account_id", "as_of_date", "first_plan", "first_mrr", "first_seats", "first_discount_pct",
            "billing_period_months", "days_to_renewal", "price_change_since_signup", "mrr_change_90d",
            "seats_change_90d", "upgrades_90d", "downgrades_90d", "days_since_discount_end", "days_to_discount_end",
            "employee_band", "country");

    assertFramesApproximatelyEqual(frame(actual.schema(),
        // a1 began on the discounted basic plan (50 for 2 seats); on 01-02 (D-90) basic and pro both ran (150, 7
        // seats); pro renews monthly on the 1st; the basic discount ended on 03-01.
        new Object[] {"a1", ON_D, "basic", 50.0, 2, 20.0, 1, 0, 100.0 / 5 / 25 - 1, -1.0 / 3, -2, 0L, 0L, 31,
            null, "1-10", "DE"},
        // On 03-15 the pro start on 01-01 (150 after, 50 the day before) is an upgrade within 90 days.
        new Object[] {"a1", ON_MID, "basic", 50.0, 2, 20.0, 1, 17, 100.0 / 5 / 25 - 1, 100.0 / 50 - 1, 3, 1L, 0L, 14,
            null, "1-10", "DE"},
        // a2: starter (30, 2 seats) from 03-20, renewing 04-20, its discount ending on 05-20; the add-on from
        // 03-25 raised MRR to 50.
        new Object[] {"a2", ON_D, "starter", 30.0, 2, 10.0, 1, 19, 50.0 / 3 / 15 - 1, null, null, 1L, 0L, null,
            49, "51-200", "DE"},
        new Object[] {"a3", ON_D, null, null, null, 0.0, null, null, null, null, null, 0L, 0L, null, null, "1-10",
            "DE"}),
        actual);
  }

  @Test
  void aTermContractsRenewalIsCountedDownAndAMonthlyPlanHasNone() {
    FeatureStory.Tables t = new FeatureStory.Tables();
    t.account("m", "2024-01-20", "Tech", "ads");
    t.account("q", "2024-02-10", "Tech", "ads");
    t.account("y", "2023-06-15", "Tech", "ads");
    t.subscription("sm", "m", "2024-01-20", 100.0, 1, "pro");
    t.subscription("sq", "q", "2024-02-10", 300.0, 3, "pro quarterly");
    t.subscription("sy", "y", "2023-06-15", 1000.0, 12, "pro annual");

    Dataset<Row> actual = SubscriptionIndicators.apply(
            FeatureStory.spine(spark(), new Object[] {"m", ON_D}, new Object[] {"q", ON_D}, new Object[] {"y", ON_D}),
            t.frames(spark()).get("subscriptions"))
        .select("account_id", "days_to_renewal", "days_to_term_renewal").orderBy("account_id");

    assertFramesEqual(frame(actual.schema(),
            // Monthly: renews every month (04-20), no term to decide on.
            new Object[] {"m", 19, null},
            // Quarterly from 02-10: 05-10. Yearly from 2023-06-15: 2024-06-15.
            new Object[] {"q", 39, 39},
            new Object[] {"y", 75, 75}),
        actual);
  }

  @Test
  void usageIndicatorsSeeWhoLeftWhatIsUsedAndWhatItCosts() {
    Dataset<Row> actual = FeatureStory.withAllSources(spark()).features()
        .where(col("as_of_date").equalTo(lit(ON_D)))
        .select("account_id", "active_users_prev_28d", "lost_users_28d", "lost_users_90d", "lost_user_share_90d",
            "active_days_90d", "events_90d",
            "events_per_active_user_28d", "key_feature_events_28d", "key_feature_share_90d", "error_events_28d",
            "usage_cost_28d", "cost_to_serve_monthly", "early_active_days_14d", "early_key_feature_events_14d",
            "days_to_first_value", "value_reached", "lifetime_events", "lifetime_key_feature_events",
            "key_feature_share_lifetime", "usage_vs_history");

    assertFramesApproximatelyEqual(frame(actual.schema(),
        // a1: u3 and u1 were active in days 29-56, u3 not since; in days 29-90 ([01-02, 03-03]) u1 made 4
        // product events and u3 one, so the users now gone made 1 of 5; 8 active days in 90; export (the key
        // feature, cost 2 per unit) on 03-04 (one of the 8 product events of the last 90 days), two reports at 0.5;
        // three tickets in 90 days at 10 each per quarter. Since signup: those 8 and the onboard on 01-01; the 6
        // before the last 28 days came in the 63 days after signup, 8/3 per 28 days, against 3 in the last 28.
        new Object[] {"a1", 2L, 1L, 1L, 0.2, 8L, 8.0, 1.5, 1.0, 1.0 / 8, 1.0, 3.0, 3.0 + 10.0, 2L, 0.0, 63, 1,
            9.0, 1.0, 1.0 / 9, Math.log(4.0 / (8.0 / 3 + 1))},
        // a2 never used export: no first value yet; two tickets.
        new Object[] {"a2", 0L, 0L, 0L, 0.0, 2L, 3.0, 1.5, 0.0, 0.0, 0.0, 1.5, 1.5 + 2 * 10.0 / 3, 2L, 0.0, null, 0,
            3.0, 0.0, 0.0, null},
        // a3 has no events: no share of them; no signup, no history to compare with.
        new Object[] {"a3", 0L, 0L, 0L, 0.0, 0L, 0.0, 0.0, 0.0, null, 0.0, 0.0, 0.0, 0L, 0.0, null, 0,
            0.0, 0.0, null, null}),
        actual);
  }

  @Test
  void perFeatureMapsKeepTheMostUsedFeatures() {
    Map<String, Row> byAccount = new java.util.HashMap<>();
    FeatureStory.withAllSources(spark()).features().where(col("as_of_date").equalTo(lit(ON_D)))
        .select("account_id", "feature_events_28d", "feature_trend_28d", "feature_users_28d").collectAsList()
        .forEach(r -> byAccount.put(r.getString(0), r));

    assertEquals(Map.of("report", 2.0, "export", 1.0), scalaMap(byAccount.get("a1"), 1));
    assertEquals(Map.of("report", 0.0, "export", Math.log(2.0)), scalaMap(byAccount.get("a1"), 2));
    assertEquals(Map.of("report", 2.0, "onboard", 1.0), scalaMap(byAccount.get("a2"), 1));
    assertEquals(Map.of(), scalaMap(byAccount.get("a3"), 1));
    // Reports by u1 alone (twice), the export by u2; at a2 u7 and u8 both reported, u7 onboarded.
    assertEquals(Map.of("report", 1.0, "export", 1.0), scalaMap(byAccount.get("a1"), 3));
    assertEquals(Map.of("report", 2.0, "onboard", 1.0), scalaMap(byAccount.get("a2"), 3));
    assertEquals(Map.of(), scalaMap(byAccount.get("a3"), 3));
  }

  @Test
  void billingSupportAndFeedbackIndicators() {
    Dataset<Row> actual = FeatureStory.withAllSources(spark()).features()
        .select("account_id", "as_of_date", "oldest_unpaid_days", "refunds_90d", "urgent_tickets_90d", "open_tickets",
            "avg_hours_to_close_90d", "nps_change", "slow_payment_share_365d", "tickets_365d", "avg_csat_365d",
            "avg_nps_365d");

    assertFramesApproximatelyEqual(frame(actual.schema(),
        // a1 on D: i3 (01-01) is the oldest unpaid invoice; the 03-05 credit note; t4 urgent and closed after 24 h;
        // NPS fell from 9 to 3. Of the year's invoices issued over 7 days before D (i2, i3, i4, i5, i7; the credit
        // note is no charge) only i4 was paid within 7 days; t1 to t4 in the year, t1, t2 and t3 rated 4, 2 and 1.
        new Object[] {"a1", ON_D, 91, 1L, 1L, 0L, 8.0, -6, 0.8, 4L, 7.0 / 3, 6.0},
        // On 03-15 the oldest unpaid invoice is i3 again; t2, t3 and t4 took 0, 0 and 24 h; one answer only.
        // i7 (03-01) is 14 days old and unpaid on 03-15: slow, like i2, i3 and i5.
        new Object[] {"a1", ON_MID, 74, 1L, 1L, 0L, 8.0, null, 0.8, 3L, 1.5, 9.0},
        // a2: t6 (high) is still open; NPS 6 then 8 on the same day; i6 and i8 paid within a day.
        new Object[] {"a2", ON_D, 0, 0L, 1L, 1L, 0.0, 2, 0.0, 2L, null, 7.0},
        // a3: no invoice, ticket or answer: the shares and means are unknown, not 0.
        new Object[] {"a3", ON_D, 0, 0L, 0L, 0L, null, null, null, 0L, null, null}),
        actual);
  }

  private static Map<String, Double> scalaMap(Row row, int field) {
    Map<String, Double> out = new java.util.HashMap<>();
    row.<String, Double>getJavaMap(field).forEach(out::put);
    return out;
  }

  @Test
  void nullsThatMeanSomethingCarryAnExplicitFlag() {
    Dataset<Row> actual = FeatureStory.withAllSources(spark()).features()
        .where(col("as_of_date").equalTo(lit(ON_D)))
        .select("account_id", "days_since_last_activity", "never_used", "last_nps", "nps_answered", "avg_csat_90d",
            "has_rated_ticket_90d", "seats", "seats_unknown");

    assertFramesEqual(frame(actual.schema(),
            new Object[] {"a1", 2, 0, 3, 1, 3.0, 1, 5, 0},
            // a2's only ticket is not rated
            new Object[] {"a2", 11, 0, 8, 1, null, 0, 3, 0},
            // a3 signed up on D: never used, never answered, no subscription and so no seat count yet
            new Object[] {"a3", null, 1, null, 0, null, 0, null, 1}),
        actual);
  }

  @Test
  void eachAsOfDateOfTheSpineSeesOnlyItsOwnPast() {
    Dataset<Row> actual = FeatureStory.withAllSources(spark()).features()
        .where(col("account_id").equalTo("a1"))
        .select("account_id", "as_of_date", "mrr", "discount_ended_90d", "events_28d", "events_prev_28d",
            "intent_events_28d", "days_since_last_activity", "unpaid_invoices_90d", "late_payments_90d",
            "unpaid_amount", "tickets_90d", "avg_csat_90d", "last_nps");

    assertFramesApproximatelyEqual(frame(actual.schema(),
        // 03-15: 28 days = [02-16, 03-14], 56 = [01-19, 02-15], 90 = [2023-12-16, 03-14]; the 03-15 survey is on the day.
        // On 03-15 i2, i3 and i7 are unpaid and i5 (issued 12-20, paid 02-20) was paid late; i1 is not issued yet.
        new Object[] {"a1", ON_MID, 100.0, 1, 3.0, 2.0, 1.0, 5, 3L, 1L, 300.0, 3L, 1.5, 9},
        // On D i1, i2 and i7 (paid on 04-02) are unpaid, i3 is older than 90 days but still open, i5 left the window.
        new Object[] {"a1", ON_D, 100.0, 1, 3.0, 2.0, 2.0, 2, 3L, 0L, 400.0, 3L, 3.0, 3}),
        actual);
  }

  @Test
  void optionalSourcesThatAreAbsentDisableTheirIndicators() {
    CustomerFeatures.Result result = FeatureStory.withRequiredSources(spark());

    assertEquals(Map.of(
            "usage_events", List.of("early_events_14d", "early_active_days_14d", "early_features_14d",
                "early_key_feature_events_14d", "activated_14d", "days_to_first_value", "value_reached", "active_users_28d",
                "active_users_prev_28d", "lost_users_28d", "lost_users_90d", "lost_user_share_90d", "devices_per_user_28d",
                "active_days_28d", "active_days_90d",
                "events_28d", "events_prev_28d", "events_90d", "usage_trend_28d", "usage_vs_first_14d",
                "usage_vs_history", "events_per_active_user_28d",
                "features_used_28d", "key_feature_events_28d", "key_feature_share_90d", "lifetime_events",
                "lifetime_key_feature_events", "key_feature_share_lifetime", "intent_events_28d",
                "error_events_28d", "days_since_last_activity", "seat_utilisation", "never_used", "feature_events_28d", "feature_users_28d", "feature_trend_28d",
                "usage_cost_28d", "cost_to_serve_monthly"),
            "invoices", List.of("unpaid_invoices_90d", "late_payments_90d", "unpaid_amount", "oldest_unpaid_days",
                "refunds_90d", "slow_payment_share_365d"),
            "support_tickets", List.of("tickets_90d", "urgent_tickets_90d", "open_tickets", "avg_hours_to_close_90d",
                "avg_csat_90d", "has_rated_ticket_90d", "tickets_365d", "avg_csat_365d"),
            "surveys", List.of("last_nps", "nps_change", "nps_answered", "avg_nps_365d")),
        result.disabled());
    Dataset<Row> features = result.features();
    for (List<String> columns : result.disabled().values()) {
      for (String c : columns) {
        assertEquals(0L, features.where(col(c).isNotNull()).count(), c + " should be null");
      }
    }
    Dataset<Row> always = features.where(col("as_of_date").equalTo(lit(ON_D)))
        .select("account_id", "lapsed", "plan", "tenure_days", "mrr", "seats", "seats_unknown", "discount_pct",
            "discount_ended_90d");
    assertFramesEqual(frame(always.schema(),
            new Object[] {"a1", false, "pro", 91, 100.0, 5, 0, 0.0, 1},
            new Object[] {"a2", false, "starter", 12, 50.0, 3, 0, 10.0, 0},
            new Object[] {"a3", false, null, null, 0.0, null, 1, 0.0, 0}),
        always);
  }

  @Test
  void missingRequiredTableFailsClearly() {
    Map<String, Dataset<Row>> tables = new java.util.HashMap<>(FeatureStory.story().frames(spark()));
    tables.remove("subscriptions");

    String message = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> CustomerFeatures.compute(FeatureStory.storySpine(spark()), tables, FeatureStory.SETTINGS)).getMessage();

    assertTrue(message.startsWith("Cannot compute customer features: input table subscriptions is missing"), message);
  }

  @Test
  void noConfiguredIntentFeaturesCountsEveryEventAsUsage() {
    FeatureStory.Tables t = new FeatureStory.Tables();
    t.event("a1", "2024-03-30T10:00:00", "u1", "d1", "report");
    t.event("a1", "2024-03-30T11:00:00", "u2", "d2", "pricing_page");
    Map<String, Dataset<Row>> frames = t.frames(spark());
    Dataset<Row> events = frames.get("usage_events");
    List<String> none = List.of();

    Dataset<Row> actual = UsageIndicators.compute(FeatureStory.spine(spark(), new Object[] {"a1", ON_D}), List.of(D),
            UsageRollup.featureDays(events), UsageRollup.userDays(events, none), frames.get("accounts"),
            IndicatorSettings.ofIntent(none), java.util.Optional.empty())
        .select("account_id", "active_users_28d", "events_28d", "intent_events_28d", "days_since_last_activity");

    assertFramesEqual(frame(actual.schema(), new Object[] {"a1", 2L, 2.0, 0.0, 2}), actual);
  }

  @Test
  void everySourceConfiguredDisablesNothing() {
    CustomerFeatures.Result result = FeatureStory.withAllSources(spark());

    assertTrue(result.disabled().isEmpty(), result.disabled().toString());
  }
}
