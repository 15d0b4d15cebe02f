package io.churnducks.jobs.generate;

import io.churnducks.features.testing.SparkTestBase;
import io.churnducks.features.validation.Quarantine;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Generates 300 accounts over 12 months three ways and checks them against each other and
 * against their own hidden truth: clean Parquet over 2 partitions, the same over 5 partitions
 * written over a small run with another seed, and the same seed as messy CSV. The statistical
 * checks of the simulation itself (calibration, late renewals, driver traces, the adoption
 * step) run in process on 4,000 simulated accounts over 24 months, without Spark.
 */
class SampleDataGeneratorTest extends SparkTestBase {

  private static final LocalDate START = LocalDate.parse("2024-01-01");
  private static final int ACCOUNTS = 300;
  private static final int MONTHS = 12;
  private static final long SEED = 2024;
  private static final double MESSY = 0.03;
  private static final List<String> TRUTH_TABLES = List.of(TruthSchemas.ACCOUNTS_TABLE,
      TruthSchemas.CHURN_PROBABILITIES_TABLE, TruthSchemas.DRIVERS_TABLE,
      TruthSchemas.NOISE_FIELDS_TABLE, TruthSchemas.QUARANTINE_EXPECTED_TABLE,
      TruthSchemas.PARAMETERS_TABLE);

  @TempDir
  static Path dir;

  /** The reference run: clean Parquet over 2 partitions; its tables are the SQL views. */
  private static GeneratedData clean;
  /** The reference options over 5 partitions, written over a different-seed run. */
  private static GeneratedData repartitioned;
  /** The reference options as messy CSV. */
  private static GeneratedData messy;
  private static long otherSeedNewAccountRows;
  private static long otherSeedNewEventRows;
  private static final List<String> VIEWS = new ArrayList<>();
  private static final List<Dataset<Row>> CACHED = new ArrayList<>();

  @BeforeAll
  static void generate() {
    clean = GeneratedData.generate(spark(), options("clean", "parquet", 0), 2);

    GeneratedData otherSeed = GeneratedData.generate(spark(), new GeneratorOptions(60, START,
        MONTHS, SEED + 1, dir.resolve("again").toString(), "parquet", 0.1, 90, 30), 2);
    otherSeedNewAccountRows = otherSeed.truth(TruthSchemas.ACCOUNTS_TABLE)
        .exceptAll(clean.truth(TruthSchemas.ACCOUNTS_TABLE)).count();
    otherSeedNewEventRows = otherSeed.source(SampleSource.PRODUCT_EVENTS)
        .exceptAll(clean.source(SampleSource.PRODUCT_EVENTS)).count();
    repartitioned = GeneratedData.generate(spark(), options("again", "parquet", 0), 5);

    messy = GeneratedData.generate(spark(), options("messy", "csv", MESSY), 2);

    view("truth_accounts", clean.truth(TruthSchemas.ACCOUNTS_TABLE));
    view("truth_churn", clean.truth(TruthSchemas.CHURN_PROBABILITIES_TABLE));
    view("truth_drivers", clean.truth(TruthSchemas.DRIVERS_TABLE));
    for (SampleSource source : SampleSource.values()) {
      view(source.directory(), clean.source(source));
      // The messy CSV is read by many counting queries: parse it once.
      Dataset<Row> parsed = messy.source(source).cache();
      CACHED.add(parsed);
      view("messy_" + source.directory(), parsed);
    }
    view("subs", spark().sql("""
        SELECT customer_ref AS account_id,
               date_from_unix_date(CAST(created AS BIGINT) DIV 86400) AS start_date,
               date_from_unix_date(CAST(ended_at AS BIGINT) DIV 86400) AS end_date,
               percent_off
        FROM billing_subscriptions"""));
    // Each subscription end that another subscription of the account follows, with the gap.
    view("restarts", spark().sql("""
        SELECT a.account_id, a.end_date, min(datediff(b.start_date, a.end_date)) AS gap_days
        FROM subs a JOIN subs b
          ON a.account_id = b.account_id AND b.start_date >= a.end_date
        GROUP BY a.account_id, a.end_date"""));
  }

  /** The session is shared with other test classes: leave no views or cached data behind. */
  @AfterAll
  static void release() {
    VIEWS.forEach(name -> spark().catalog().dropTempView(name));
    CACHED.forEach(Dataset::unpersist);
  }

  private static void view(String name, Dataset<Row> rows) {
    rows.createOrReplaceTempView(name);
    VIEWS.add(name);
  }

  private static GeneratorOptions options(String subDir, String format, double messiness) {
    return GeneratorOptions.of(ACCOUNTS, START, MONTHS, SEED, dir.resolve(subDir).toString(),
        format, messiness);
  }

  @Nested
  class Determinism {

    @Test
    void sameSeedGivesIdenticalOutputWhateverThePartitioning() {
      assertEquals(clean.summary(), repartitioned.summary());
      for (SampleSource source : SampleSource.values()) {
        assertSameRows(source.directory(), clean.source(source), repartitioned.source(source));
      }
      for (String table : TRUTH_TABLES) {
        assertSameRows(table, clean.truth(table), repartitioned.truth(table));
      }
    }

    @Test
    void differentSeedGivesDifferentOutput() {
      assertTrue(otherSeedNewAccountRows > 0);
      assertTrue(otherSeedNewEventRows > 0);
    }

