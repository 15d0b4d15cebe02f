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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Unit economics on four accounts worked out by hand. Run date 2024-12-31, grace 30 days, so the
 * churn window is the 6 months [2024-06-01, 2024-12-01) (183 days); new accounts are counted from
 * 2024-09-30 (3 months); gross margin 0.8.
 *
 * <pre>
 * b1 referral cost 300   2024-01-01..open  100   183 customer-days, active
 * b2 referral cost 500   2024-03-01..09-01  60    92 customer-days (06-01..09-01), churned 09-01
 * b3 paid     cost 1000  2024-10-15..open  200    47 customer-days (10-15..12-01), active, new
 * b4 paid     no cost    2024-02-01..open   50   183 customer-days, active
 * b5 paid     cost 700   2025-01-02..open   80   starts after the run date: not a customer yet
 * </pre>
 */
class UnitEconomicsTest extends SparkTestBase {

  private static final LocalDate RUN = LocalDate.parse("2024-12-31");
  private static final LifecycleSettings SETTINGS = new LifecycleSettings(0.8, 6, 3, 2.0);
  private static final double MONTH = 365.25 / 12;

  private static final StructType ACCOUNTS = new StructType()
      .add("account_id", DataTypes.StringType)
      .add("acquisition_channel", DataTypes.StringType)
      .add("acquisition_cost", DataTypes.DoubleType);
  private static final StructType SUBS = new StructType()
      .add("account_id", DataTypes.StringType)
      .add("start_date", DataTypes.DateType)
      .add("end_date", DataTypes.DateType);
  private static final StructType ACTIVE = new StructType()
      .add("account_id", DataTypes.StringType)
      .add("mrr", DataTypes.DoubleType);
  private static final StructType SEGMENTS = new StructType()
      .add("account_id", DataTypes.StringType)
      .add("segment_name", DataTypes.StringType);

  private static List<Row> rows;

  @BeforeAll
  static void compute() {
    Dataset<Row> accounts = frame(ACCOUNTS,
        new Object[] {"b1", "referral", 300.0},
        new Object[] {"b2", "referral", 500.0},
        new Object[] {"b3", "paid", 1000.0},
        new Object[] {"b4", "paid", null},
        new Object[] {"b5", "paid", 700.0});
    Dataset<Row> subs = frame(SUBS,
        new Object[] {"b1", d("2024-01-01"), null},
        new Object[] {"b2", d("2024-03-01"), d("2024-09-01")},
        new Object[] {"b3", d("2024-10-15"), null},
        new Object[] {"b4", d("2024-02-01"), null},
        new Object[] {"b5", d("2025-01-02"), null});
    Dataset<Row> active = frame(ACTIVE,
        new Object[] {"b1", 100.0},
        new Object[] {"b3", 200.0},
        new Object[] {"b4", 50.0});
    Dataset<Row> segments = frame(SEGMENTS,
        new Object[] {"b1", "Quiet Loyalists"},
        new Object[] {"b2", "Quiet Loyalists"},
        new Object[] {"b3", "Expanders"});
    Dataset<Row> out = UnitEconomics.apply(accounts, subs, active, segments, RUN, 30, SETTINGS);
    assertEquals(List.of(UnitEconomics.SCHEMA.fieldNames()), List.of(out.columns()));
    for (org.apache.spark.sql.types.StructField f : UnitEconomics.SCHEMA.fields()) {
      assertEquals(f.dataType(), out.schema().apply(f.name()).dataType(), f.name());
    }
    rows = out.collectAsList();
  }

  private static Row row(String dimension, String group) {
    return rows.stream().filter(r -> r.getString(0).equals(dimension) && r.getString(1).equals(group)).findFirst()
        .orElseThrow(() -> new AssertionError("no row " + dimension + "=" + group + " in " + rows));
  }

  private static double value(Row r, String column) {
    return r.getDouble(r.fieldIndex(column));
  }

  private static boolean isNull(Row r, String column) {
    return r.isNullAt(r.fieldIndex(column));
  }

