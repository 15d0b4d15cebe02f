package io.churnducks.models.churn;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;
import java.util.stream.IntStream;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training on examples whose true churn probability is known: risk comes from a threshold on
 * tickets combined with low usage (which trees can model and a linear model cannot), the industry
 * is noise.
 */
class ChurnModelTest extends SparkTestBase {

  private static final List<LocalDate> DATES = IntStream.range(0, 12)
      .mapToObj(i -> LocalDate.of(2024, 1, 1).plusMonths(i)).toList();
  private static final LocalDate RUN = LocalDate.of(2025, 6, 1);
  private static final Candidate LINEAR = Candidate.logisticRegression(0.01, 0.0);
  private static final Candidate TREES = Candidate.boostedTrees(3, 40, 0.2);
  private static final ChurnModelSettings SETTINGS = new ChurnModelSettings(90, 30, 12, 3, List.of(LINEAR, TREES),
      Calibration.PLATT, true, 0.30, 0.15, 2, 30);
  private static final ChurnModel.Columns COLUMNS = new ChurnModel.Columns(
      List.of("events_28d", "tickets_90d", "mrr", "last_nps"), List.of("events_28d"), List.of("industry"));
  private static Dataset<Row> examples;
  private static ChurnTraining.Trained trained;

  @BeforeAll
  static void trainOnExamplesWithKnownProbabilities() {
    // 12 monthly as-of dates × 500 accounts.
    examples = spark().range(0, 6000, 1, 2).select(
            expr("concat('A', id % 500)").as("account_id"),
            expr("add_months(DATE'2024-01-01', CAST(id DIV 500 AS INT))").as("as_of_date"),
            expr("exp(2 + 1.2 * randn(7))").as("events_28d"),
            expr("CAST(floor(rand(8) * 6) AS BIGINT)").as("tickets_90d"),
            expr("50 + 100 * rand(9)").as("mrr"),
            expr("CASE WHEN rand(10) < 0.3 THEN NULL ELSE CAST(floor(rand(11) * 11) AS INT) END").as("last_nps"),
            expr("element_at(array('Retail', 'Media', 'Energy'), CAST(floor(rand(12) * 3) AS INT) + 1)").as("industry"))
        .withColumn("p", expr("CASE WHEN tickets_90d >= 4 AND events_28d < 7 THEN 0.7 "
            + "WHEN tickets_90d >= 4 OR events_28d < 3 THEN 0.2 ELSE 0.04 END"))
        .withColumn("churned", expr("rand(13) < p"))
        .cache();
    trained = ChurnTraining.train(examples, DATES, COLUMNS, SETTINGS, RUN);
  }

  @Test
  void noFoldTrainsOnAnExampleWhoseOutcomeWasUnknownOnItsTestDate() {
    List<RollingBacktest.Plan> plans = RollingBacktest.plan(DATES, 3, 90, 30);
    assertEquals(List.of(LocalDate.of(2024, 10, 1), LocalDate.of(2024, 11, 1), LocalDate.of(2024, 12, 1)),
        plans.stream().map(RollingBacktest.Plan::testDate).toList());
    for (RollingBacktest.Plan p : plans) {
      for (LocalDate d : p.trainDates()) {
        assertTrue(d.plusDays(120).isBefore(p.testDate()), d + " + horizon + grace ends before " + p.testDate());
      }
      LocalDate next = DATES.get(p.trainDates().size());
      assertTrue(!next.plusDays(120).isBefore(p.testDate()), "every date whose outcome was known is used");
    }
    // 2024-06-01 + 120 days = 2024-09-29, before 2024-10-01; 2024-07-01 + 120 days is not.
    assertEquals(DATES.subList(0, 6), plans.get(0).trainDates());
    for (RollingBacktest.Fold f : trained.chosen().folds()) {
      assertEquals(500L * f.plan().trainDates().size(), f.trainExamples(), "the fold trained on its planned dates only");
      assertEquals(500L, f.metrics().examples());
    }
  }