    @Test
    void rerunReplacesTheTablesInsteadOfAppending() {
      List<String> mismatches = new ArrayList<>();
      for (SampleSource source : SampleSource.values()) {
        long written = repartitioned.source(source).count();
        long reported = repartitioned.summary().rowsPerSource().get(source.directory());
        if (written != reported) {
          mismatches.add(source.directory() + ": " + written + " rows on disk, " + reported
              + " reported");
        }
      }
      assertEquals(List.of(), mismatches);
      assertEquals(ACCOUNTS, repartitioned.truth(TruthSchemas.ACCOUNTS_TABLE).count());
    }
  }

  @Nested
  class Truth {

    @Test
    void writtenTablesHaveTheDeclaredSchemas() {
      for (SampleSource source : SampleSource.values()) {
        assertSameColumns(source.schema(), clean.source(source).schema());
      }
      assertSameColumns(TruthSchemas.ACCOUNTS,
          clean.truth(TruthSchemas.ACCOUNTS_TABLE).schema());
      assertSameColumns(TruthSchemas.CHURN_PROBABILITIES,
          clean.truth(TruthSchemas.CHURN_PROBABILITIES_TABLE).schema());
      assertSameColumns(TruthSchemas.DRIVERS,
          clean.truth(TruthSchemas.DRIVERS_TABLE).schema());
      assertSameColumns(TruthSchemas.NOISE_FIELDS,
          clean.truth(TruthSchemas.NOISE_FIELDS_TABLE).schema());
      assertSameColumns(TruthSchemas.QUARANTINE_EXPECTED,
          clean.truth(TruthSchemas.QUARANTINE_EXPECTED_TABLE).schema());
      assertSameColumns(TruthSchemas.PARAMETERS,
          clean.truth(TruthSchemas.PARAMETERS_TABLE).schema());
    }

    @Test
    void probabilitiesAreProbabilitiesOnActiveFirstOfMonthDates() {
      Row r = spark().sql("""
          SELECT count(*) AS n,
                 sum(CASE WHEN true_churn_probability < 0 OR true_churn_probability > 1
                          THEN 1 ELSE 0 END) AS outside,
                 sum(CASE WHEN day(as_of_date) <> 1 OR as_of_date < DATE'2024-02-01'
                               OR as_of_date > DATE'2025-01-01' THEN 1 ELSE 0 END) AS bad_dates,
                 sum(CASE WHEN churned_within_horizon <> (churn_date IS NOT NULL)
                               OR churn_date <= as_of_date
                               OR churn_date > date_add(as_of_date, 90) THEN 1 ELSE 0 END) AS bad
          FROM truth_churn""").first();
      assertTrue(r.getLong(0) > 1000, "as-of rows: " + r.getLong(0));
      assertEquals(0, r.getLong(1));
      assertEquals(0, r.getLong(2));
      assertEquals(0, r.getLong(3));
    }

    /**
     * As-of dates four months apart have disjoint horizons, so their residuals (churned − p) are
     * martingale differences: uncorrelated with mean 0 and variance p(1 − p). Their sum must stay
     * within four standard deviations of zero.
     */
    @Test
    void realisedChurnMatchesTheTrueProbability() {
      Row r = spark().sql("""
          SELECT sum(CAST(churned_within_horizon AS INT)) AS churned,
                 sum(true_churn_probability) AS expected,
                 sum(true_churn_probability * (1 - true_churn_probability)) AS variance
          FROM truth_churn
          WHERE months_between(as_of_date, DATE'2024-02-01') % 4 = 0""").first();
      double churned = r.getLong(0);
      double expected = r.getDouble(1);
      double tolerance = 4 * Math.sqrt(r.getDouble(2));
      assertTrue(Math.abs(churned - expected) <= tolerance,
          "churned " + churned + ", expected " + expected + " ± " + tolerance);
      assertTrue(churned > 20, "too few churn events to test: " + churned);
    }

    @Test
    void everyPersonaAppearsAndExactlyFiveIndustriesHaveAnEffect() {
      Set<String> personas = strings("SELECT DISTINCT persona FROM truth_accounts");
      assertEquals(Arrays.stream(Persona.values()).map(Persona::id).collect(Collectors.toSet()),
          personas);
      Set<String> effective = strings(
          "SELECT DISTINCT industry FROM truth_accounts WHERE industry_effect");
      assertEquals(Set.of("Healthcare", "Education", "Retail", "Media", "Hospitality"), effective);
      assertEquals(5, SampleCatalog.INDUSTRIES.stream().filter(i -> i.hasEffect()).count());
    }

    @Test
    void sourcesHoldNothingDatedOnOrAfterTheCutoff() {
      long cutoffSeconds = clean.cutoffEpochDay() * 86_400L;
      Row r = spark().sql("SELECT "
          + "(SELECT max(to_date(CreatedDate, 'MM/dd/yyyy')) FROM crm_accounts), "
          + "(SELECT max(greatest(CAST(created AS BIGINT), coalesce(CAST(ended_at AS BIGINT), 0)))"
          + "   FROM billing_subscriptions), "
          + "(SELECT max(greatest(CAST(created AS BIGINT), coalesce(CAST(paid_at AS BIGINT), 0)))"
          + "   FROM billing_invoices), "
          + "(SELECT max(CAST(timestamp AS BIGINT)) FROM product_events), "
          + "(SELECT max(greatest(to_timestamp(created_at), "
          + "   coalesce(to_timestamp(solved_at), to_timestamp(created_at))))"
          + "   FROM support_tickets), "
          + "(SELECT max(to_timestamp(survey_date)) FROM nps_responses)").first();
      LocalDate cutoff = clean.options().cutoff();
      assertTrue(r.getDate(0).toLocalDate().isBefore(cutoff.minusDays(29)), "signup " + r.get(0));
      assertTrue(r.getLong(1) < cutoffSeconds, "subscriptions " + r.get(1));
      assertTrue(r.getLong(2) < cutoffSeconds, "invoices " + r.get(2));
      assertTrue(r.getLong(3) < cutoffSeconds * 1000, "events " + r.get(3));
      assertTrue(r.getTimestamp(4).getTime() < cutoffSeconds * 1000, "tickets " + r.get(4));
      assertTrue(r.getTimestamp(5).getTime() < cutoffSeconds * 1000, "surveys " + r.get(5));
    }

