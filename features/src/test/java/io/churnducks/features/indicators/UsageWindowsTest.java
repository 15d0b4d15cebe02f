package io.churnducks.features.indicators;

import io.churnducks.features.labels.AsOfCalendar;
import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

import static io.churnducks.features.indicators.FeatureStory.SETTINGS;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Usage windows advanced account by account from an earlier date's hold exactly what a build from
 * the roll-ups of the whole window holds, and give the same indicators: for a step of one night, a
 * week, the longest step, and two nights in a row; a build held per account gives its own. The usage is irregular on purpose: accounts that stop,
 * pause and come back, users without a device, events without a user, fractional quantities,
 * intent and error events.
 */
class UsageWindowsTest extends SparkTestBase {

  private static final LocalDate START = LocalDate.parse("2024-01-10");

  private static Dataset<Row> featureDays;
  private static Dataset<Row> userDays;
  private static Dataset<Row> accounts;

  @BeforeAll
  static void usage() {
    Dataset<Row> events = spark().range(0, 6000).selectExpr(
            "concat('a', cast(id % 9 as string)) as account_id",
            "case when id % 11 = 0 then null else concat('u', cast(pmod(hash(id, 1), 6) as string)) end as user_id",
            "case when id % 13 = 0 then null else concat('d', cast(pmod(hash(id, 2), 3) as string)) end as device_id",
            "element_at(array('edit', 'export', 'share', 'view', 'pricing_page', 'sync_error'), "
                + "cast(1 + pmod(hash(id, 3), 6) as int)) as feature",
            "cast(date_add(date'" + START + "', pmod(hash(id, 4), 200)) as timestamp) as event_time",
            "case when id % 5 = 0 then null else pmod(hash(id, 5), 100) / 7.0 end as quantity")
        // a8 stops early; a7 pauses for six weeks and comes back
        .where("not (account_id = 'a8' and event_time >= timestamp'2024-04-01')")
        .where("not (account_id = 'a7' and event_time between timestamp'2024-05-01' and timestamp'2024-06-12')");
    featureDays = UsageRollup.featureDays(events).cache();
    userDays = UsageRollup.userDays(events, SETTINGS.nonUsageFeatures()).cache();
    accounts = events.select("account_id").distinct().cache();
  }

  @Test
  void theWindowsChangeBetweenTheDatesSoTheTestCanFail() {
    LocalDate anchorDate = LocalDate.parse("2024-06-03");
    assertNotEquals(sorted(indicators(build(anchorDate), anchorDate)),
        sorted(indicators(build(anchorDate.plusDays(1)), anchorDate.plusDays(1))));
    // a8's last events leave the 90-day window within the longest step: its rows must be dropped
    LocalDate late = LocalDate.parse("2024-06-25");
    assertTrue(build(late).devices().where(col("account_id").equalTo("a8")).count() > 0);
    assertEquals(0, build(late.plusDays(AccountUsageWindows.MAX_STEP_DAYS)).devices()
        .where(col("account_id").equalTo("a8")).count());
  }

  @Test
  void advancingPerAccountGivesTheWindowsAndIndicatorsOfABuild() {
    LocalDate anchorDate = LocalDate.parse("2024-06-03");
    for (int step : new int[] {1, 7, AccountUsageWindows.MAX_STEP_DAYS}) {
      LocalDate date = anchorDate.plusDays(step);
      Dataset<Row> advanced = AccountUsageWindows.advance(AccountUsageWindows.nest(build(anchorDate)), anchorDate,
          date, featureDays, userDays, SETTINGS);
      assertSameAccounts(build(date), advanced, date, "step of " + step + " days");
    }
  }

  @Test
  void aBuildMeasuredPerAccountGivesItsIndicators() {
    LocalDate date = LocalDate.parse("2024-06-11");
    assertSameAccounts(build(date), AccountUsageWindows.measure(AccountUsageWindows.nest(build(date)), date, SETTINGS),
        date, "measured");
  }

