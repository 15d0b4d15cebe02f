package io.churnducks.features.lifecycle;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retention curves on six accounts whose every figure is worked out by hand below. Run date
 * 2024-12-31, grace period 30 days: a month's day is observed when it is on or before 2024-11-30.
 *
 * <pre>
 * a1 web      Retail  2024-01-15..open  100         months 0-10 observed, always 100
 * a2 web      Media   2024-01-10..04-10  50         lost at month 3 (04-10: the end day is not covered)
 * a3 partner  -       01-01..03-01 100, 03-01..open 150   expands at month 2
 * a4 -        Retail  2024-11-20..open   80         observed at month 0 only (month 1 is 12-20)
 * a5 web      Retail  2024-11-05..12-10  20         too young: month 1 (12-05) unobserved, so never lost
 * a6 partner  Media   01-05..02-20 40, 03-10..open 40  month 2 (03-05) falls in a 19-day gap: retained
 * a7 web      Retail  2025-01-05..open   90         starts after the run date: not known
 * </pre>
 */
class RetentionCurvesTest extends SparkTestBase {

  private static final LocalDate RUN = LocalDate.parse("2024-12-31");
  private static final int GRACE = 30;

  private static final StructType ACCOUNTS = new StructType()
      .add("account_id", DataTypes.StringType)
      .add("signup_date", DataTypes.DateType)
      .add("acquisition_channel", DataTypes.StringType)
      .add("industry", DataTypes.StringType);
  private static final StructType SUBS = new StructType()
      .add("account_id", DataTypes.StringType)
      .add("start_date", DataTypes.DateType)
      .add("end_date", DataTypes.DateType)
      .add("mrr", DataTypes.DoubleType);
  private static final StructType SEGMENTS = new StructType()
      .add("account_id", DataTypes.StringType)
      .add("segment_name", DataTypes.StringType);

  private static List<Row> curves;

  @BeforeAll
  static void compute() {
    Dataset<Row> accounts = frame(ACCOUNTS,
        new Object[] {"a1", d("2024-01-15"), "web", "Retail"},
        new Object[] {"a2", d("2024-01-10"), "web", "Media"},
        new Object[] {"a3", d("2024-01-01"), "partner", null},
        new Object[] {"a4", d("2024-11-20"), null, "Retail"},
        new Object[] {"a5", d("2024-11-05"), "web", "Retail"},
        new Object[] {"a6", d("2024-01-05"), "partner", "Media"},
        new Object[] {"a7", d("2025-01-05"), "web", "Retail"});
    Dataset<Row> subs = frame(SUBS,
        new Object[] {"a1", d("2024-01-15"), null, 100.0},
        new Object[] {"a2", d("2024-01-10"), d("2024-04-10"), 50.0},
        new Object[] {"a3", d("2024-01-01"), d("2024-03-01"), 100.0},
        new Object[] {"a3", d("2024-03-01"), null, 150.0},
        new Object[] {"a4", d("2024-11-20"), null, 80.0},
        new Object[] {"a5", d("2024-11-05"), d("2024-12-10"), 20.0},
        new Object[] {"a6", d("2024-01-05"), d("2024-02-20"), 40.0},
        new Object[] {"a6", d("2024-03-10"), null, 40.0},
        new Object[] {"a7", d("2025-01-05"), null, 90.0});
    Dataset<Row> segments = frame(SEGMENTS,
        new Object[] {"a1", "Quiet Loyalists"},
        new Object[] {"a3", "Expanders"});
    Dataset<Row> out = RetentionCurves.apply(accounts, subs, segments, List.of("Retail"), RUN, GRACE);
    assertEquals(List.of(RetentionCurves.SCHEMA.fieldNames()), List.of(out.columns()));
    for (org.apache.spark.sql.types.StructField f : RetentionCurves.SCHEMA.fields()) {
      assertEquals(f.dataType(), out.schema().apply(f.name()).dataType(), f.name());
    }
    curves = out.orderBy("dimension", "group_value", "month_number").collectAsList();
  }

  private static Row row(String dimension, String group, int month) {
    return curves.stream().filter(r -> r.getString(0).equals(dimension) && r.getString(1).equals(group)
        && r.getInt(2) == month).findFirst().orElse(null);
  }