    @Test
    void renewalGapsShorterThanGraceAreNotChurn() {
      Row r = spark().sql("""
          SELECT count(*) AS gaps,
                 (SELECT count(*) FROM restarts g JOIN truth_churn t
                    ON t.account_id = g.account_id AND t.churn_date = g.end_date
                  WHERE g.gap_days BETWEEN 1 AND 29) AS marked_as_churn
          FROM restarts WHERE gap_days BETWEEN 1 AND 29""").first();
      assertTrue(r.getLong(0) >= 5, "renewal gaps: " + r.getLong(0));
      assertEquals(0, r.getLong(1));
    }

    @Test
    void churnDatesAreSubscriptionEndsWithoutARestartWithinGrace() {
      Row r = spark().sql("""
          SELECT count(DISTINCT t.account_id, t.churn_date) AS churns,
                 count(DISTINCT CASE WHEN s.account_id IS NULL THEN t.account_id END) AS not_an_end,
                 count(DISTINCT CASE WHEN g.gap_days <= 30 THEN t.account_id END) AS restarted
          FROM truth_churn t
          LEFT JOIN subs s ON s.account_id = t.account_id AND s.end_date = t.churn_date
          LEFT JOIN restarts g ON g.account_id = t.account_id AND g.end_date = t.churn_date
          WHERE t.churn_date < DATE'2025-01-01'""").first();
      assertTrue(r.getLong(0) > 20, "churn events: " + r.getLong(0));
      assertEquals(0, r.getLong(1));
      assertEquals(0, r.getLong(2));
    }

    /** A renewal later than grace (or a win-back) is churn on the earlier end day in the truth. */
    @Test
    void restartsAfterTheGracePeriodAreChurnOnTheEarlierEndDay() {
      Row r = spark().sql("""
          SELECT count(*) AS windows,
                 sum(CASE WHEN t.churn_date IS NULL OR t.churn_date <> g.end_date
                          THEN 1 ELSE 0 END) AS not_churn,
                 count(DISTINCT CASE WHEN g.gap_days BETWEEN 31 AND 59
                                     THEN g.account_id END) AS late_renewals
          FROM restarts g
          JOIN truth_churn t ON t.account_id = g.account_id AND t.as_of_date < g.end_date
                            AND g.end_date <= date_add(t.as_of_date, 90)
          WHERE g.gap_days > 30""").first();
      assertTrue(r.getLong(2) >= 1, "late renewals back before a win-back could be: " + r.get(2));
      assertEquals(0, r.getLong(1), "as-of windows holding a restart after grace but no churn");
    }

    @Test
    void someChurnedAccountsWinBackAfterTheGracePeriod() {
      long winBacks = spark().sql("SELECT count(*) FROM restarts WHERE gap_days > 30").first()
          .getLong(0);
      assertTrue(winBacks > 0, "win-backs: " + winBacks);
    }

    @Test
    void discountHuntersStartOnADeepDiscount() {
      Row r = spark().sql("""
          SELECT count(*), sum(CASE WHEN CAST(s.percent_off AS INT) BETWEEN 30 AND 50
                                    THEN 1 ELSE 0 END)
          FROM truth_accounts a
          JOIN (SELECT account_id, min_by(percent_off, start_date) AS percent_off
                FROM subs GROUP BY account_id) s USING (account_id)
          WHERE a.persona = 'discount_hunter'""").first();
      assertTrue(r.getLong(0) > 10);
      assertEquals(r.getLong(0), r.getLong(1));
    }

    @Test
    void earlyKeyFeatureUsesAreTheTruthsCountAndSpreadAcrossTheThreshold() {
      List<Row> rows = spark().sql("""
          SELECT a.early_key_feature_uses AS truth_uses, coalesce(k.uses, 0) AS uses,
                 a.early_key_feature_adopter AS adopter
          FROM truth_accounts a
          LEFT JOIN (
            SELECT e.org_id, count(*) AS uses
            FROM product_events e JOIN crm_accounts c ON c.Id = e.org_id
            WHERE e.event IN ('automations', 'integrations')
              AND date_from_unix_date(CAST(e.timestamp AS BIGINT) DIV 86400000)
                  < date_add(to_date(c.CreatedDate, 'MM/dd/yyyy'), 14)
            GROUP BY e.org_id) k ON k.org_id = a.account_id""").collectAsList();
      Map<Long, Long> accountsByUses = new TreeMap<>();
      for (Row r : rows) {
        long uses = r.getLong(1);
        assertEquals(r.getInt(0), uses, "early key-feature uses in the events");
        assertEquals(uses >= SampleCatalog.EARLY_ADOPTION_MIN_USES, r.getBoolean(2));
        accountsByUses.merge(uses, 1L, Long::sum);
      }
      // A continuous count, not two clumps either side of the threshold.
      for (long uses = 2; uses <= 7; uses++) {
        assertTrue(accountsByUses.getOrDefault(uses, 0L) >= 5,
            "accounts by early key-feature uses: " + accountsByUses);
      }
    }

