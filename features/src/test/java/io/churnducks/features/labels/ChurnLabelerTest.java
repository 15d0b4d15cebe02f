package io.churnducks.features.labels;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Churn labels (docs/architecture.md, "What churn means"): an account churns when its last subscription ends and nothing
 * restarts within the grace period; examples whose horizon is not observed are censored.
 */
class ChurnLabelerTest extends SparkTestBase {

  private static final int HORIZON = 90;
  private static final int GRACE = 30;
  private static final LocalDate RUN = LocalDate.parse("2024-12-31");

  private static final StructType SUBS = new StructType()
      .add("subscription_id", DataTypes.StringType)
      .add("account_id", DataTypes.StringType)
      .add("start_date", DataTypes.DateType)
      .add("end_date", DataTypes.DateType)
      .add("mrr", DataTypes.DoubleType);

  private static Object[] sub(String id, String account, String start, String end) {
    return new Object[] {id, account, d(start), end == null ? null : d(end), 10.0};
  }

  private static Dataset<Row> asOf(String... dates) {
    return AsOfCalendar.frame(spark(), Arrays.stream(dates).map(LocalDate::parse).toList());
  }

  private static Dataset<Row> events(Dataset<Row> subs, LocalDate runDate) {
    return ChurnLabeler.churnEvents(subs, runDate, GRACE);
  }

  private static void assertEvents(Dataset<Row> actual, Object[]... expected) {
    assertFramesEqual(frame(actual.schema(), expected), actual);
  }

  private static Object[] event(String account, String churnDate) {
    return new Object[] {account, d(churnDate)};
  }

  /** A label row: account, as-of, censored, churned, churn_date. */
  private static Object[] labelled(String account, String asOf, boolean censored, Boolean churned, String churnDate) {
    return new Object[] {account, d(asOf), censored, churned, churnDate == null ? null : d(churnDate)};
  }

  private static void assertLabels(Dataset<Row> actual, Object[]... expected) {
    assertFramesEqual(frame(actual.schema(), expected), actual);
  }

  @Test
  void renewalWithinGracePeriodIsNotChurn() {
    Dataset<Row> subs = frame(SUBS,
        sub("s1", "a1", "2024-01-01", "2024-03-01"),
        sub("s2", "a1", "2024-03-31", "2024-06-01"), // starts exactly 30 days after s1 ended
        sub("s3", "a1", "2024-06-20", null));

    assertEvents(events(subs, RUN));
    assertLabels(ChurnLabeler.label(subs, asOf("2024-02-01", "2024-05-01"), RUN, HORIZON, GRACE),
        labelled("a1", "2024-02-01", false, false, null),
        labelled("a1", "2024-05-01", false, false, null));
  }

  @Test
  void gapLongerThanGracePeriodIsChurnOnTheEndDate() {
    Dataset<Row> subs = frame(SUBS,
        sub("s1", "a2", "2024-01-01", "2024-03-01"),
        sub("s2", "a2", "2024-04-01", null)); // 31 days later: a new customer life, not a renewal

    assertEvents(events(subs, RUN), event("a2", "2024-03-01"));
    assertLabels(ChurnLabeler.label(subs, asOf("2024-02-01"), RUN, HORIZON, GRACE),
        labelled("a2", "2024-02-01", false, true, "2024-03-01"));
  }

  @Test
  void lastSubscriptionEndingWithoutRenewalIsChurn() {
    Dataset<Row> subs = frame(SUBS, sub("s1", "a3", "2024-01-01", "2024-05-10"));

    assertEvents(events(subs, RUN), event("a3", "2024-05-10"));
    assertLabels(ChurnLabeler.label(subs, asOf("2024-02-01", "2024-03-01"), RUN, HORIZON, GRACE),
        labelled("a3", "2024-02-01", false, false, null), // churns on day 99: outside the 90-day horizon
        labelled("a3", "2024-03-01", false, true, "2024-05-10"));
  }

  @Test
  void winBackAfterChurnIsStillAChurnEventAndTheAccountIsActiveAgainLater() {
    Dataset<Row> subs = frame(SUBS,
        sub("s1", "a4", "2024-01-01", "2024-03-01"),
        sub("s2", "a4", "2024-06-01", "2024-08-01"));

    assertEvents(events(subs, RUN), event("a4", "2024-03-01"), event("a4", "2024-08-01"));
    assertLabels(ChurnLabeler.label(subs, asOf("2024-02-01", "2024-04-01", "2024-07-01"), RUN, HORIZON, GRACE),
        labelled("a4", "2024-02-01", false, true, "2024-03-01"),
        labelled("a4", "2024-07-01", false, true, "2024-08-01"));
  }

  @Test
  void horizonNotObservedBeforeTheRunDateIsCensored() {
    Dataset<Row> subs = frame(SUBS, sub("s1", "a5", "2024-01-01", null));

    // 2024-09-01 + 90 + 30 = 2024-12-30, before the run date; 2024-09-02 + 120 = the run date itself.
    assertLabels(ChurnLabeler.label(subs, asOf("2024-09-01", "2024-09-02", "2024-12-01"), RUN, HORIZON, GRACE),
        labelled("a5", "2024-09-01", false, false, null),
        labelled("a5", "2024-09-02", true, null, null),
        labelled("a5", "2024-12-01", true, null, null));
  }

