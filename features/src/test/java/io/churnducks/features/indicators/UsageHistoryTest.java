package io.churnducks.features.indicators;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.churnducks.features.indicators.FeatureStory.D;
import static io.churnducks.features.indicators.FeatureStory.SETTINGS;
import static io.churnducks.features.indicators.FeatureStory.MID;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * The running usage values (last active day, onboarding usage) are the same whether computed from
 * the whole roll-up history or continued from values stored for an earlier as-of date, for an
 * anchor before, inside and after an account's onboarding window.
 */
class UsageHistoryTest extends SparkTestBase {

  @Test
  void continuingFromAnAnchorGivesTheValuesOfTheWholeHistory() {
    Map<String, Dataset<Row>> t = FeatureStory.story().frames(spark());
    Dataset<Row> events = t.get("usage_events");
    Dataset<Row> featureDays = UsageRollup.featureDays(events);
    Dataset<Row> userDays = UsageRollup.userDays(events, SETTINGS.nonUsageFeatures());
    Dataset<Row> accounts = t.get("accounts");

    for (LocalDate anchorDate : List.of(LocalDate.parse("2024-01-05"), MID, LocalDate.parse("2024-03-25"))) {
      Dataset<Row> whole = usage(accounts, featureDays, userDays, List.of(D), Optional.empty());
      Dataset<Row> anchorState = usage(accounts, featureDays, userDays, List.of(anchorDate), Optional.empty())
          .select("account_id", UsageHistory.STATE.toArray(String[]::new));
      Dataset<Row> continued = usage(accounts, featureDays, userDays, List.of(D),
          Optional.of(new UsageHistory.Anchor(anchorDate, anchorState)));

      assertFramesApproximatelyEqual(whole, continued);
    }
  }

  @Test
  void theStoryHasUsageBeforeTheAnchorsSoTheTestCanFail() {
    Map<String, Dataset<Row>> t = FeatureStory.story().frames(spark());
    Dataset<Row> events = t.get("usage_events");
    Dataset<Row> withoutEarlyDays = usage(t.get("accounts"), UsageRollup.featureDays(events)
            .where(col("event_date").geq(lit(Date.valueOf(MID)))), UsageRollup.userDays(events, SETTINGS.nonUsageFeatures()),
        List.of(D), Optional.empty());
    Dataset<Row> whole = usage(t.get("accounts"), UsageRollup.featureDays(events), UsageRollup.userDays(events, SETTINGS.nonUsageFeatures()),
        List.of(D), Optional.empty());

    org.junit.jupiter.api.Assertions.assertNotEquals(
        whole.orderBy("account_id").collectAsList(), withoutEarlyDays.orderBy("account_id").collectAsList());
  }

  private Dataset<Row> usage(Dataset<Row> accounts, Dataset<Row> featureDays, Dataset<Row> userDays,
      List<LocalDate> dates, Optional<UsageHistory.Anchor> anchor) {
    Dataset<Row> spine = accounts.select(col("account_id"), lit(Date.valueOf(dates.get(0))).as("as_of_date"));
    return UsageIndicators.compute(spine, dates, featureDays, userDays, accounts, SETTINGS, anchor);
  }
}