  @Test
  void theBacktestChoosesTheCandidateThatRanksBetterAndNearlyMatchesTheTruth() {
    assertEquals(2, trained.backtests().size());
    double linear = trained.backtests().get(0).auc();
    double trees = trained.backtests().get(1).auc();
    assertTrue(trees > linear, "trees " + trees + " rank an interaction better than the linear model " + linear);
    assertEquals(TREES, trained.model().candidate());
    assertTrue(trained.model().version().startsWith("gbt-2025-06-01-"), trained.model().version());
    Dataset<Row> tested = examples.where(col("as_of_date").geq(java.sql.Date.valueOf("2024-10-01")))
        .withColumn("label", when(col("churned"), 1.0).otherwise(0.0));
    double trueAuc = BinaryMetrics.of(tested, "label", "p").auc();
    assertTrue(trees > 0.95 * trueAuc, "pooled backtest AUC " + trees + " vs true " + trueAuc);
    assertNull(trained.undefined());
  }

  @Test
  void calibratedProbabilitiesMatchObservedChurnDespiteClassWeights() {
    BinaryMetrics calibrated = trained.chosen().calibrated();
    assertEquals(1000, calibrated.examples(), "folds 2 and 3, each calibrated on the folds before it");
    assertTrue(calibrated.ece() < 0.05, "ECE " + calibrated.ece());
    Dataset<Row> scored = trained.model().score(examples.where(col("as_of_date").equalTo(java.sql.Date.valueOf("2024-12-01"))));
    double meanP = scored.agg(avg("churn_probability")).first().getDouble(0);
    double rate = examples.where(col("as_of_date").equalTo(java.sql.Date.valueOf("2024-12-01")))
        .agg(avg(col("churned").cast("double"))).first().getDouble(0);
    assertEquals(rate, meanP, 0.04, "weighted training would put the mean near 0.5 without calibration");
  }