    @Test
    void everyDriverStrikesSomeAccountsBeforeTheCutoff() {
      Set<String> drivers = strings(
          "SELECT DISTINCT driver FROM truth_drivers WHERE onset_date < DATE'2025-01-01'");
      assertEquals(Arrays.stream(Driver.Kind.values()).map(Driver.Kind::id)
          .collect(Collectors.toSet()), drivers);
      assertEquals(0, spark().sql("""
          SELECT count(*) FROM truth_drivers
          WHERE end_date <= onset_date OR hazard_multiplier <= 1""").first().getLong(0));
    }

    @Test
    void errorEventsOccurOnlyWhileAnIntegrationIsBroken() {
      Row r = spark().sql("""
          SELECT count(*) AS errors, count(DISTINCT org_id) AS accounts,
                 sum(CASE WHEN broken = 0 THEN 1 ELSE 0 END) AS outside
          FROM (
            SELECT e.message_id, e.org_id, count(d.account_id) AS broken
            FROM (SELECT message_id, org_id,
                         date_from_unix_date(CAST(timestamp AS BIGINT) DIV 86400000) AS day
                  FROM product_events
                  WHERE event IN ('sync_error', 'integration_disconnected')) e
            LEFT JOIN truth_drivers d
              ON d.account_id = e.org_id AND d.driver = 'integration_broken'
             AND e.day >= d.onset_date AND (d.end_date IS NULL OR e.day < d.end_date)
            GROUP BY e.message_id, e.org_id)""").first();
      assertTrue(r.getLong(1) >= 5, "accounts with error events: " + r.getLong(1));
      assertEquals(0, r.getLong(2), "error events outside a broken integration");
    }

    @Test
    void invoicesShowTheirStateAtTheCutoff() {
      long cutoffSeconds = clean.cutoffEpochDay() * 86_400L;
      Row r = spark().sql("""
          SELECT sum(CASE WHEN status = 'paid' AND amount > 0 AND paid_at - created > 10 * 86400
                          THEN 1 ELSE 0 END) AS paid_late,
                 sum(CASE WHEN status = 'payment_failed' THEN 1 ELSE 0 END) AS failed,
                 sum(CASE WHEN (status IN ('open', 'payment_failed', 'void')) <> (paid_at IS NULL)
                          THEN 1 ELSE 0 END) AS paid_at_mismatch,
                 sum(CASE WHEN status = 'open' AND created < %d - 61 * 86400
                          THEN 1 ELSE 0 END) AS stale_open,
                 sum(CASE WHEN paid_at < created THEN 1 ELSE 0 END) AS paid_before_issue
          FROM (SELECT status, CAST(created AS BIGINT) AS created,
                       CAST(paid_at AS BIGINT) AS paid_at, CAST(amount_due AS BIGINT) AS amount
                FROM billing_invoices)""".formatted(cutoffSeconds)).first();
      assertTrue(r.getLong(0) >= 10, "invoices paid more than 10 days after issue: " + r.get(0));
      assertTrue(r.getLong(1) >= 3, "invoices still failed at the cutoff: " + r.get(1));
      assertEquals(0, r.getLong(2), "paid_at set exactly when paid or refunded");
      assertEquals(0, r.getLong(3), "open invoices older than the latest payment");
      assertEquals(0, r.getLong(4), "paid before issue");
    }

    @Test
    void refundsAreCreditNotesWithANegativeAmountAfterTheirInvoice() {
      Row r = spark().sql("""
          SELECT count(*) AS notes,
                 sum(CASE WHEN n.status <> 'paid' OR n.paid_at <> n.created THEN 1 ELSE 0 END)
                   AS not_settled_on_issue,
                 sum(CASE WHEN matches = 0 THEN 1 ELSE 0 END) AS without_refunded_invoice,
                 (SELECT count(*) FROM billing_invoices WHERE status = 'refunded') AS refunded
          FROM (
            SELECT n.id, n.status, n.paid_at, n.created, count(i.id) AS matches
            FROM billing_invoices n
            LEFT JOIN billing_invoices i
              ON i.customer_ref = n.customer_ref AND i.status = 'refunded'
             AND CAST(i.paid_at AS BIGINT) < CAST(n.created AS BIGINT)
             AND (CAST(i.amount_due AS BIGINT) = -CAST(n.amount_due AS BIGINT)
                  OR CAST(i.amount_due AS BIGINT) DIV 2 = -CAST(n.amount_due AS BIGINT))
            WHERE CAST(n.amount_due AS BIGINT) < 0
            GROUP BY n.id, n.status, n.paid_at, n.created) n""").first();
      assertTrue(r.getLong(0) >= 3, "credit notes: " + r.getLong(0));
      assertEquals(0, r.getLong(1));
      assertEquals(0, r.getLong(2));
      assertEquals(r.getLong(0), r.getLong(3), "one credit note per refunded invoice");
    }