  /** accounts observed, retained, start MRR, gross and net revenue retention. */
  private static void assertMonth(String dimension, String group, int month, long observed, long retained,
      double startMrr, double grr, double nrr) {
    Row r = row(dimension, group, month);
    String what = dimension + "=" + group + " month " + month;
    assertTrue(r != null, what + " has a row");
    assertEquals(observed, r.getLong(3), what + " observed");
    assertEquals(retained, r.getLong(4), what + " retained");
    assertEquals((double) retained / observed, r.getDouble(5), 1e-12, what + " logo retention");
    assertEquals(startMrr, r.getDouble(6), 1e-9, what + " start MRR");
    assertEquals(grr, r.getDouble(7), 1e-12, what + " GRR");
    assertEquals(nrr, r.getDouble(8), 1e-12, what + " NRR");
  }

  @Test
  void everyObservedAccountIsRetainedAtMonthZero() {
    // a1..a6 (a7 is not known): 100 + 50 + 100 + 80 + 20 + 40.
    assertMonth("all", "all", 0, 6, 6, 390, 1.0, 1.0);
  }

  @Test
  void tooYoungAccountsLeaveTheDenominatorInsteadOfCountingAsLost() {
    // Month 1: a4 (12-20) and a5 (12-05) are too young, although a5 has already ended.
    assertMonth("all", "all", 1, 4, 4, 290, 1.0, 1.0);
    assertMonth("cohort", "2024-11", 0, 2, 2, 100, 1.0, 1.0);
    assertNull(row("cohort", "2024-11", 1), "the November cohort is not observed at month 1");
  }

  @Test
  void expansionRaisesNetAboveGrossRevenueRetention() {
    // Month 2: a3 pays 150 instead of 100; a6 is in a gap shorter than the grace period: retained at 40.
    assertMonth("all", "all", 2, 4, 4, 290, 290 / 290.0, 340 / 290.0);
    // Month 3: a2 has churned (0), a3 still 150: GRR (100 + 0 + 100 + 40) / 290, NRR (100 + 0 + 150 + 40) / 290.
    assertMonth("all", "all", 3, 4, 3, 290, 240 / 290.0, 290 / 290.0);
  }

  @Test
  void theCurveEndsAtTheLastObservedMonth() {
    // a1's month 10 is 2024-11-15 (observed), its month 11 is 2024-12-15 (within the grace period of the run).
    assertMonth("all", "all", 10, 4, 3, 290, 240 / 290.0, 290 / 290.0);
    assertNull(row("all", "all", 11));
  }

  @Test
  void groupsByChannelSegmentAndKeptIndustry() {
    assertMonth("channel", "web", 3, 2, 1, 150, 100 / 150.0, 100 / 150.0);       // a1, a2
    assertMonth("channel", "partner", 3, 2, 2, 140, 140 / 140.0, 190 / 140.0);  // a3, a6
    assertMonth("channel", "unknown", 0, 1, 1, 80, 1.0, 1.0);                   // a4
    assertMonth("segment", "Expanders", 3, 1, 1, 100, 1.0, 1.5);                // a3
    assertMonth("segment", "Quiet Loyalists", 3, 1, 1, 100, 1.0, 1.0);         // a1
    assertMonth("industry", "Retail", 0, 3, 3, 200, 1.0, 1.0);                  // a1, a4, a5
    assertMonth("industry", "other", 3, 3, 2, 190, 140 / 190.0, 190 / 190.0);   // a2, a3, a6
    assertEquals(List.of("all", "channel", "cohort", "industry", "segment"),
        curves.stream().map(r -> r.getString(0)).distinct().sorted().toList());
    assertEquals(List.of("Expanders", "Quiet Loyalists"), curves.stream().filter(r -> r.getString(0).equals("segment"))
        .map(r -> r.getString(1)).distinct().sorted().toList(), "accounts without a segment are in no segment curve");
  }

  @Test
  void aMissingColumnIsNamedWithItsTable() {
    Dataset<Row> accounts = frame(ACCOUNTS).drop("acquisition_channel");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RetentionCurves.apply(accounts,
        frame(SUBS), frame(SEGMENTS), List.of(), RUN, GRACE));
    assertTrue(e.getMessage().startsWith("Cannot compute retention_curves: missing column acquisition_channel of "
        + "accounts"), e.getMessage());
  }

  @Test
  void onlySubscriptionsKnownOnTheRunDateCount() {
    assertEquals(0, spark().createDataFrame(curves, RetentionCurves.SCHEMA).where(col("dimension").equalTo("cohort")
        .and(col("group_value").equalTo("2025-01"))).count(), "a7 starts after the run date");
  }
}