  @Test
  void scoresCarryTierMrrAtRiskAndReasonsThatPointAtTheCause() {
    ChurnModel model = trained.model();
    Dataset<Row> scores = model.score(examples.where(col("as_of_date").equalTo(java.sql.Date.valueOf("2024-12-01")))
            .withColumn("lapsed", expr("account_id = 'A7'")))
        .cache();
    assertEquals(500, scores.count());
    assertEquals(List.of("A7"), scores.where(col("lapsed")).select("account_id").as(
        org.apache.spark.sql.Encoders.STRING()).collectAsList(), "lapsed is passed through");
    assertEquals(0, scores.where(expr("abs(mrr_at_risk - churn_probability * mrr) > 1e-9")).count());
    assertEquals(0, scores.where(expr("(churn_probability >= 0.30) <> (risk_tier = 'high')")).count());
    assertEquals(0, scores.where(expr("churn_probability >= 0.15 AND churn_probability < 0.30 AND risk_tier <> 'medium'"))
        .count());
    // The riskiest accounts are explained by many tickets and low usage, never first by noise
    // (a tree can pick up a little from mrr or nps) and never by a category.
    List<Row> top = scores.orderBy(col("churn_probability").desc()).limit(20).collectAsList();
    for (Row r : top) {
      List<String> reasons = r.getList(r.fieldIndex("top_reasons"));
      assertTrue(!reasons.isEmpty() && List.of("tickets_90d high", "events_28d low").contains(reasons.get(0)),
          reasons.toString());
      assertTrue(reasons.stream().noneMatch(s -> s.startsWith("industry")), reasons.toString());
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"gbt", "xgboost"})
  void aBlendScoresTheMeanOfItsMembersAndItsReasonsMoveBoth(String trees) {
    Candidate member = "gbt".equals(trees) ? TREES : Candidate.xgboost(3, 40, 0.2, 1.0, 1.0, 1.0);
    Candidate blend = Candidate.blend(member, LINEAR);
    assertEquals("blend(" + member.label() + " + logreg(reg 0.01, l1 share 0.0))", blend.label());
    assertEquals(member, blend.treeMember());
    assertEquals(LINEAR, blend.linearMember());
    ChurnModel model = ChurnModel.fit(examples.where(col("as_of_date").lt(java.sql.Date.valueOf("2024-10-01"))),
        COLUMNS, blend, false, Calibration.identity(), SETTINGS, RUN);
    // Tonight's accounts, one of them in an industry the training never saw.
    Dataset<Row> accounts = examples.where(col("as_of_date").equalTo(java.sql.Date.valueOf("2024-12-01")))
        .withColumn("industry", expr("CASE WHEN account_id = 'A3' THEN 'Mining' ELSE industry END"));
    List<Row> scored = model.rawScores(accounts).select(col(ChurnPipeline.ASSEMBLED), col(ChurnModel.SCORE),
        org.apache.spark.ml.functions.vector_to_array(col(ChurnPipeline.TREE_PROBABILITY), "float64").getItem(1),
        org.apache.spark.ml.functions.vector_to_array(col(ChurnPipeline.LINEAR_PROBABILITY), "float64").getItem(1))
        .collectAsList();
    assertEquals(500, scored.size());
    long flags = java.util.Arrays.stream(org.apache.spark.ml.attribute.AttributeGroup.fromStructField(model.pipeline()
        .transform(accounts).schema().apply(ChurnPipeline.ASSEMBLED)).attributes().get())
        .filter(a -> a.name().get().endsWith(ChurnPipeline.MISSING_SLOT)).count();
    assertEquals(1, flags, "last_nps is missing for some accounts");
    BlendScorer scorer = BlendScorer.of(model.pipeline(), COLUMNS.numeric(), COLUMNS.logScaled(), (int) flags);
    double spread = 0;
    for (Row r : scored) {
      assertEquals((r.getDouble(2) + r.getDouble(3)) / 2, r.getDouble(1), 1e-12, "the score is the members' mean");
      // XGBoost computes in 32-bit floats
      assertEquals(r.getDouble(1), scorer.probability(r.getAs(0)), member.isXgboost() ? 1e-6 : 1e-9,
          "reasons rescore as the pipeline scores");
      spread = Math.max(spread, Math.abs(r.getDouble(2) - r.getDouble(3)));
    }
    assertTrue(spread > 0.05, "two different members (largest gap " + spread + ")");
    List<Row> top = model.score(accounts).orderBy(col("churn_probability").desc()).limit(20).collectAsList();
    for (Row r : top) {
      List<String> reasons = r.getList(r.fieldIndex("reason_codes"));
      assertTrue(!reasons.isEmpty() && List.of("tickets_90d high", "events_28d low").contains(reasons.get(0)),
          reasons.toString());
    }
  }

  @Test
  void aBlendBacktestedFromItsMembersFoldPredictionsIsTheBlendFittedOnEachFold() {
    Candidate blend = Candidate.blend(TREES, LINEAR);
    List<RollingBacktest.Split> splits = RollingBacktest.split(examples, RollingBacktest.plan(DATES, 3, 90, 30),
        COLUMNS, SETTINGS);
    RollingBacktest.Result fitted = RollingBacktest.run(examples, splits, blend, SETTINGS, RUN);
    RollingBacktest.Result averaged = RollingBacktest.blended(blend, trained.backtests().get(1),
        trained.backtests().get(0), SETTINGS);
    try {
      assertEquals(3, averaged.usableFolds());
      for (int i = 0; i < 3; i++) {
        assertEquals(fitted.folds().get(i).metrics().auc(), averaged.folds().get(i).metrics().auc(), 1e-9);
      }
      Dataset<Row> both = fitted.predictions().orElseThrow().join(averaged.predictions().orElseThrow()
          .withColumnRenamed(ChurnModel.SCORE, "averaged"), new String[] {"account_id", "as_of_date"});
      assertEquals(1500, both.count());
      assertEquals(0, both.where(expr("abs(score - averaged) > 1e-9")).count(),
          "the same prediction for every example");
      assertEquals(fitted.auc(), averaged.auc(), 1e-9);
      assertTrue(averaged.auc() > trained.backtests().get(0).auc(), "the blend ranks better than the linear model");
    } finally {
      fitted.release();
      averaged.release();
    }
    assertThrows(IllegalArgumentException.class, () -> RollingBacktest.blended(TREES, trained.backtests().get(1),
        trained.backtests().get(0), SETTINGS), "only a blend is a mean of members");
  }