    @Test
    void noiseFieldsNameTheNineteenIndustriesWithoutEffectAndTheNoiseColumns() {
      Dataset<Row> noise = clean.truth(TruthSchemas.NOISE_FIELDS_TABLE);
      assertEquals(19, noise.where("column = 'Industry'").count());
      assertEquals(Set.of("BillingCountry", "Owner_Name", "Name", "Industry"),
          noise.select("column").distinct().collectAsList().stream()
              .map(r -> r.getString(0)).collect(Collectors.toSet()));
    }

    @Test
    void seatSharersShowManyDevicesPerLogin() {
      List<Row> rows = spark().sql("""
          SELECT a.persona = 'seat_sharer' AS sharer, avg(d.devices) AS devices
          FROM (SELECT org_id, user_key, count(DISTINCT device) AS devices
                FROM product_events GROUP BY org_id, user_key) d
          JOIN truth_accounts a ON a.account_id = d.org_id
          GROUP BY 1 ORDER BY 1""").collectAsList();
      double others = rows.get(0).getDouble(1);
      double sharers = rows.get(1).getDouble(1);
      assertTrue(sharers > 2 * others,
          "devices per login: sharers " + sharers + ", others " + others);
    }
  }

  /**
   * The simulation itself, in process: 4,000 accounts over 24 months, the same seed. Fast (no
   * Spark) and large enough for statistics.
   */
  @Nested
  class Simulation {

    @Test
    void realisedChurnIsCalibratedInProbabilityBuckets() {
      double[] edges = {0, 0.02, 0.05, 0.1, 0.2, 0.4, 1.0001};
      double[] churned = new double[edges.length - 1];
      double[] expected = new double[edges.length - 1];
      double[] variance = new double[edges.length - 1];
      // Windows holding a renewal, where a late renewal adds its probability.
      double[] renewals = new double[3];
      for (AccountHistory h : histories()) {
        for (ChurnTruth.Outcome t : ChurnTruth.outcomes(h, LONG)) {
          // Horizons of as-of dates four months apart are disjoint.
          if (monthsSinceFirstAsOf(t.asOf()) % 4 != 0) {
            continue;
          }
          if (h.episodeActiveOn(t.asOf()).renewals.stream()
              .anyMatch(r -> r.day() > t.asOf() && r.day() <= t.asOf() + LONG.horizonDays())) {
            renewals[0] += t.churned() ? 1 : 0;
            renewals[1] += t.probability();
            renewals[2] += t.probability() * (1 - t.probability());
          }
          int b = 0;
          while (t.probability() >= edges[b + 1]) {
            b++;
          }
          churned[b] += t.churned() ? 1 : 0;
          expected[b] += t.probability();
          variance[b] += t.probability() * (1 - t.probability());
        }
      }
      for (int b = 0; b < churned.length; b++) {
        double tolerance = 4 * Math.sqrt(variance[b]);
        assertTrue(expected[b] > 10, "bucket " + edges[b] + ": expected " + expected[b]);
        assertTrue(Math.abs(churned[b] - expected[b]) <= tolerance, "bucket " + edges[b] + "-"
            + edges[b + 1] + ": churned " + churned[b] + ", expected " + expected[b] + " ± "
            + tolerance);
      }
      assertTrue(Math.abs(renewals[0] - renewals[1]) <= 4 * Math.sqrt(renewals[2]),
          "windows holding a renewal: churned " + renewals[0] + ", expected " + renewals[1]);
    }

    @Test
    void lateRenewalsAreChurnOnTheEndDayFollowedByAComebackAfterGrace() {
      int late = 0;
      int reached = 0;
      for (AccountHistory h : histories()) {
        for (int i = 0; i < h.episodes.size(); i++) {
          Episode e = h.episodes.get(i);
          for (Episode.Renewal r : e.renewals) {
            if (r.day() < e.churnDay() || (r.day() == e.churnDay() && e.endedInLateRenewal())) {
              reached++;
            }
          }
          if (!e.endedInLateRenewal()) {
            continue;
          }
          late++;
          int end = e.churnDay();
          assertTrue(e.renewals.stream().anyMatch(r -> r.day() == end), "late renewal on a renewal day");
          assertEquals(end, e.subscriptions().get(e.subscriptions().size() - 1).end());
          if (i + 1 < h.episodes.size()) {
            int gap = h.episodes.get(i + 1).start - end;
            assertTrue(gap > LONG.graceDays() && gap <= LONG.graceDays() + 45, "gap " + gap);
          }
        }
      }
      double share = late / (double) reached;
      assertTrue(late >= 30, "late renewals: " + late);
      assertTrue(share > 0.07 && share < 0.18, "late share of renewals " + share);
    }

    @Test
    void aDepartedChampionsLoginMakesNoMoreEvents() {
      int accounts = 0;
      for (AccountHistory h : withDriver(Driver.Kind.CHAMPION_LEFT, 120)) {
        for (Episode e : h.episodes) {
          Driver d = e.driver(Driver.Kind.CHAMPION_LEFT);
          if (d == null) {
            continue;
          }
          String champion = "u_" + h.number() + "_1";
          int champ = 0;
          int others = 0;
          for (String[] row : UsageEventRenderer.render(h, LONG)) {
            long day = Long.parseLong(row[1]) / 86_400_000L;
            if (day >= d.onset() && day < e.churnDay() && day >= e.start) {
              if (row[4].equals(champion)) {
                champ++;
              } else {
                others++;
              }
            }
          }
          assertEquals(0, champ, h.accountId + ": champion events after " + d.onset());
          accounts += others > 0 ? 1 : 0;
        }
      }
      assertTrue(accounts >= 20, "accounts still used by others after the champion left: " + accounts);
    }

