package io.churnducks.features.relevance;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Which industries are kept: those whose churn rate differs from the typical industry's. */
class IndustryFocusTest extends SparkTestBase {

  private static final StructType EXAMPLES = new StructType()
      .add("account_id", DataTypes.StringType, false)
      .add("industry", DataTypes.StringType, true)
      .add("churned", DataTypes.BooleanType, false);

  @Test
  void onlyIndustriesThatChurnDifferentlyFromTheTypicalOneAreKept() {
    List<Object[]> rows = new ArrayList<>();
    add(rows, "Retail", 1000, 100);      // typical
    add(rows, "Software", 1200, 120);    // typical
    add(rows, "Legal", 900, 85);         // typical within noise
    add(rows, "Media", 1000, 200);       // twice the typical rate
    add(rows, "Healthcare", 1000, 40);   // well below
    add(rows, "Travel", 40, 30);         // striking, but too few examples to test
    add(rows, null, 50, 5);

    IndustryFocus.Decision d = IndustryFocus.decide(spark(), frame(EXAMPLES, rows.toArray(Object[][]::new)));

    assertEquals(List.of("Healthcare", "Media"), d.kept());
    Row media = d.table().where(col("industry").equalTo("Media")).first();
    assertEquals(2.0, media.<Double>getAs("rate_vs_typical"), 1e-12, "typical rate: Retail's and Software's 10%");
    assertNull(d.table().where(col("industry").equalTo("Travel")).first().getAs("p_value"));
    Dataset<Row> folded = frame(EXAMPLES, new Object[] {"x", "Media", true}, new Object[] {"y", "Travel", true},
        new Object[] {"z", null, false}).select(d.folded(col("industry")).as("industry"));
    assertEquals(List.of("Media", "other", "other"),
        folded.collectAsList().stream().map(r -> r.getString(0)).sorted().toList());
  }

  @Test
  void datesAHorizonApartCountEachChurnOnce() {
    List<LocalDate> months = new ArrayList<>();
    for (int m = 1; m <= 12; m++) {
      months.add(LocalDate.of(2024, m, 1));
    }
    assertEquals(List.of(LocalDate.of(2024, 3, 1), LocalDate.of(2024, 6, 1), LocalDate.of(2024, 9, 1),
        LocalDate.of(2024, 12, 1)), IndustryFocus.spacedDates(months, 90));
  }

  private static void add(List<Object[]> rows, String industry, int examples, int churners) {
    for (int i = 0; i < examples; i++) {
      rows.add(new Object[] {industry + "-" + i, industry, i < churners});
    }
  }

  @Test
  void examplesOfTheSameAccountsCountLessThanIndependentOnes() {
    // The same rates as Media's twice the typical, but from 25 accounts repeated 40 times: not enough evidence.
    List<Object[]> rows = new ArrayList<>();
    add(rows, "Retail", 1000, 100);
    add(rows, "Software", 1000, 100);
    for (int a = 0; a < 25; a++) {
      for (int k = 0; k < 40; k++) {
        rows.add(new Object[] {"media-" + a, "Media", a < 5});
      }
    }

    IndustryFocus.Decision d = IndustryFocus.decide(spark(), frame(EXAMPLES, rows.toArray(Object[][]::new)));

    assertEquals(List.of(), d.kept());
  }
}