  @Test
  void withoutAUsableFoldTheBacktestIsUndefinedAndTheModelStillScores() {
    // Nobody churned on the early as-of dates: every fold's training split holds only stayers.
    Dataset<Row> late = examples.withColumn("churned", expr("churned AND as_of_date >= DATE'2024-09-01'"));
    ChurnTraining.Trained t = ChurnTraining.train(late, DATES, COLUMNS, SETTINGS.withCandidates(List.of(LINEAR)), RUN);
    assertNotNull(t.undefined());
    assertTrue(t.undefined().startsWith("no backtest fold is usable (2024-10-01: training as-of dates 2024-01-01..2024-06-01 "
        + "hold only stayers (3000 examples)"), t.undefined());
    assertTrue(Double.isNaN(t.chosen().auc()));
    assertEquals(500, t.model().score(examples.where(col("as_of_date").equalTo(java.sql.Date.valueOf("2024-12-01"))))
        .where(col("churn_probability").between(0.0, 1.0)).count());
  }

  @Test
  void reloadingFromTheRegistryGivesTheSameScoresAndReasons(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    ModelRegistry registry = new ModelRegistry(spark(), dir.toString());
    ChurnModel model = trained.model();
    registry.save(model, model.card("recipe-1", "a backtest", trained.provenance()));
    registry.promote(model.version());
    ChurnModel.Card champion = registry.champion().orElseThrow();
    assertEquals(model.version(), champion.version());
    assertEquals("recipe-1", champion.recipe());
    assertEquals(RUN.toString(), champion.runDate());
    ChurnModel.Provenance p = champion.provenance();
    assertEquals(6000, p.examples());
    assertEquals(examples.where(col("churned")).count(), p.churners());
    assertEquals("2024-01-01", p.trainingFrom());
    assertEquals(List.of("2024-10-01", "2024-11-01", "2024-12-01"),
        p.folds().stream().map(ChurnModel.FoldMetrics::testDate).toList());
    assertEquals(trained.chosen().folds().get(2).metrics().auc(), p.folds().get(2).rocAuc(), 1e-12);
    assertEquals(trained.data().fingerprint(), p.dataFingerprint());
    ChurnModel reloaded = registry.load(champion.version(), SETTINGS);
    assertEquals(model.version(), reloaded.version());
    Dataset<Row> accounts = examples.where(col("as_of_date").equalTo(java.sql.Date.valueOf("2024-12-01")));
    Dataset<Row> before = model.score(accounts);
    Dataset<Row> after = reloaded.score(accounts);
    assertEquals(500, before.count());
    assertEquals(0, before.except(after).count(), "same probabilities, tiers and reasons after reloading");

    // A failed run that promoted a model puts the champion it started with back (or none).
    registry.promote("a-later-model");
    assertTrue(registry.restoreChampion(java.util.Optional.of(model.version())));
    assertEquals(java.util.Optional.of(model.version()), registry.championVersion());
    assertFalse(registry.restoreChampion(java.util.Optional.of(model.version())), "nothing to put back");
    assertTrue(registry.restoreChampion(java.util.Optional.empty()));
    assertEquals(java.util.Optional.empty(), registry.champion());
  }