  @Test
  void ltvIsArpaTimesMarginOverTheMeasuredChurnRate() {
    Row referral = row("channel", "referral");
    double churn = 1 / ((183 + 92) / MONTH);                  // one churn (b2) over 275 customer-days
    assertEquals(1L, referral.getLong(referral.fieldIndex("active_accounts")));
    assertEquals(100.0, value(referral, "arpa"), 1e-9);       // b1 only: b2 is gone
    assertEquals(0.8, value(referral, "gross_margin"), 1e-12);
    assertEquals(churn, value(referral, "monthly_churn_rate"), 1e-12);
    assertEquals(275 / MONTH, value(referral, "lifetime_months"), 1e-9);
    assertEquals(100 * 0.8 * 275 / MONTH, value(referral, "ltv"), 1e-9);
    assertEquals(400.0, value(referral, "cac"), 1e-9);       // (300 + 500) / 2
    assertEquals(100 * 0.8 * 275 / MONTH / 400, value(referral, "ltv_to_cac"), 1e-12);
    assertEquals(400 / (100 * 0.8), value(referral, "payback_months"), 1e-12);
    assertEquals(0.0, value(referral, "new_accounts_per_month"), 1e-12);
    assertEquals(0.0, value(referral, "revenue_ceiling"), 1e-12);
  }

  @Test
  void zeroChurnGivesNullLifetimeLtvAndCeilingNotInfinity() {
    Row paid = row("channel", "paid");
    assertEquals(2L, paid.getLong(paid.fieldIndex("active_accounts")));
    assertEquals(125.0, value(paid, "arpa"), 1e-9);           // (200 + 50) / 2
    assertEquals(0.0, value(paid, "monthly_churn_rate"), 1e-12);
    for (String c : List.of("lifetime_months", "ltv", "ltv_to_cac", "revenue_ceiling")) {
      assertTrue(isNull(paid, c), c + " is null when nobody churned");
    }
    assertEquals(1000.0, value(paid, "cac"), 1e-9);           // b4 has no cost, b5 is not a customer yet
    assertEquals(1000 / (125 * 0.8), value(paid, "payback_months"), 1e-12);
    assertEquals(1 / 3.0, value(paid, "new_accounts_per_month"), 1e-12); // b3 in the 3 months
  }

  @Test
  void revenueCeilingIsNewAccountsPerMonthTimesArpaOverChurn() {
    Row all = row("all", "all");
    double churn = 1 / ((183 + 92 + 47 + 183) / MONTH);
    double arpa = (100 + 200 + 50) / 3.0;
    assertEquals(3L, all.getLong(all.fieldIndex("active_accounts")));
    assertEquals(arpa, value(all, "arpa"), 1e-9);
    assertEquals(churn, value(all, "monthly_churn_rate"), 1e-12);
    assertEquals(600.0, value(all, "cac"), 1e-9);             // (300 + 500 + 1000) / 3
    assertEquals(arpa * 0.8 / churn / 600, value(all, "ltv_to_cac"), 1e-9);
    assertEquals((1 / 3.0) * arpa / churn, value(all, "revenue_ceiling"), 1e-9);
  }

  @Test
  void segmentsCountTheAccountsGivenTheirSegmentAndNoOthers() {
    Row quiet = row("segment", "Quiet Loyalists");          // b1 and b2: the referral numbers again
    assertEquals(value(row("channel", "referral"), "ltv"), value(quiet, "ltv"), 1e-9);
    Row expanders = row("segment", "Expanders");            // b3: 47 customer-days, no churn
    assertEquals(200.0, value(expanders, "arpa"), 1e-9);
    assertEquals(0.0, value(expanders, "monthly_churn_rate"), 1e-12);
    assertNull(rows.stream().filter(r -> r.getString(0).equals("segment") && r.getString(1) == null).findFirst()
        .orElse(null), "b4 has no segment");
    assertEquals(5, rows.size(), "all, two channels, two segments: " + rows);
  }

  @Test
  void aGroupWithoutActiveAccountsHasNoArpaAndNoPayback() {
    Dataset<Row> out = UnitEconomics.apply(
        frame(ACCOUNTS, new Object[] {"x", "events", 100.0}),
        frame(SUBS, new Object[] {"x", d("2024-03-01"), d("2024-07-01")}),
        frame(ACTIVE), frame(SEGMENTS), RUN, 30, SETTINGS);
    Row events = out.where("dimension = 'channel'").first();
    assertEquals(0L, events.getLong(events.fieldIndex("active_accounts")));
    for (String c : List.of("arpa", "ltv", "ltv_to_cac", "payback_months", "revenue_ceiling")) {
      assertTrue(isNull(events, c), c + " is null without active accounts");
    }
    assertEquals(1 / (30 / MONTH), value(events, "monthly_churn_rate"), 1e-12); // 06-01..07-01, one churn
  }
}