  @Test
  void twoNightsInARowPerAccountGiveTheWindowsOfABuild() {
    LocalDate first = LocalDate.parse("2024-06-20");
    Dataset<Row> once = AccountUsageWindows.advance(AccountUsageWindows.nest(build(first)), first, first.plusDays(1),
        featureDays, userDays, SETTINGS);
    Dataset<Row> twice = AccountUsageWindows.advance(once, first.plusDays(1), first.plusDays(2), featureDays, userDays,
        SETTINGS);
    assertSameAccounts(build(first.plusDays(2)), twice, first.plusDays(2), "two nights");
    // a8's last events leave the 90-day window within the longest step: its account is dropped
    LocalDate late = LocalDate.parse("2024-06-25");
    assertEquals(0, AccountUsageWindows.advance(AccountUsageWindows.nest(build(late)), late,
        late.plusDays(AccountUsageWindows.MAX_STEP_DAYS), featureDays, userDays, SETTINGS)
        .where(col("account_id").equalTo("a8")).count());
  }

  @Test
  void advancingWithTheAnchorsRunningValuesGivesTheIndicatorsOfTheWholeHistory() {
    // a5 signed up two days before the anchor (its onboarding ends within the longest step); a6
    // signs up within the step; a7 signed up six days before the anchor and is paused until
    // 2024-06-12; a9 never used the product
    Dataset<Row> signups = accounts.selectExpr("account_id", "case account_id when 'a5' then date'2024-06-01' "
            + "when 'a6' then date'2024-06-05' when 'a7' then date'2024-05-28' else date'" + START + "' end as signup_date")
        .unionByName(spark().sql("select 'a9' as account_id, date'2024-05-02' as signup_date"));
    LocalDate anchorDate = LocalDate.parse("2024-06-03");
    Dataset<Row> anchorState = running(signups, anchorDate).drop("as_of_date");
    for (int step : new int[] {1, 7, AccountUsageWindows.MAX_STEP_DAYS}) {
      LocalDate date = anchorDate.plusDays(step);
      Dataset<Row> advanced = AccountUsageWindows.advance(AccountUsageWindows.nest(build(anchorDate)),
          Optional.of(signups.join(anchorState, new String[] {"account_id"}, "left")), anchorDate, date, featureDays,
          userDays, SETTINGS);
      Dataset<Row> expected = declared(UsageIndicators.compute(spine(signups, date), List.of(date), featureDays,
          userDays, signups, SETTINGS, Optional.empty()), null);
      assertEquals(sorted(expected), sorted(declared(UsageIndicators.advanced(advanced, SETTINGS), expected.schema())),
          "step of " + step + " days");
      assertEquals(10, expected.count(), "every account, a9 and the accounts without usage in 90 days included");
    }
    // a8's windows are empty after the longest step, so an account without windows is covered
    assertEquals(0, build(anchorDate.plusDays(AccountUsageWindows.MAX_STEP_DAYS)).features()
        .where(col("account_id").equalTo("a8")).count());
    // onboarding usage and first uses of features move within the step, so the test can fail
    Dataset<Row> a5 = running(signups, anchorDate.plusDays(7)).where(col("account_id").equalTo("a5"));
    assertNotEquals(sorted(anchorState.where(col("account_id").equalTo("a5"))),
        sorted(a5.drop("as_of_date")));
    assertTrue(a5.first().<Long>getAs("early_features_14d") > anchorState.where(col("account_id").equalTo("a5"))
        .first().<Long>getAs("early_features_14d"));
  }

  @Test
  void accountsUsersAndFeaturesAreOrderedAsSparkOrdersStrings() {
    List<String> names = List.of("", "a", "B", "ab", "a b", "é", "z", "\u00ff", "\u4e2d", "\uffef", "\ud83d\ude00",
        "\ud83d\ude00x", "x\ud83d\ude00", "x\uff01", "\ud800\udc00", "user-10", "user-9");
    for (String a : names) {
      for (String b : names) {
        int bytes = java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(Integer.signum(bytes), Integer.signum(AccountUsageWindows.utf8Compare(a, b)), a + " vs " + b);
      }
    }
  }