  @Test
  void censoredExampleHasNoLabelEvenWhenAChurnIsAlreadyKnown() {
    Dataset<Row> subs = frame(SUBS, sub("s1", "a6", "2024-01-01", "2024-10-01"));

    assertEvents(events(subs, RUN), event("a6", "2024-10-01"));
    assertLabels(ChurnLabeler.label(subs, asOf("2024-09-15"), RUN, HORIZON, GRACE),
        labelled("a6", "2024-09-15", true, null, null));
  }

  @Test
  void endWithinTheGracePeriodBeforeTheRunDateIsNotAChurnYet() {
    Dataset<Row> subs = frame(SUBS, sub("s1", "a7", "2024-01-01", "2024-12-01"));

    assertEvents(events(subs, LocalDate.parse("2024-12-15")));
    assertEvents(events(subs, LocalDate.parse("2024-12-31"))); // exactly 30 days: a renewal today still counts
    assertEvents(events(subs, LocalDate.parse("2025-01-01")), event("a7", "2024-12-01"));
  }

  @Test
  void endDateAfterTheRunDateIsNotYetKnownButAnEndOrStartOnItIs() {
    Dataset<Row> subs = frame(SUBS,
        sub("s1", "a8", "2024-01-01", "2024-12-31"), // ends on the run date: it no longer covers it
        sub("s2", "a9", "2024-01-01", "2025-03-01"), // a scheduled end: open on the run date
        sub("s3", "a9", "2024-12-31", null),          // starts on the run date: covers it
        sub("s4", "b0", "2025-01-01", null));         // starts after it: not known

    assertEvents(events(subs, RUN));
    assertEvents(SubscriptionTimeline.knownAt(subs, RUN).select("subscription_id", "end_date"),
        new Object[] {"s1", d("2024-12-31")},
        new Object[] {"s2", null},
        new Object[] {"s3", null});
    assertEvents(SubscriptionTimeline.activeOn(SubscriptionTimeline.knownAt(subs, RUN), asOf("2024-12-31")),
        new Object[] {"a9", d("2024-12-31")});
  }

  @Test
  void overlappingSubscriptionsChurnOnlyWhenTheLastOneEnds() {
    Dataset<Row> subs = frame(SUBS,
        sub("s1", "b1", "2024-01-01", "2024-06-01"),
        sub("s2", "b1", "2024-02-01", "2024-04-01"), // nested inside s1
        sub("s3", "b1", "2024-05-15", "2024-09-01"), // overlaps the end of s1
        sub("s4", "b1", "2024-03-01", "2024-03-15"));

    assertEvents(events(subs, RUN), event("b1", "2024-09-01"));
    assertLabels(ChurnLabeler.label(subs, asOf("2024-04-01", "2024-06-05"), RUN, HORIZON, GRACE),
        labelled("b1", "2024-04-01", false, false, null),
        labelled("b1", "2024-06-05", false, true, "2024-09-01"));
  }

  @Test
  void asOfOnTheExactEndDayIsNotActive() {
    Dataset<Row> subs = frame(SUBS, sub("s1", "b2", "2024-01-01", "2024-04-01"));

    assertLabels(ChurnLabeler.label(subs, asOf("2024-01-01", "2024-03-31", "2024-04-01"), RUN, HORIZON, GRACE),
        labelled("b2", "2024-01-01", false, false, null), // 2024-01-01 + 90 days = 2024-03-31
        labelled("b2", "2024-03-31", false, true, "2024-04-01"));
  }

  @Test
  void activeOnCoversStartInclusiveEndExclusiveAndOpenEnds() {
    Dataset<Row> subs = frame(SUBS,
        sub("s1", "c1", "2024-01-10", "2024-02-10"),
        sub("s2", "c2", "2024-02-01", null));

    Dataset<Row> active = SubscriptionTimeline.activeOn(subs, asOf("2024-01-09", "2024-01-10", "2024-02-10"));

    assertFramesEqual(frame(active.schema(),
            new Object[] {"c1", d("2024-01-10")},
            new Object[] {"c2", d("2024-02-10")}),
        active);
  }

  @Test
  void labelsHaveTheDeclaredSchema() {
    Dataset<Row> subs = frame(SUBS, sub("s1", "c3", "2024-01-01", null));
    StructType actual = ChurnLabeler.label(subs, asOf("2024-02-01"), RUN, HORIZON, GRACE).schema();

    assertEquals(names(ChurnLabeler.LABEL_SCHEMA), names(actual));
    for (StructField f : ChurnLabeler.LABEL_SCHEMA.fields()) {
      assertEquals(f.dataType(), actual.apply(f.name()).dataType(), f.name());
    }
  }

  @Test
  void observedMonthStartsLeaveRoomForHorizonAndGrace() {
    // 2024-12-31 - 121 days = 2024-09-01: its horizon + grace ends 2024-12-30, before the run date.
    assertEquals(List.of(LocalDate.parse("2024-07-01"), LocalDate.parse("2024-08-01"), LocalDate.parse("2024-09-01")),
        AsOfCalendar.observedMonthStarts(RUN, 3, HORIZON, GRACE));
    assertEquals(List.of(LocalDate.parse("2024-08-01")),
        AsOfCalendar.observedMonthStarts(LocalDate.parse("2024-12-30"), 1, HORIZON, GRACE));
  }

  private static List<String> names(StructType s) {
    return Arrays.asList(s.fieldNames());
  }
}
