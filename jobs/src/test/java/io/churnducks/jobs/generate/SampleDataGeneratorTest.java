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
 * written over a small run with another seed, and the same seed as messy CSV.
 */
class SampleDataGeneratorTest extends SparkTestBase {

  private static final LocalDate START = LocalDate.parse("2024-01-01");
  private static final int ACCOUNTS = 300;
  private static final int MONTHS = 12;
  private static final long SEED = 2024;
  private static final double MESSY = 0.03;
  private static final List<String> TRUTH_TABLES = List.of(TruthSchemas.ACCOUNTS_TABLE,
      TruthSchemas.CHURN_PROBABILITIES_TABLE, TruthSchemas.QUARANTINE_EXPECTED_TABLE,
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
    void earlyKeyFeatureUseFollowsTheAdoptionLatent() {
      Row r = spark().sql("""
          SELECT sum(CASE WHEN a.early_key_feature_adopter AND coalesce(k.uses, 0) < 5
                          THEN 1 ELSE 0 END) AS adopters_below,
                 sum(CASE WHEN NOT a.early_key_feature_adopter AND coalesce(k.uses, 0) > 2
                          THEN 1 ELSE 0 END) AS non_adopters_above,
                 sum(CAST(a.early_key_feature_adopter AS INT)) AS adopters
          FROM truth_accounts a
          JOIN crm_accounts c ON c.Id = a.account_id
          LEFT JOIN (
            SELECT e.org_id, count(*) AS uses
            FROM product_events e JOIN crm_accounts c2 ON c2.Id = e.org_id
            WHERE e.event IN ('automations', 'integrations')
              AND date_from_unix_date(CAST(e.timestamp AS BIGINT) DIV 86400000)
                  < date_add(to_date(c2.CreatedDate, 'MM/dd/yyyy'), 14)
            GROUP BY e.org_id) k ON k.org_id = a.account_id""").first();
      assertEquals(0, r.getLong(0));
      assertEquals(0, r.getLong(1));
      assertTrue(r.getLong(2) > 50);
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