  @Test
  void aStepOutsideTheRangeIsRefused() {
    LocalDate anchorDate = LocalDate.parse("2024-06-03");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AccountUsageWindows.advance(
        AccountUsageWindows.nest(build(anchorDate)), anchorDate,
        anchorDate.plusDays(AccountUsageWindows.MAX_STEP_DAYS + 1), featureDays, userDays, SETTINGS));
    assertTrue(e.getMessage().contains("must be 1 to " + AccountUsageWindows.MAX_STEP_DAYS), e.getMessage());
  }

  private static Dataset<Row> running(Dataset<Row> signups, LocalDate date) {
    return UsageHistory.apply(spine(signups, date), List.of(date), featureDays, signups, SETTINGS, Optional.empty());
  }

  private static UsageWindows.State build(LocalDate date) {
    return UsageWindows.build(spine(date), featureDays, userDays);
  }

  private static Dataset<Row> spine(LocalDate date) {
    return spine(accounts, date);
  }

  private static Dataset<Row> spine(Dataset<Row> of, LocalDate date) {
    return of.select("account_id").crossJoin(AsOfCalendar.frame(spark(), List.of(date)));
  }

  private static Dataset<Row> indicators(UsageWindows.State state, LocalDate date) {
    return UsageFrequencyIndicators.apply(spine(date), state, SETTINGS);
  }

  private static void assertSameAccounts(UsageWindows.State built, Dataset<Row> advanced, LocalDate date, String what) {
    List<Row> expected = AccountUsageWindows.nest(built).orderBy("account_id").collectAsList();
    assertEquals(expected, AccountUsageWindows.unpack(advanced).orderBy("account_id").collectAsList(),
        what + ": windows per account");
    String[] sums = AccountUsageWindows.AGGREGATES.fieldNames();
    List<String> keyed = new java.util.ArrayList<>(List.of("as_of_date"));
    keyed.addAll(List.of(sums));
    Dataset<Row> finished = UsageFrequencyIndicators.finish(spine(date), SETTINGS,
        advanced.select("account_id", keyed.toArray(String[]::new)));
    Dataset<Row> expectedIndicators = declared(indicators(built, date), null);
    // the values, in the build's types (a map's value type may say nullable where the build's does not)
    assertFramesEqual(expectedIndicators, declared(finished, expectedIndicators.schema()));
    assertTrue(expected.size() > 5 && built.featureUsers().count() > 20, what + ": the windows have rows to compare");
  }

  /** The rows in the declared schema (nullability is not what is compared). */
  private static Dataset<Row> declared(Dataset<Row> rows, org.apache.spark.sql.types.StructType schema) {
    return spark().createDataFrame(rows.collectAsList(), schema == null ? nullable(rows.schema()) : schema);
  }

  private static org.apache.spark.sql.types.StructType nullable(org.apache.spark.sql.types.StructType schema) {
    return new org.apache.spark.sql.types.StructType(java.util.Arrays.stream(schema.fields())
        .map(f -> new org.apache.spark.sql.types.StructField(f.name(), f.dataType(), true, f.metadata()))
        .toArray(org.apache.spark.sql.types.StructField[]::new));
  }

  private static Dataset<Row> sortedFrame(Dataset<Row> rows) {
    return rows.orderBy(java.util.Arrays.stream(rows.columns()).filter(c -> !c.startsWith("feature_")
        || c.equals("feature")).map(c -> col(c)).toArray(org.apache.spark.sql.Column[]::new));
  }

  private static List<Row> sorted(Dataset<Row> rows) {
    return sortedFrame(rows).collectAsList();
  }
}
