package io.churnducks.jobs.nightly;

import io.churnducks.features.lifecycle.AccountEconomics;
import io.churnducks.features.testing.SparkTestBase;
import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.generate.GeneratorOptions;
import io.churnducks.jobs.generate.Persona;
import io.churnducks.jobs.generate.SampleDataGenerator;
import io.churnducks.jobs.generate.TruthSchemas;
import io.churnducks.jobs.io.SparkSessions;
import io.churnducks.jobs.io.Warehouse;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Account economics on a small generated sample, against the personas of the generator's hidden
 * truth: the accounts that cost the most to serve are mostly the support-heavy persona, and the
 * accounts offered more seats mostly the seat-sharing one. Only the validate and features stages
 * run (account economics needs nothing else from the indicators), so the test stays cheap.
 */
class AccountEconomicsOnGeneratedDataTest extends SparkTestBase {

  /** The cost-to-serve list: this share of the accounts, those that cost the most to serve. */
  private static final double TOP_SHARE = 0.1;

  @TempDir
  static Path tmp;

  static Dataset<Row> economics;

  @BeforeAll
  static void indicatorsOfOneNight() {
    SparkSessions.configure(spark(), 4);
    spark().conf().set("spark.sql.codegen.wholeStage", "true");
    spark().conf().set("spark.sql.codegen.factoryMode", "FALLBACK");
    String sample = tmp.resolve("sample").toString();
    GeneratorOptions options = new GeneratorOptions(200, LocalDate.of(2024, 1, 1), 9, 4711L, sample, "parquet",
        0.0, 90, 30);
    LocalDate cutoff = SampleDataGenerator.run(spark(), options).cutoff();
    List<String> overrides = new ArrayList<>(List.of("sample.dir=" + sample, "warehouse=" + tmp.resolve("warehouse"),
        "model.training-months=3", "model.backtest-folds=1"));
    for (String t : List.of("accounts", "subscriptions", "invoices", "usage_events", "support_tickets", "surveys")) {
      overrides.add("sources." + t + ".format=parquet");
    }
    ChurnConfig config = ChurnConfig.load(new File("../conf/demo.conf"), overrides);
    new NightlyJob(spark(), config, cutoff).run(EnumSet.of(NightlyJob.Stage.validate, NightlyJob.Stage.features));

    Dataset<Row> features = new Warehouse(spark(), config.warehouse()).read("customer_features", cutoff);
    StructType segments = new StructType().add("account_id", DataTypes.StringType)
        .add("segment_name", DataTypes.StringType);
    StructType scores = new StructType().add("account_id", DataTypes.StringType)
        .add("churn_probability", DataTypes.DoubleType).add("expected_months_left", DataTypes.DoubleType);
    Dataset<Row> personas = spark().read().parquet(sample + "/" + TruthSchemas.DIR + "/" + TruthSchemas.ACCOUNTS_TABLE)
        .select("account_id", "persona");
    economics = AccountEconomics.apply(features, features.select(col("account_id"),
                lit(null).cast(DataTypes.StringType).as("account_name")),
            spark().createDataFrame(List.of(), segments), spark().createDataFrame(List.of(), scores), config.lifecycle())
        .join(personas, "account_id").cache();
  }

  @AfterAll
  static void release() {
    economics.unpersist();
  }

  /** Accounts per persona in a list. */
  private static Map<String, Long> personasOf(Dataset<Row> list) {
    Map<String, Long> out = new TreeMap<>();
    list.groupBy("persona").count().collectAsList().forEach(r -> out.put(r.getString(0), r.getLong(1)));
    return out;
  }

  /** The persona is the most common one of the list and at least half of it. */
  private static void assertDominates(Persona persona, Map<String, Long> list, String what) {
    long total = list.values().stream().mapToLong(Long::longValue).sum();
    String top = list.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
    assertEquals(persona.id(), top, what + ": " + list);
    assertTrue(2 * list.get(persona.id()) >= total, persona.id() + " is at least half of " + what + ": " + list);
  }

  @Test
  void theSupportHeavyPersonaDominatesTheCostToServeList() {
    long active = economics.count();
    int top = (int) Math.ceil(TOP_SHARE * active);
    Dataset<Row> costliest = economics.orderBy(col("cost_to_serve_monthly").desc_nulls_last(), col("account_id"))
        .limit(top);
    assertTrue(top >= 10, active + " active accounts give a list of " + top);
    assertDominates(Persona.SUPPORT_HEAVY, personasOf(costliest), "the " + top + " accounts costliest to serve");
  }

  @Test
  void theSeatSharingPersonaDominatesTheSeatList() {
    Dataset<Row> offered = economics.where(col("offer_more_seats"));
    assertTrue(offered.count() >= 10, "accounts offered more seats: " + offered.count());
    assertDominates(Persona.SEAT_SHARER, personasOf(offered), "the accounts offered more seats");
    assertEquals(0, offered.where(col("seat_gap").leq(0)).count(), "every offer has a seat gap");
  }
}