  @Test
  void xgboostLearnsTheInteractionExplainsItsScoresAndReloadsToTheSameScores(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    Candidate xgb = Candidate.xgboost(3, 60, 0.2, 1.0, 1.0, 1.0);
    assertEquals("xgboost(depth 3, 60 rounds, eta 0.2, lambda 1.0, min child weight 1.0)", xgb.label());
    // Reasons weigh mrr and last_nps together (a group that does not drive these accounts' risk).
    java.util.Map<String, String> groups = java.util.Map.of("mrr", "value", "last_nps", "value");
    ChurnTraining.Trained t = ChurnTraining.train(examples, DATES, COLUMNS.withReasonGroups(groups),
        SETTINGS.withCandidates(List.of(LINEAR, xgb)), RUN);
    double linear = t.backtests().get(0).auc();
    double boosted = t.backtests().get(1).auc();
    assertTrue(boosted > linear, "xgboost " + boosted + " ranks the interaction better than the linear model " + linear);
    assertEquals(xgb, t.model().candidate());
    assertTrue(t.model().version().startsWith("xgb-2025-06-01-"), t.model().version());
    assertTrue(boosted > 0.95 * trained.backtests().get(1).auc(), "as good as MLlib's trees: " + boosted + " vs "
        + trained.backtests().get(1).auc());

    Dataset<Row> accounts = examples.where(col("as_of_date").equalTo(java.sql.Date.valueOf("2024-12-01")));
    XgboostScorer scorer = XgboostScorer.of((ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel)
        t.model().pipeline().stages()[t.model().pipeline().stages().length - 1]);
    List<Row> raw = t.model().rawScores(accounts).select(col(ChurnPipeline.ASSEMBLED), col(ChurnModel.SCORE))
        .collectAsList();
    for (Row r : raw) {
      assertEquals(r.getDouble(1), scorer.probability(r.getAs(0)), 1e-6, "reasons rescore as XGBoost scores");
    }
    Dataset<Row> scores = t.model().score(accounts).cache();
    for (Row r : scores.orderBy(col("churn_probability").desc()).limit(20).collectAsList()) {
      List<String> reasons = r.getList(r.fieldIndex("top_reasons"));
      assertTrue(!reasons.isEmpty() && List.of("tickets_90d high", "events_28d low").contains(reasons.get(0)),
          reasons.toString());
    }
    ModelRegistry registry = new ModelRegistry(spark(), dir.toString());
    registry.save(t.model(), t.model().card("recipe-x", "a backtest", t.provenance()));
    ChurnModel reloaded = registry.load(t.model().version(), SETTINGS);
    assertEquals(groups, reloaded.card("r", "e", t.provenance()).columns().reasonGroups(), "the card keeps the groups");
    assertEquals(500, scores.count());
    assertEquals(0, scores.except(reloaded.score(accounts)).count(), "same probabilities, tiers and reasons");
  }

  @Test
  void xgboostTrainsWithoutPrintingEveryRoundsLogLoss() {
    scala.collection.immutable.Map<String, Object> booster = QuietXgboostClassifier.create().getXGBoostParams();
    assertEquals(0, booster.get(QuietXgboostClassifier.VERBOSE_EVAL).get(), booster.toString());
    assertEquals(0, booster.get("verbosity").get(), booster.toString());
  }

  @Test
  void whenXgboostCannotTrainHereItsFoldsAreSkippedWithTheReasonAndTheOtherCandidatesGoOn() {
    // A tracker address that is not this machine's (TEST-NET-3): XGBoost's workers cannot meet.
    spark().conf().set(ChurnPipeline.XGBOOST_TRACKER_HOST, "203.0.113.1");
    try {
      ChurnTraining.Trained t = ChurnTraining.train(examples, DATES, COLUMNS,
          SETTINGS.withCandidates(List.of(Candidate.xgboost(3, 20, 0.2, 1.0, 1.0, 1.0), LINEAR)), RUN);
      RollingBacktest.Result failed = t.backtests().get(0);
      assertEquals(0, failed.usableFolds(), "every fold skipped once the engine failed");
      for (RollingBacktest.Fold f : failed.folds()) {
        assertTrue(f.skipped().startsWith("XGBoost could not train here")
            && f.skipped().contains(ChurnPipeline.XGBOOST_TRACKER_HOST), f.skipped());
      }
      assertEquals(LINEAR, t.model().candidate(), t.decision());
    } finally {
      spark().conf().unset(ChurnPipeline.XGBOOST_TRACKER_HOST);
    }
  }

