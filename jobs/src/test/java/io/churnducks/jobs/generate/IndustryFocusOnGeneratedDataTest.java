package io.churnducks.jobs.generate;

import io.churnducks.features.labels.AsOfCalendar;
import io.churnducks.features.labels.ChurnLabeler;
import io.churnducks.features.relevance.IndustryFocus;
import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * "The industries with real effects are exactly the kept ones": the industry decision on the
 * subscriptions of 40,000 generated accounts over three years (their usage is never rendered, so
 * the test needs seconds, not the minutes a full sample of that size would take).
 */
class IndustryFocusOnGeneratedDataTest extends SparkTestBase {

  private static final StructType SUBSCRIPTIONS = new StructType()
      .add("subscription_id", DataTypes.StringType, false)
      .add("account_id", DataTypes.StringType, false)
      .add("industry", DataTypes.StringType, false)
      .add("start_date", DataTypes.DateType, false)
      .add("end_date", DataTypes.DateType, true);

  @Test
  void theIndustriesKeptAreExactlyThoseWithAnEffect() {
    GeneratorOptions o = new GeneratorOptions(40_000, LocalDate.of(2022, 1, 1), 36, 4242L, "unused", "parquet", 0.0,
        90, 30);
    // The subscriptions exactly as the billing export renders them (start and end in epoch seconds).
    Dataset<Row> subscriptions = spark().range(0, o.accounts(), 1, 8).flatMap((FlatMapFunction<Long, Row>) index -> {
      AccountHistory h = AccountSimulator.simulate(o, index);
      List<Row> rows = new ArrayList<>();
      for (String[] s : SourceRenderer.subscriptions(h, o)) {
        rows.add(RowFactory.create(s[0], s[1], h.industry.name(), day(s[2]), s[3] == null ? null : day(s[3])));
      }
      return rows.iterator();
    }, Encoders.row(SUBSCRIPTIONS)).cache();
    LocalDate runDate = o.cutoff();
    List<LocalDate> asOf = AsOfCalendar.observedMonthStarts(runDate, 30, 90, 30);
    List<LocalDate> spaced = IndustryFocus.spacedDates(asOf, 90);
    Dataset<Row> examples = ChurnLabeler.label(subscriptions, AsOfCalendar.frame(spark(), spaced), runDate, 90, 30)
        .where(col("censored").equalTo(false))
        .join(subscriptions.select("account_id", "industry").distinct(), "account_id");

    IndustryFocus.Decision decision = IndustryFocus.decide(spark(), examples);

    List<String> withEffect = SampleCatalog.INDUSTRIES.stream().filter(SampleCatalog.Industry::hasEffect)
        .map(SampleCatalog.Industry::name).sorted().toList();
    assertEquals(withEffect, decision.kept(), "industries kept");
    subscriptions.unpersist();
  }

  private static Date day(String epochSeconds) {
    return Date.valueOf(LocalDate.ofEpochDay(Long.parseLong(epochSeconds) / 86_400));
  }
}