    @Test
    void aBrokenIntegrationBringsErrorEventsUrgentIncidentsAndLessKeyFeatureUse() {
      double[] brokenDays = new double[2];
      double[] errors = new double[2];
      double[] incidents = new double[2];
      double[] keyShare = new double[4];
      for (AccountHistory h : withDriver(Driver.Kind.INTEGRATION_BROKEN, 150)) {
        Driver.Kind kind = Driver.Kind.INTEGRATION_BROKEN;
        for (int day = h.signup; day < LONG.cutoff().toEpochDay(); day++) {
          if (h.episodeActiveOn(day) != null) {
            brokenDays[struck(h, kind, day) ? 1 : 0]++;
          }
        }
        for (String[] row : UsageEventRenderer.render(h, LONG)) {
          long day = Long.parseLong(row[1]) / 86_400_000L;
          int broken = struck(h, kind, day) ? 1 : 0;
          errors[broken] += SampleCatalog.ERROR_EVENTS.contains(row[2]) ? 1 : 0;
          if (day >= h.signup + SampleCatalog.EARLY_WINDOW_DAYS) {
            keyShare[2 * broken] += SampleCatalog.KEY_FEATURES.contains(row[2]) ? 1 : 0;
            keyShare[2 * broken + 1]++;
          }
        }
        for (String[] row : SourceRenderer.supportTickets(h, LONG)) {
          long day = LocalDate.parse(row[2].substring(0, 10)).toEpochDay();
          boolean urgentIncident = row[5].equals("incident")
              && (row[4].equals("high") || row[4].equals("urgent"));
          incidents[struck(h, kind, day) ? 1 : 0] += urgentIncident ? 1 : 0;
        }
      }
      assertEquals(0, errors[0], "error events while no integration is broken");
      assertTrue(errors[1] / brokenDays[1] > 0.3, "error events per broken day");
      assertTrue(incidents[1] / brokenDays[1] > 5 * incidents[0] / brokenDays[0],
          "urgent incidents per day, broken vs not: " + Arrays.toString(incidents)
              + " over " + Arrays.toString(brokenDays));
      assertTrue(keyShare[2] / keyShare[3] < 0.6 * keyShare[0] / keyShare[1],
          "key-feature share, not broken vs broken: " + Arrays.toString(keyShare));
    }

    @Test
    void aBudgetCutContractsAtTheNextRenewalAndShowsOnThePricingPage() {
      List<String> uncut = new ArrayList<>();
      int cuts = 0;
      double[] pricing = new double[4];
      for (AccountHistory h : withDriver(Driver.Kind.BUDGET_CUT, 150)) {
        for (Episode e : h.episodes) {
          Driver d = e.driver(Driver.Kind.BUDGET_CUT);
          if (d == null) {
            continue;
          }
          cuts++;
          if (!contractsWithinAYear(e.planned, d.onset())) {
            uncut.add(h.accountId + " " + e.planned);
          }
          for (String[] row : UsageEventRenderer.render(h, LONG)) {
            long day = Long.parseLong(row[1]) / 86_400_000L;
            if (day < e.start || day >= e.churnDay()) {
              continue;
            }
            int after = day >= d.onset() && day < d.onset() + 120 ? 2 : 0;
            pricing[after] += row[2].equals("pricing_page") ? 1 : 0;
            pricing[after + 1]++;
          }
        }
      }
      assertTrue(cuts >= 50, "budget cuts: " + cuts);
      assertEquals(List.of(), uncut, "budget cuts without fewer seats or a lower tier");
      assertTrue(pricing[2] / pricing[3] > 2 * pricing[0] / pricing[1],
          "pricing-page share before vs after a budget cut: " + Arrays.toString(pricing));
    }

    @Test
    void aCompetitorTrialNarrowsUsageAndRaisesPricingViews() {
      double[] counts = new double[6];
      Set<String> dropped = Set.of("comments", "sharing", "api", "mobile_app");
      for (AccountHistory h : withDriver(Driver.Kind.COMPETITOR_TRIAL, 150)) {
        for (String[] row : UsageEventRenderer.render(h, LONG)) {
          long day = Long.parseLong(row[1]) / 86_400_000L;
          int trial = struck(h, Driver.Kind.COMPETITOR_TRIAL, day) ? 3 : 0;
          counts[trial] += row[2].equals("pricing_page") ? 1 : 0;
          counts[trial + 1] += dropped.contains(row[2]) ? 1 : 0;
          counts[trial + 2]++;
        }
      }
      String all = Arrays.toString(counts);
      assertTrue(counts[3] / counts[5] > 1.5 * counts[0] / counts[2], "pricing share " + all);
      assertTrue(counts[4] / counts[5] < 0.5 * counts[1] / counts[2], "dropped features " + all);
    }