  @Test
  void aWorseChallengerLosesToTheChampionsRecipeOnTheSameFolds() {
    // Champion: the trees (the winner above). Challenger: the linear model alone, which cannot see the interaction.
    ChurnTraining.Champion champion = new ChurnTraining.Champion(trained.model().version(), TREES, COLUMNS, 0.005);
    ChurnTraining.Trained t = ChurnTraining.train(examples, DATES, COLUMNS, SETTINGS.withCandidates(List.of(LINEAR)),
        RUN.plusMonths(1), java.util.Optional.of(champion));
    assertEquals(TREES, t.model().candidate(), t.decision());
    assertNotNull(t.champion(), "the champion's recipe was backtested beside the challenger");
    assertEquals(testDates(t.backtests().get(0)), testDates(t.champion()), "on the same folds");
    assertTrue(t.decision().startsWith("champion " + champion.version() + "'s recipe, refitted"), t.decision());
    assertTrue(t.chosen() == t.champion());
  }

  @Test
  void aBetterChallengerReplacesTheChampion() {
    // Champion: trees that never saw the tickets; the challenger's trees read them.
    ChurnModel.Columns blind = new ChurnModel.Columns(List.of("events_28d", "mrr", "last_nps"), List.of("events_28d"),
        List.of("industry"));
    ChurnTraining.Champion champion = new ChurnTraining.Champion("gbt-2025-05-01-blind", TREES, blind, 0.005);
    ChurnTraining.Trained t = ChurnTraining.train(examples, DATES, COLUMNS, SETTINGS.withCandidates(List.of(TREES)),
        RUN.plusMonths(1), java.util.Optional.of(champion));
    assertEquals(COLUMNS, t.model().card("r", "e", t.provenance()).columns(), t.decision());
    assertTrue(t.chosen() == t.backtests().get(0));
    assertTrue(t.backtests().get(0).auc() >= t.champion().auc() + 0.005,
        t.backtests().get(0).auc() + " vs " + t.champion().auc());
    assertTrue(t.decision().contains("beat champion gbt-2025-05-01-blind"), t.decision());
    // A champion whose inputs are gone cannot be backtested: the challenger replaces it, saying why.
    ChurnTraining.Champion gone = new ChurnTraining.Champion("lr-old", LINEAR, new ChurnModel.Columns(
        List.of("events_28d", "seats"), List.of(), List.of()), 0.005);
    ChurnTraining.Trained u = ChurnTraining.train(examples, DATES, COLUMNS, SETTINGS.withCandidates(List.of(LINEAR)),
        RUN, java.util.Optional.of(gone));
    assertEquals(LINEAR, u.model().candidate());
    assertTrue(u.decision().contains("champion lr-old reads inputs tonight's examples lack (seats)"), u.decision());
  }

  private static List<LocalDate> testDates(RollingBacktest.Result r) {
    return r.folds().stream().map(f -> f.plan().testDate()).toList();
  }

  @Test
  void settingsRejectInconsistentValues() {
    List<Candidate> one = List.of(LINEAR);
    assertThrows(IllegalArgumentException.class, () -> new ChurnModelSettings(90, 30, 3, 3, one, "platt", true, 0.3, 0.15, 3, 30));
    assertThrows(IllegalArgumentException.class, () -> new ChurnModelSettings(90, 30, 12, 3, one, "platt", true, 0.2, 0.3, 3, 30));
    assertThrows(IllegalArgumentException.class, () -> new ChurnModelSettings(0, 30, 12, 3, one, "platt", true, 0.3, 0.15, 3, 30));
    assertThrows(IllegalArgumentException.class, () -> new ChurnModelSettings(90, 30, 12, 3, List.of(), "platt", true, 0.3, 0.15, 3, 30));
    assertThrows(IllegalArgumentException.class, () -> new ChurnModelSettings(90, 30, 12, 3, one, "magic", true, 0.3, 0.15, 3, 30));
    assertThrows(IllegalArgumentException.class, () -> new Candidate("random-forest", 0, 0, 3, 10, 0.1, 1.0, 0));
    assertThrows(IllegalArgumentException.class, () -> Candidate.boostedTrees(0, 10, 0.1));
    assertThrows(IllegalArgumentException.class, () -> Candidate.boostedTrees(3, 10, 0.1, 1.5));
    // a model card written before subsampling was a setting fitted every tree on all examples
    assertEquals(Candidate.boostedTrees(3, 10, 0.1),
        new Candidate(Candidate.GRADIENT_BOOSTED_TREES, 0, 0, 3, 10, 0.1, 0, 0));
  }
}
