package io.churnducks.jobs.config;

import io.churnducks.features.validation.ContractException;
import io.churnducks.models.churn.ChurnModelSettings;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChurnConfigTest {

  private static final File DEMO = new File("../conf/demo.conf");

  @Test
  void demoConfigDeclaresAllSixSourcesWithTheirMappings() {
    ChurnConfig c = ChurnConfig.load(DEMO, List.of());
    assertEquals(List.of("accounts", "subscriptions", "invoices", "usage_events", "support_tickets", "surveys"),
        List.copyOf(c.sources().keySet()));
    SourceSettings subs = c.sources().get("subscriptions");
    assertEquals("customer_ref", subs.mapping().columns().get("account_id"));
    assertEquals("epoch_seconds", subs.mapping().formats().get("start_date"));
    assertEquals("failed", c.sources().get("invoices").mapping().values().get("status").get("payment_failed"));
    assertTrue(c.sources().get("invoices").mapping().filter().isPresent());
  }

  @Test
  void thePlaybookMapsReasonCodesToPlaysAndRejectsCodesThatAreNoReason() {
    ChurnConfig c = ChurnConfig.load(DEMO, List.of());
    assertTrue(c.riskListPlays().get("days_to_renewal low").startsWith("Renewal is close"));
    assertTrue(c.riskListPlays().get("oldest_unpaid_days high").startsWith("Payment trouble"));
    ContractException e = assertThrows(ContractException.class, () -> ChurnConfig.load(DEMO,
        List.of("risk-list.plays=[{when=[\"renewal soon\"], play=\"Call\"}]")).riskListPlays());
    assertTrue(e.getMessage().contains("risk-list.plays") && e.getMessage().contains("'renewal soon' is not a reason code"),
        e.getMessage());
  }

  @Test
  void overridesApplyBeforeSubstitutionSoSourcePathsFollowTheSampleDir() {
    ChurnConfig c = ChurnConfig.load(DEMO, List.of("sample.dir=/data/x//y", "model.high-tier=0.4",
        "spark.master=local[2]"));
    assertEquals("/data/x//y/crm_accounts", c.sources().get("accounts").path());
    assertEquals(0.4, c.model().highTier());
    assertEquals("local[2]", c.sparkMaster());
  }

  @Test
  void theDefaultSearchPrefersTheBlendOfItsTwoMembersToTheTreesAloneAndAnUnknownTypeNamesTheKnownOnes() {
    ChurnModelSettings model = ChurnConfig.load(DEMO, List.of()).model();
    List<io.churnducks.models.churn.Candidate> search = model.candidates();
    assertEquals(List.of("logistic-regression", "xgboost-blend", "xgboost"),
        search.stream().map(io.churnducks.models.churn.Candidate::type).toList());
    assertEquals(io.churnducks.models.churn.Candidate.blend(search.get(2), search.get(0)), search.get(1),
        "the blend's members are the other two candidates (backtested from their predictions)");
    assertEquals(0.005, model.choiceMargin(), "the trees alone must rank clearly better than the blend");
    ContractException margin = assertThrows(ContractException.class,
        () -> ChurnConfig.load(DEMO, List.of("model.choice-margin=0.7")).model());
    assertTrue(margin.getMessage().startsWith("Cannot use setting model.choice-margin from "), margin.getMessage());
    List<io.churnducks.models.churn.Candidate> mllib = ChurnConfig.load(DEMO, List.of("model.candidates=["
        + "{type=logistic-regression}, {type=gradient-boosted-trees, max-depth=3}, {type=blend, max-depth=3}]"))
        .model().candidates();
    assertEquals(io.churnducks.models.churn.Candidate.blend(mllib.get(1), mllib.get(0)), mllib.get(2));
    io.churnducks.models.churn.Candidate sampled = ChurnConfig.load(DEMO, List.of("model.candidates=[{type="
        + "gradient-boosted-trees, max-depth=3, trees=50, step-size=0.1, subsample=0.8}]")).model().candidates().get(0);
    assertEquals(0.8, sampled.subsample());
    assertEquals("gbt(depth 3, 50 trees, step 0.1, subsample 0.8)", sampled.label());
    io.churnducks.models.churn.Candidate xgb = ChurnConfig.load(DEMO, List.of("model.candidates=[{type=xgboost, "
        + "max-depth=4, trees=300, step-size=0.05, min-child-weight=5}]")).model().candidates().get(0);
    assertEquals(io.churnducks.models.churn.Candidate.xgboost(4, 300, 0.05, 1.0, 1.0, 5.0), xgb,
        "lambda (reg-param) and subsample keep their defaults");
    assertEquals("xgboost(depth 4, 300 rounds, eta 0.05, lambda 1.0, min child weight 5.0)", xgb.label());
    List<io.churnducks.models.churn.Candidate> xblend = ChurnConfig.load(DEMO, List.of("model.candidates=["
        + "{type=logistic-regression, reg-param=0.1}, {type=xgboost, max-depth=4, trees=300, step-size=0.05, "
        + "min-child-weight=5}, {type=xgboost-blend, max-depth=4, trees=300, step-size=0.05, min-child-weight=5, "
        + "reg-param=0.1}]")).model().candidates();
    assertEquals(xblend.get(1), xblend.get(2).treeMember(), "lambda 1 whatever the regression's reg-param");
    assertEquals(xblend.get(0), xblend.get(2).linearMember());
    ContractException e = assertThrows(ContractException.class, () -> ChurnConfig.load(DEMO,
        List.of("model.candidates=[{type=random-forest}]")).model());
    assertTrue(e.getMessage().contains("model.candidates[0]") && e.getMessage().contains("blend"), e.getMessage());
  }

  @Test
  void economicsSettingsHaveTheirDocumentedDefaultsAndABadMarginNamesItsKey() {
    assertEquals(io.churnducks.features.lifecycle.LifecycleSettings.defaults(), ChurnConfig.load(DEMO, List.of()).lifecycle());
    assertEquals(0.65, ChurnConfig.load(DEMO, List.of("economics.gross-margin=0.65")).lifecycle().grossMargin());
    ContractException e = assertThrows(ContractException.class,
        () -> ChurnConfig.load(DEMO, List.of("economics.gross-margin=80")).lifecycle());
    assertTrue(e.getMessage().contains("economics") && e.getMessage().contains("gross margin in [0, 1]"), e.getMessage());
  }

  @Test
  void theReportSettingsHaveDefaultsAndRejectAnEmptyList() {
    assertEquals(io.churnducks.jobs.report.ReportSettings.defaults(), ChurnConfig.load(DEMO, List.of()).report());
    assertEquals(5, ChurnConfig.load(DEMO, List.of("report.quadrant-customers=5")).report().quadrantCustomers());
    ContractException e = assertThrows(ContractException.class,
        () -> ChurnConfig.load(DEMO, List.of("report.list-top=0")).report());
    assertTrue(e.getMessage().contains("report.list-top must be 1 to 1000 (got 0)"), e.getMessage());
  }

  @Test
  void extractDateDefaultsToTheDayTheJobRuns() {
    LocalDate d = LocalDate.of(2026, 1, 1);
    assertEquals(d, ChurnConfig.load(DEMO, List.of()).extractDate(d));
    assertEquals(LocalDate.of(2026, 3, 1),
        ChurnConfig.load(DEMO, List.of("validation.extract-date=2026-03-01")).extractDate(d));
  }

  @Test
  void badValuesFailWithTheKeyNamed() {
    ContractException e = assertThrows(ContractException.class,
        () -> ChurnConfig.load(DEMO, List.of("segments.min-k=many")).segments());
    assertTrue(e.getMessage().contains("segments.min-k"), e.getMessage());
    assertEquals("mml", ChurnConfig.load(DEMO, List.of()).segments().criterion());
    ContractException criterion = assertThrows(ContractException.class,
        () -> ChurnConfig.load(DEMO, List.of("segments.criterion=aic")).segments());
    assertTrue(criterion.getMessage().contains("segments.criterion must be mml, bic or silhouette (got aic)"),
        criterion.getMessage());
    ContractException tiers = assertThrows(ContractException.class,
        () -> ChurnConfig.load(DEMO, List.of("model.medium-tier=0.5", "model.high-tier=0.3")).model());
    assertTrue(tiers.getMessage().contains("model"), tiers.getMessage());
    ContractException missing = assertThrows(ContractException.class,
        () -> ChurnConfig.load(new File("no-such.conf"), List.of()));
    assertTrue(missing.getMessage().contains("no-such.conf does not exist"), missing.getMessage());
    ContractException override = assertThrows(ContractException.class,
        () -> ChurnConfig.load(DEMO, List.of("nokey")));
    assertTrue(override.getMessage().contains("expected key=value"), override.getMessage());
  }

  @Test
  void unknownSourceNamesAreRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ChurnConfig.load(DEMO, List.of("sources.payments.path=/x")).sources());
    assertTrue(e.getMessage().contains("payments"), e.getMessage());
  }
}
