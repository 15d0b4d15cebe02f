package io.churnducks.features.indicators;

import io.churnducks.features.labels.AsOfCalendar;
import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static io.churnducks.features.indicators.FeatureStory.SETTINGS;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Usage windows advanced from an earlier date's state hold exactly what a build from the roll-ups
 * of the whole window holds, and give the same indicators: for a step of one night, a week, the
 * longest step, and two nights in a row. The usage is irregular on purpose: accounts that stop,
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
  void advancingGivesTheStateAndIndicatorsOfABuild() {
    LocalDate anchorDate = LocalDate.parse("2024-06-03");
    for (int step : new int[] {1, 7, UsageWindows.MAX_STEP_DAYS}) {
      LocalDate date = anchorDate.plusDays(step);
      UsageWindows.State built = build(date);
      UsageWindows.State advanced = UsageWindows.advance(new UsageWindows.Anchor(anchorDate, build(anchorDate)), date,
          featureDays, userDays);
      assertSameState(built, advanced, "step of " + step + " days");
    }
  }

  @Test
  void twoNightsInARowGiveTheStateOfABuild() {
    LocalDate first = LocalDate.parse("2024-06-20");
    UsageWindows.State once = UsageWindows.advance(new UsageWindows.Anchor(first, build(first)), first.plusDays(1),
        featureDays, userDays);
    UsageWindows.State twice = UsageWindows.advance(new UsageWindows.Anchor(first.plusDays(1), once),
        first.plusDays(2), featureDays, userDays);
    assertSameState(build(first.plusDays(2)), twice, "two nights");
  }

  @Test
  void theWindowsChangeBetweenTheDatesSoTheTestCanFail() {
    LocalDate anchorDate = LocalDate.parse("2024-06-03");
    assertNotEquals(sorted(indicators(build(anchorDate), anchorDate)),
        sorted(indicators(build(anchorDate.plusDays(1)), anchorDate.plusDays(1))));
    // a8's last events leave the 90-day window within the longest step: its rows must be dropped
    LocalDate late = LocalDate.parse("2024-06-25");
    assertTrue(build(late).devices().where(col("account_id").equalTo("a8")).count() > 0);
    assertEquals(0, build(late.plusDays(UsageWindows.MAX_STEP_DAYS)).devices()
        .where(col("account_id").equalTo("a8")).count());
    assertEquals(0, UsageWindows.advance(new UsageWindows.Anchor(late, build(late)),
        late.plusDays(UsageWindows.MAX_STEP_DAYS), featureDays, userDays).features()
        .where(col("account_id").equalTo("a8")).count());
  }

  @Test
  void aStepOutsideTheRangeIsRefused() {
    LocalDate anchorDate = LocalDate.parse("2024-06-03");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UsageWindows.advance(
        new UsageWindows.Anchor(anchorDate, build(anchorDate)), anchorDate.plusDays(UsageWindows.MAX_STEP_DAYS + 1),
        featureDays, userDays));
    assertTrue(e.getMessage().contains("must be 1 to " + UsageWindows.MAX_STEP_DAYS), e.getMessage());
  }

  private static UsageWindows.State build(LocalDate date) {
    return UsageWindows.build(spine(date), featureDays, userDays);
  }

  private static Dataset<Row> spine(LocalDate date) {
    return accounts.crossJoin(AsOfCalendar.frame(spark(), List.of(date)));
  }

  private static Dataset<Row> indicators(UsageWindows.State state, LocalDate date) {
    return UsageFrequencyIndicators.apply(spine(date), state, SETTINGS);
  }

  private static void assertSameState(UsageWindows.State expected, UsageWindows.State actual, String what) {
    Dataset<Row> features = declared(expected.features(), UsageWindows.FEATURES_SCHEMA);
    Dataset<Row> advanced = declared(actual.features(), UsageWindows.FEATURES_SCHEMA);
    assertFramesEqual(features, advanced);
    assertFramesEqual(declared(expected.featureUsers(), UsageWindows.FEATURE_USERS_SCHEMA),
        declared(actual.featureUsers(), UsageWindows.FEATURE_USERS_SCHEMA));
    assertFramesEqual(declared(expected.devices(), UsageWindows.DEVICES_SCHEMA),
        declared(actual.devices(), UsageWindows.DEVICES_SCHEMA));
    LocalDate date = expected.features().select("as_of_date").first().getDate(0).toLocalDate();
    assertFramesEqual(declared(indicators(expected, date), null), declared(indicators(actual, date), null));
    assertTrue(expected.devices().count() > 20 && expected.featureUsers().count() > 20,
        what + ": the state has rows to compare");
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