    /**
     * Retention steps at exactly five early key-feature uses: the first true probability,
     * relative to the persona's mean, falls by about the adopter multiplier between four and
     * five uses and stays level between neighbours on either side.
     */
    @Test
    void theHazardStepsDownAtFiveEarlyKeyFeatureUses() {
      Map<Persona, double[]> byPersona = new TreeMap<>();
      List<double[]> firsts = new ArrayList<>();
      for (AccountHistory h : histories()) {
        List<ChurnTruth.Outcome> outcomes = ChurnTruth.outcomes(h, LONG);
        if (outcomes.isEmpty() || h.episodeActiveOn(outcomes.get(0).asOf()) != h.episodes.get(0)) {
          continue;
        }
        double p = outcomes.get(0).probability();
        byPersona.computeIfAbsent(h.persona, k -> new double[2])[0] += p;
        byPersona.get(h.persona)[1]++;
        firsts.add(new double[] {h.persona.ordinal(), h.earlyKeyFeatureUses, p});
      }
      double[] sum = new double[5];
      double[] n = new double[5];
      for (double[] f : firsts) {
        int group = (int) Math.min(4, f[1] / 2);
        double[] mean = byPersona.get(Persona.values()[(int) f[0]]);
        sum[group] += f[2] / (mean[0] / mean[1]);
        n[group]++;
      }
      double[] relative = new double[5];
      for (int g = 0; g < 5; g++) {
        relative[g] = sum[g] / n[g];
      }
      String groups = "relative risk by uses 0-1, 2-3, 4-5, 6-7, 8+: " + Arrays.toString(relative);
      // Group 2 mixes four (no step) and five (step) uses: look at 4 and 5 apart.
      double[] four = relativeAt(firsts, byPersona, 4);
      double[] five = relativeAt(firsts, byPersona, 5);
      assertTrue(five[0] / four[0] < 0.7, "five vs four uses: " + five[0] / four[0] + "; " + groups);
      assertTrue(relative[1] / relative[0] > 0.8, groups);
      assertTrue(relative[4] / relative[3] > 0.8, groups);
    }

    private double[] relativeAt(List<double[]> firsts, Map<Persona, double[]> byPersona,
        int uses) {
      double sum = 0;
      int n = 0;
      for (double[] f : firsts) {
        if (f[1] == uses) {
          double[] mean = byPersona.get(Persona.values()[(int) f[0]]);
          sum += f[2] / (mean[0] / mean[1]);
          n++;
        }
      }
      assertTrue(n >= 50, "accounts with " + uses + " early uses: " + n);
      return new double[] {sum / n, n};
    }
  }

  private static final GeneratorOptions LONG = new GeneratorOptions(4000, START, 24, SEED,
      "unused", "parquet", 0, 90, 30);
  private static List<AccountHistory> simulated;

  private static synchronized List<AccountHistory> histories() {
    if (simulated == null) {
      simulated = new ArrayList<>();
      for (long i = 0; i < LONG.accounts(); i++) {
        simulated.add(AccountSimulator.simulate(LONG, i));
      }
    }
    return simulated;
  }

  /** Up to {@code most} simulated accounts struck by {@code kind} before the cutoff. */
  private static List<AccountHistory> withDriver(Driver.Kind kind, int most) {
    long cutoff = LONG.cutoff().toEpochDay();
    return histories().stream()
        .filter(h -> h.drivers().stream().anyMatch(d -> d.kind() == kind && d.onset() < cutoff))
        .limit(most).toList();
  }

  /** Whether a subscription starting within ~a year of {@code onset} has less than its predecessor. */
  private static boolean contractsWithinAYear(List<Subscription> subs, int onset) {
    for (int i = 1; i < subs.size(); i++) {
      Subscription after = subs.get(i);
      // List value: a cut when a discount ends can still cost more than the discount did.
      if (after.start() >= onset && after.start() <= onset + 400
          && listValue(after) < listValue(subs.get(i - 1))) {
        return true;
      }
    }
    return false;
  }

  private static long listValue(Subscription s) {
    return (long) s.seats() * s.tier().unitCents;
  }

  /** Whether a driver of {@code kind} affects the account on {@code day}. */
  private static boolean struck(AccountHistory h, Driver.Kind kind, long day) {
    return h.drivers().stream().anyMatch(d -> d.kind() == kind && d.activeOn((int) day));
  }

  private static long monthsSinceFirstAsOf(int asOf) {
    return java.time.temporal.ChronoUnit.MONTHS.between(START.plusMonths(1),
        LocalDate.ofEpochDay(asOf));
  }

  @Nested
  class MessyMode {

