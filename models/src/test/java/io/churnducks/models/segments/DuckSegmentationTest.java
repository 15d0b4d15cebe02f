package io.churnducks.models.segments;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.first;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DuckSegmentationTest extends SparkTestBase {

  private static final LocalDate DAY = LocalDate.of(2025, 3, 1);

  private static final List<String> INDICATORS = List.of("events_28d", "tickets_90d", "discount_pct");

  private static final List<SegmentNaming.Rule> RULES = List.of(
      new SegmentNaming.Rule("Support Heavy", List.of(SegmentNaming.Condition.parse("tickets_90d high")), "fix it"),
      new SegmentNaming.Rule("Discount Hunters", List.of(SegmentNaming.Condition.parse("discount_pct high")), "value"),
      new SegmentNaming.Rule("Power Users", List.of(SegmentNaming.Condition.parse("events_28d high")), "betas"));

  /** Three planted groups (heavy users, ticket-heavy accounts, discounted accounts); {@code shift} moves everyone a little. */
  private static Dataset<Row> planted(int n, double shift) {
    return spark().range(0, n, 1, 2).select(
        expr("concat('A', id)").as("account_id"),
        expr("CASE id % 3 WHEN 0 THEN 'power' WHEN 1 THEN 'support' ELSE 'discount' END").as("planted"),
        expr("CASE id % 3 WHEN 0 THEN 400 + 20 * rand(1) ELSE 40 + 10 * rand(2) END + " + shift * 10).as("events_28d"),
        expr("CASE id % 3 WHEN 1 THEN 12 + floor(3 * rand(3)) ELSE floor(2 * rand(4)) END").as("tickets_90d"),
        expr("CASE id % 3 WHEN 2 THEN 40 + 10 * rand(5) ELSE 0.0 END + " + shift).as("discount_pct"));
  }

  /** Each planted indicator is its own behaviour. */
  private static final Map<String, List<String>> GROUPS = Map.of("usage", List.of("events_28d"),
      "support", List.of("tickets_90d"), "price", List.of("discount_pct"));

  private static SegmentSettings settings(long seed, Map<Integer, String> overrides) {
    return new SegmentSettings(GROUPS, List.of("events_28d"), List.of(), 2, 5, 0.05, DuckSegmentation.MML, 8, 2, 10, 0.1, seed,
        0.02, 28, 0.5, 1.5, 3.0, RULES, overrides);
  }

  private static SegmentSettings settings() {
    return settings(42, Map.of());
  }

  private static Map<String, String> nameOfPlanted(Dataset<Row> assigned) {
    return assigned.groupBy("planted")
        .agg(expr("count(DISTINCT segment_name)").as("names"), first("segment_name").as("name"))
        .where(col("names").equalTo(1)).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), r -> r.getString(2)));
  }

  @Test
  void plantedGroupsComeBackWithKChosenBySilhouetteAndNamedByTheRulebook() {
    Dataset<Row> features = planted(300, 0);
    DuckSegments s = DuckSegments.learn(features, settings(), DAY, Optional.empty());
    assertEquals(3, s.model().k(), "criteria " + s.model().scores());
    assertEquals(4, s.model().scores().size(), "k = 2..5 all tried");
    assertEquals(Map.of("power", "Power Users", "support", "Support Heavy", "discount", "Discount Hunters"),
        nameOfPlanted(s.model().transform(features)));
    for (int j = 0; j < 3; j++) {
      assertEquals("rulebook", s.names().origins()[j]);
      assertTrue(s.model().evidence(j).contains(" high +"), s.model().evidence(j));
    }
  }

  @Test
  void aSmallDistinctTypeGetsItsOwnSegmentByMessageLengthWhereClassificationBicMergesIt() {
    // Two large types and a small one (6 %) three standard deviations beside the first on one indicator.
    Dataset<Row> features = spark().range(0, 800, 1, 2).select(
            expr("concat('A', id)").as("account_id"),
            expr("CASE WHEN id % 50 < 3 THEN 'small' WHEN id % 2 = 0 THEN 'first' ELSE 'second' END").as("planted"))
        .selectExpr("*", "CASE planted WHEN 'second' THEN 6.0 ELSE 0.0 END + randn(1) AS a",
            "CASE planted WHEN 'small' THEN 3.0 ELSE 0.0 END + randn(2) AS b", "randn(3) + 0.5 * randn(4) AS c");
    java.util.function.Function<String, DuckSegmentModel> fit = criterion -> new DuckSegmentation()
        .setInputCols(List.of("a", "b", "c")).setKRange(2, 4).setOverClusters(8).setRestarts(1)
        .setMinSegmentShare(0.03).setCriterion(criterion).fit(features);
    DuckSegmentModel bic = fit.apply(DuckSegmentation.BIC);
    assertEquals(2, bic.k(), "classification BIC prices the small type's parameters at ln n: " + bic.scores());
    DuckSegmentModel mml = fit.apply(DuckSegmentation.MML);
    assertEquals(3, mml.k(), "the message length prices them at the log of the customers behind them: "
        + mml.scores());
    Dataset<Row> assigned = mml.transform(features);
    double ari = AdjustedRandIndex.of(assigned, "segment_id", "planted");
    assertTrue(ari >= 0.85, "ARI " + ari);
    Row small = assigned.where(col("planted").equalTo("small")).groupBy("segment_id").count()
        .orderBy(col("count").desc()).first();
    long inIt = assigned.where(col("segment_id").equalTo(small.getInt(0))).count();
    assertTrue(small.getLong(1) >= 0.6 * 48 && small.getLong(1) >= 0.6 * inIt,
        "most of the small type, and mostly it, in one segment: " + small + " of " + inIt);
  }

  @Test
  void aSegmentSmallerThanTheMinimumShareIsRefused() {
    // Two groups of 100 and four far-out accounts: k = 3 would give the four a segment of 2 %.
    Dataset<Row> features = spark().range(0, 204, 1, 2).select(
        expr("concat('A', id)").as("account_id"),
        expr("CASE WHEN id >= 200 THEN 5000.0 WHEN id % 2 = 0 THEN 10 + rand(1) ELSE 100 + rand(2) END").as("events_28d"),
        expr("CASE WHEN id >= 200 THEN 50.0 ELSE rand(3) END").as("tickets_90d"),
        expr("rand(4)").as("discount_pct"));
    DuckSegmentModel model = new DuckSegmentation().setInputCols(INDICATORS)
        .setLogScaledCols(List.of("events_28d", "tickets_90d")).setKRange(2, 4).setOverClusters(6)
        .setRestarts(1).setMinSegmentShare(0.05).fit(features);
    assertTrue(model.scores().stream().filter(DuckSegmentModel.KScore::usable).anyMatch(x -> x.k() == model.k()),
        model.scores().toString());
    long smallest = model.transform(features).groupBy("segment_id").count().collectAsList().stream()
        .mapToLong(r -> r.getLong(1)).min().orElseThrow();
    assertTrue(smallest >= 0.05 * 204, "no segment below 5 %: smallest " + smallest + ", " + model.scores());
  }

  @Test
  void theModelSavesAndLoadsWithSparkMlAndAssignsTheSame(@TempDir Path dir) throws Exception {
    Dataset<Row> features = planted(150, 0);
    DuckSegmentModel model = DuckSegments.learn(features, settings(), DAY, Optional.empty()).model();
    String path = dir.resolve("model").toString();
    model.write().save(path);
    DuckSegmentModel loaded = DuckSegmentModel.load(path);
    assertEquals(model.k(), loaded.k());
    assertEquals(model.scores(), loaded.scores());
    assertArrayEquals(model.getOrDefault(model.inputCols()), loaded.getOrDefault(loaded.inputCols()));
    List<Row> before = model.transform(features).select("account_id", "segment_id", "segment_name").orderBy("account_id")
        .collectAsList();
    List<Row> after = loaded.transform(features).select("account_id", "segment_id", "segment_name")
        .orderBy("account_id").collectAsList();
    assertEquals(before, after);

    DuckSegmentation estimator = new DuckSegmentation().setInputCols(INDICATORS).setKRange(3, 6).setSeed(7);
    estimator.write().save(dir.resolve("estimator").toString());
    DuckSegmentation reread = DuckSegmentation.load(dir.resolve("estimator").toString());
    assertEquals(7L, reread.getOrDefault(reread.seed()));
    assertEquals(6, reread.getOrDefault(reread.maxK()));
  }

  @Test
  void aRefitOnTheNextRunKeepsIdsAndNames() {
    Dataset<Row> today = planted(300, 0);
    DuckSegments first = DuckSegments.learn(today, settings(), DAY, Optional.empty());
    // The next run: everyone moved a little, the overrides name one segment by hand.
    Dataset<Row> tomorrow = planted(300, 0.5);
    int supportId = first.model().transform(today).where(col("planted").equalTo("support")).first().getAs("segment_id");
    SegmentSettings withOverride = settings(99, Map.of(supportId, "Our Ticket Raisers"));
    DuckSegments second = DuckSegments.learn(tomorrow, withOverride, DAY.plusDays(1), Optional.of(first.model()));
    Dataset<Row> a = first.model().transform(today).select(col("account_id"), col("segment_id").as("a"),
        col("segment_name").as("name_a"));
    Dataset<Row> b = second.model().transform(tomorrow).select(col("account_id"), col("segment_id").as("b"),
        col("segment_name").as("name_b"));
    Dataset<Row> both = a.join(b, "account_id");
    assertEquals(300, both.where(col("a").equalTo(col("b"))).count(), "every account keeps its segment id");
    assertEquals(0, both.where(col("a").notEqual(supportId).and(col("name_a").notEqual(col("name_b")))).count(),
        "every id keeps its name");
    assertEquals(100, both.where(col("name_b").equalTo("Our Ticket Raisers")).count());
    assertTrue(second.lineage().vanished().isEmpty());
  }

  @Test
  void withThePreviousRunsSegmentsACustomerMovesOnlyToASegmentSwitchRatioTimesAsLikely() {
    Dataset<Row> features = planted(150, 0);
    DuckSegmentModel model = DuckSegments.learn(features, settings(), DAY, Optional.empty()).model();
    Dataset<Row> fresh = model.transform(features).select(col("account_id"), col("segment_id").as("fresh"));
    // Everyone's previous segment is another one than tonight's most likely (ids shifted by one); an
    // account of a segment id this model does not have (999) has none.
    List<Integer> ids = fresh.select("fresh").distinct().orderBy("fresh").as(org.apache.spark.sql.Encoders.INT())
        .collectAsList();
    assertEquals(3, ids.size());
    String shift = "CASE fresh WHEN " + ids.get(0) + " THEN " + ids.get(1) + " WHEN " + ids.get(1) + " THEN "
        + ids.get(2) + " ELSE " + ids.get(0) + " END";
    Dataset<Row> withPrevious = features.join(fresh, "account_id").withColumn("before",
        expr("CASE WHEN account_id = 'A0' THEN 999 ELSE " + shift + " END"));
    java.util.function.DoubleFunction<Dataset<Row>> assigned = ratio -> model.copy(
        org.apache.spark.ml.param.ParamMap.empty()).setPreviousSegmentCol("before").setSwitchRatio(ratio)
        .transform(withPrevious);
    // The planted groups are far apart: tonight's segment is many times as likely, everyone moves.
    assertEquals(150, assigned.apply(3).where(col("segment_id").equalTo(col("fresh"))).count());
    // Demanding more than any segment can give keeps everyone where they were, except the account
    // whose previous segment is not one of this model's.
    Dataset<Row> sticky = assigned.apply(1e300);
    assertEquals(149, sticky.where(col("segment_id").equalTo(col("before"))).count());
    assertEquals(1, sticky.where(col("account_id").equalTo("A0").and(col("segment_id").equalTo(col("fresh")))).count());
    // Names follow the ids.
    assertEquals(3, sticky.select("segment_id", "segment_name").distinct().count());
  }

  /**
   * The planted groups, except that before the split the discounted accounts still behave like the
   * ticket-heavy ones (two groups); after it they are a third group.
   */
  private static Dataset<Row> emerging(boolean split) {
    Dataset<Row> three = planted(300, 0);
    return split ? three : three.withColumn("tickets_90d", expr("CASE planted WHEN 'discount' THEN 12 + floor(3 * "
        + "rand(6)) ELSE tickets_90d END")).withColumn("discount_pct", expr("0.0"));
  }

  @Test
  void aBetterSegmentationReplacesThePreviousRunsOnlyOnceItHasWonForTheConfirmationDays(@TempDir Path dir)
      throws Exception {
    DuckSegmentModel before = DuckSegments.learn(emerging(false), settings(), DAY, Optional.empty()).model();
    assertEquals(2, before.k(), "criteria " + before.scores());
    assertEquals(Optional.empty(), before.challenger());
    // A third behaviour appears: the fresh k = 3 wins, the carried-over 2 segments stay for now.
    DuckSegmentModel first = DuckSegments.learn(emerging(true), settings(), DAY.plusDays(1), Optional.of(before))
        .model();
    assertEquals(2, first.k(), "criteria " + first.scores());
    assertEquals(Optional.of(new DuckSegmentModel.Challenger(3, DAY.plusDays(1))), first.challenger());
    // The challenger is saved with the model, and its streak goes on from the day it first won.
    first.write().save(dir.resolve("first").toString());
    DuckSegmentModel saved = DuckSegmentModel.load(dir.resolve("first").toString());
    assertEquals(first.challenger(), saved.challenger());
    DuckSegmentModel next = DuckSegments.learn(emerging(true), settings(), DAY.plusDays(28), Optional.of(saved))
        .model();
    assertEquals(2, next.k(), "27 days of winning are not enough");
    assertEquals(Optional.of(new DuckSegmentModel.Challenger(3, DAY.plusDays(1))), next.challenger());
    DuckSegments confirmed = DuckSegments.learn(emerging(true), settings(), DAY.plusDays(29), Optional.of(next));
    assertEquals(3, confirmed.model().k(), "28 days of winning replace the previous run's segments");
    assertEquals(Optional.empty(), confirmed.model().challenger());
    // The new segment is named fresh; the two carried-over ids keep their names.
    Map<String, String> names = nameOfPlanted(confirmed.model().transform(emerging(true)));
    assertEquals("Discount Hunters", names.get("discount"), names.toString());
    assertEquals(3, Set.copyOf(names.values()).size(), names.toString());
    assertEquals(List.of(), confirmed.lineage().vanished(), "both carried-over segments live on");
  }

  @Test
  void badIndicatorsAreRejectedBeforeAnyDataIsRead() {
    Dataset<Row> features = planted(30, 0).withColumn("industry", expr("'retail'"));
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> new DuckSegmentation().setInputCols(List.of("events_28d", "nope")).fit(features));
    assertTrue(missing.getMessage().contains("nope"), missing.getMessage());
    IllegalArgumentException text = assertThrows(IllegalArgumentException.class,
        () -> new DuckSegmentation().setInputCols(List.of("events_28d", "industry")).fit(features));
    assertTrue(text.getMessage().contains("industry") && text.getMessage().contains("not a number"),
        text.getMessage());
  }
}