    @Test
    void injectedCountsInTheTruthMatchWhatTheFilesShow() {
      long cutoffMillis = messy.cutoffEpochDay() * 86_400_000L;
      Map<String, Long> recomputed = new TreeMap<>();
      String known = "(SELECT Id FROM messy_crm_accounts WHERE Id IS NOT NULL)";
      put(recomputed, "accounts", Quarantine.MISSING_REQUIRED,
          "SELECT count(*) FROM messy_crm_accounts WHERE Id IS NULL");
      put(recomputed, "accounts", Quarantine.UNPARSEABLE_DATE,
          "SELECT count(*) FROM messy_crm_accounts "
              + "WHERE CreatedDate IS NOT NULL AND to_date(CreatedDate, 'MM/dd/yyyy') IS NULL");
      put(recomputed, "accounts", Quarantine.WRONG_TYPE,
          "SELECT count(*) FROM messy_crm_accounts "
              + "WHERE NumberOfEmployees IS NOT NULL AND CAST(NumberOfEmployees AS INT) IS NULL");
      put(recomputed, "subscriptions", Quarantine.NEGATIVE_VALUE,
          "SELECT count(*) FROM messy_billing_subscriptions "
              + "WHERE CAST(unit_amount_cents AS BIGINT) < 0");
      put(recomputed, "subscriptions", Quarantine.WRONG_TYPE,
          "SELECT count(*) FROM messy_billing_subscriptions WHERE CAST(quantity AS INT) IS NULL");
      put(recomputed, "invoices", Quarantine.UNPARSEABLE_DATE,
          "SELECT count(*) FROM messy_billing_invoices WHERE CAST(created AS BIGINT) IS NULL");
      put(recomputed, "invoices", Quarantine.UNKNOWN_ACCOUNT,
          "SELECT count(*) FROM messy_billing_invoices WHERE customer_ref NOT IN " + known);
      put(recomputed, "invoices", Quarantine.REJECTED_ACCOUNT,
          "SELECT count(*) FROM messy_billing_invoices WHERE customer_ref IN (SELECT Id FROM messy_crm_accounts "
              + "WHERE Id IS NOT NULL AND to_date(CreatedDate, 'MM/dd/yyyy') IS NULL)");
      put(recomputed, "invoices", Quarantine.INVALID_VALUE,
          "SELECT count(*) FROM messy_billing_invoices "
              + "WHERE status NOT IN ('paid', 'payment_failed', 'refunded', 'open', 'void')");
      put(recomputed, "usage_events", Quarantine.MISSING_REQUIRED,
          "SELECT count(*) FROM messy_product_events WHERE org_id IS NULL");
      put(recomputed, "usage_events", Quarantine.WRONG_TYPE,
          "SELECT count(*) FROM messy_product_events WHERE CAST(qty AS INT) IS NULL");
      put(recomputed, "usage_events", Quarantine.UNKNOWN_ACCOUNT,
          "SELECT count(*) FROM messy_product_events WHERE org_id NOT IN " + known);
      put(recomputed, "usage_events", Quarantine.DUPLICATE_KEY,
          "SELECT count(*) - count(DISTINCT message_id) FROM messy_product_events");
      put(recomputed, "usage_events", Quarantine.AFTER_CUTOFF,
          "SELECT count(*) FROM messy_product_events "
              + "WHERE CAST(timestamp AS BIGINT) >= " + cutoffMillis);
      put(recomputed, "support_tickets", Quarantine.ORDER_VIOLATION,
          "SELECT count(*) FROM messy_support_tickets WHERE solved_at < created_at");
      put(recomputed, "support_tickets", Quarantine.OUT_OF_RANGE,
          "SELECT count(*) FROM messy_support_tickets "
              + "WHERE CAST(csat_score AS INT) NOT BETWEEN 1 AND 5");
      put(recomputed, "surveys", Quarantine.OUT_OF_RANGE,
          "SELECT count(*) FROM messy_nps_responses WHERE CAST(score AS INT) NOT BETWEEN 0 AND 10");

      Map<String, Long> expected = new TreeMap<>();
      for (Row r : messy.truth(TruthSchemas.QUARANTINE_EXPECTED_TABLE).collectAsList()) {
        expected.put(r.<String>getAs("source") + "/" + r.<String>getAs("rule"), r.<Long>getAs("rows"));
      }
      assertEquals(expected, recomputed);
      expected.forEach((rule, rows) -> assertTrue(rows >= 1, rule + " was never injected"));
    }

    @Test
    void injectedRowsAreExtraRowsAndNoCleanRowIsLost() {
      for (SampleSource source : SampleSource.values()) {
        long injected = source.injectedRules().stream()
            .mapToLong(rule -> messy.summary().injectedPerRule()
                .get(source.directory() + "/" + rule))
            .sum();
        long added = messy.summary().rowsPerSource().get(source.directory())
            - clean.summary().rowsPerSource().get(source.directory());
        assertEquals(injected, added, source.directory());
        assertEquals(0, clean.source(source).exceptAll(messy.source(source)).count(),
            source.directory() + ": clean rows lost");
      }
    }

    @Test
    void eachRuleGetsAboutTheMessyShareOfItsSource() {
      long events = clean.summary().rowsPerSource().get("product_events");
      for (String rule : SampleSource.PRODUCT_EVENTS.injectedRules()) {
        long injected = messy.summary().injectedPerRule().get("product_events/" + rule);
        double share = injected / (double) events;
        assertTrue(Math.abs(share - MESSY) < 0.2 * MESSY, rule + ": share " + share);
      }
    }

    @Test
    void theTruthDoesNotChangeWithMessiness() {
      for (String table : List.of(TruthSchemas.ACCOUNTS_TABLE,
          TruthSchemas.CHURN_PROBABILITIES_TABLE)) {
        Dataset<Row> a = clean.truth(table);
        Dataset<Row> b = messy.truth(table);
        assertEquals(0, a.exceptAll(b).union(b.exceptAll(a)).count(), table);
      }
    }
  }

  private static void assertSameRows(String table, Dataset<Row> a, Dataset<Row> b) {
    assertEquals(0, a.exceptAll(b).union(b.exceptAll(a)).count(),
        table + ": rows in only one of the runs");
  }

  private static Set<String> strings(String sql) {
    return spark().sql(sql).collectAsList().stream().map(r -> r.getString(0))
        .collect(Collectors.toSet());
  }

  private static void assertSameColumns(StructType declared, StructType written) {
    List<String> expected = Arrays.stream(declared.fields())
        .map(f -> f.name() + ":" + f.dataType().simpleString()).toList();
    List<String> actual = Arrays.stream(written.fields())
        .map((StructField f) -> f.name() + ":" + f.dataType().simpleString()).toList();
    assertEquals(expected, actual);
  }

  private static void put(Map<String, Long> counts, String source, String rule, String sql) {
    counts.put(source + "/" + rule, spark().sql(sql).first().getLong(0));
  }
}
