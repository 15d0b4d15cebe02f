package io.churnducks.jobs.nightly;

import io.churnducks.features.testing.SparkTestBase;
import io.churnducks.features.validation.ContractException;
import io.churnducks.features.validation.Quarantine;
import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.generate.GenerationSummary;
import io.churnducks.jobs.generate.GeneratorOptions;
import io.churnducks.jobs.generate.SampleDataGenerator;
import io.churnducks.jobs.generate.SampleSource;
import io.churnducks.jobs.io.SparkSessions;
import io.churnducks.jobs.io.Warehouse;
import io.churnducks.jobs.rollup.UsageRollupStage;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17 §6, messy input: a small generated company whose sources hold about 1 %, 10 % and 60 %
 * bad rows, through the validate stage alone (sources conformed and checked into dq_quarantine,
 * usage events rolled up with their rejects in usage_quarantine). Every injected row is
 * quarantined under its rule, every row read is accounted for, and the default rejected-share
 * threshold (5 %) lets the 1 % night pass and stops the others with one line. The 1 % night's
 * accounts and usage events also carry a column the mapping does not read: one warning line each,
 * noted in their manifest entries, and the night goes on.
 */
class MessyInputTest extends SparkTestBase {

  /** The default validation.max-rejected-share (conf/demo.conf and reference.conf). */
  private static final double THRESHOLD = 0.05;

  /**
   * A bad-row share of all source rows and the generator's {@code messy} that gives it: usage
   * events, most of the rows, have five rules, so {@code share = 5m / (1 + 5m)}, i.e.
   * {@code m = share / (5 (1 - share))}; the other sources have fewer rules and pull the overall
   * share a little below.
   */
  enum Level {
    ONE_PERCENT(0.01, 0.0021),
    TEN_PERCENT(0.10, 0.0225),
    SIXTY_PERCENT(0.60, 0.31);

    final double share;
    final double messy;

    Level(double share, double messy) {
      this.share = share;
      this.messy = messy;
    }
  }

  /**
   * One generated company and its validate night, read back once: the quarantine records counted
   * per source, rule, action and source column (dq_quarantine of the night and usage_quarantine),
   * and the night's run_manifest.
   */
  record Night(Level level, GenerationSummary generated, LocalDate runDate, ContractException failure,
      List<Row> quarantined, List<Row> manifest, long voidedInvoices, long featureDays) {

    /** Injected rows over all rows written. */
    double badShare() {
      return (double) generated.totalInjected() / generated.totalRows();
    }

    String describe() {
      return String.format(Locale.ROOT, "%s: %,d of %,d rows bad (%.2f%%, messy %s)", level, generated.totalInjected(),
          generated.totalRows(), 100 * badShare(), level.messy);
    }

    /** Quarantine records per "source rule action". */
    Map<String, Long> quarantinedByRule() {
      Map<String, Long> out = new TreeMap<>();
      quarantined.forEach(r -> out.merge(r.getString(0) + " " + r.getString(1) + " " + r.getString(2), r.getLong(4),
          Long::sum));
      return out;
    }

    /** Rejected rows of a source. */
    long rejected(String source) {
      return quarantined.stream().filter(r -> r.getString(0).equals(source)
          && r.getString(2).equals(Quarantine.ROW_REJECTED)).mapToLong(r -> r.getLong(4)).sum();
    }

    /** The rule and source column that rejected most rows of a source, as the failure line names them. */
    String mainRejection(String source) {
      return quarantined.stream().filter(r -> r.getString(0).equals(source)
              && r.getString(2).equals(Quarantine.ROW_REJECTED))
          .max(java.util.Comparator.comparingLong(r -> r.getLong(4)))
          .map(r -> r.getString(1) + " in " + r.getString(3) + ": " + r.getLong(4) + " rows").orElseThrow();
    }

    /** The manifest entries of a stage and subject. */
    List<Row> entries(String stage, String subject) {
      return manifest.stream().filter(r -> r.getString(r.fieldIndex("stage")).equals(stage)
          && r.getString(r.fieldIndex("subject")).equals(subject)).toList();
    }

    /** A source's one manifest entry (validate, or rollup for the usage events). */
    Row entry(String source) {
      List<Row> e = entries(source.equals("usage_events") ? "rollup" : "validate", source);
      assertEquals(1, e.size(), describe() + ": one manifest entry for " + source + ": " + manifest);
      return e.get(0);
    }
  }

  @TempDir
  static Path tmp;

  private static final String SKIPPED = "(\\d+) rows skipped by the source's filter";
  private static final String OUT_OF_SCOPE = "(\\d+) rows out of scope";

  static final Map<Level, Night> NIGHTS = new EnumMap<>(Level.class);
  /** Log events of the product's loggers that carry a stack trace. */
  static final List<String> TRACES = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Warnings the product logged. */
  static final List<String> WARNINGS = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void generateAndValidateEachLevel() {
    captureStackTraces();
    SparkSessions.configure(spark(), 2);
    // Small frames: interpreted expressions cost less than compiling code for each query.
    spark().conf().set("spark.sql.codegen.wholeStage", "false");
    spark().conf().set("spark.sql.codegen.factoryMode", "NO_CODEGEN");
    for (Level level : Level.values()) {
      String sample = tmp.resolve(level.name() + "/sample").toString();
      String root = tmp.resolve(level.name() + "/warehouse").toString();
      long t = System.nanoTime();
      GenerationSummary generated = SampleDataGenerator.run(spark(),
          GeneratorOptions.of(200, LocalDate.of(2024, 2, 1), 3, 17L, sample, "csv", level.messy));
      LocalDate runDate = generated.cutoff();
      List<String> overrides = new ArrayList<>(List.of("sample.dir=" + sample, "warehouse=" + root));
      if (level == Level.ONE_PERCENT) {
        // Schema drift that loses nothing: the exports gained a column the mapping does not read.
        overrides.add("sources.accounts.path=" + withExtraColumn(sample, "crm_accounts", "Region"));
        overrides.add("sources.usage_events.path=" + withExtraColumn(sample, "product_events", "ab_test_group"));
      }
      ChurnConfig config = ChurnConfig.load(new File("../conf/demo.conf"), overrides);
      ContractException failure = null;
      try {
        new NightlyJob(spark(), config, runDate).run(EnumSet.of(NightlyJob.Stage.validate));
      } catch (ContractException e) {
        failure = e;
      }
      Warehouse warehouse = new Warehouse(spark(), root);
      List<Row> quarantined = warehouse.read("dq_quarantine", runDate).select("source", "rule", "action",
              "source_column")
          .unionByName(warehouse.readAll(UsageRollupStage.QUARANTINE).select("source", "rule", "action",
              "source_column"))
          .groupBy("source", "rule", "action", "source_column").agg(count(lit(1))).collectAsList();
      long voided = spark().read().option("header", "true").csv(sample + "/billing_invoices")
          .where(col("status").equalTo("void")).count();
      Night night = new Night(level, generated, runDate, failure, quarantined,
          warehouse.read("run_manifest", runDate).collectAsList(), voided,
          warehouse.exists(UsageRollupStage.FEATURE_DAYS) ? warehouse.readAll(UsageRollupStage.FEATURE_DAYS).count() : 0);
      System.out.printf(Locale.ROOT, "messy input %s; generated, validated and read back in %.1fs%n",
          night.describe(), (System.nanoTime() - t) / 1e9);
      NIGHTS.put(level, night);
    }
  }

  /** A copy of a generated CSV source with one more column; returns its folder. */
  private static String withExtraColumn(String sample, String source, String column) {
    String copy = sample + "/" + source + "_with_" + column;
    spark().read().option("header", "true").csv(sample + "/" + source).withColumn(column, lit("x"))
        .write().option("header", "true").option("ignoreLeadingWhiteSpace", "false")
        .option("ignoreTrailingWhiteSpace", "false").csv(copy);
    return copy;
  }

  /**
   * Records the product's warnings, and every product log event that carries a throwable: a failed
   * night must not print one.
   */
  private static void captureStackTraces() {
    LogCapture.everyEvent("messy-input-traces", event -> {
      if (!event.getLoggerName().startsWith("io.churnducks")) {
        return;
      }
      if (event.getThrown() != null) {
        TRACES.add(event.getLoggerName() + ": " + event.getThrown());
      }
      if (event.getLevel() == org.apache.logging.log4j.Level.WARN) {
        WARNINGS.add(event.getMessage().getFormattedMessage());
      }
    });
  }

  @Test
  void anExtraSourceColumnIsOneWarningLineAndAManifestNoteAndTheNightGoesOn() {
    Night night = NIGHTS.get(Level.ONE_PERCENT);
    assertNull(night.failure(), night.describe());
    for (String[] drift : List.of(new String[] {"accounts", "Region"}, new String[] {"usage_events", "ab_test_group"})) {
      String expected = "Source " + drift[0] + " (";
      String tail = ") has a column its mapping does not use: " + drift[1] + " (ignored; map it under sources."
          + drift[0] + ".columns to read it)";
      List<String> lines = WARNINGS.stream().filter(w -> w.startsWith(expected) && w.endsWith(tail)).distinct()
          .toList();
      assertEquals(1, lines.size(), "one warning line for " + drift[0] + ": " + WARNINGS);
      Row entry = night.entry(drift[0]);
      assertTrue(entry.getString(entry.fieldIndex("message")).contains(lines.get(0)), entry.toString());
      assertEquals("warning", entry.getString(entry.fieldIndex("status")));
    }
    assertEquals(List.of(), WARNINGS.stream().filter(w -> w.contains("mapping does not use")
        && !w.contains("Region") && !w.contains("ab_test_group")).toList(), "the other sources read every column");
  }

  @ParameterizedTest
  @EnumSource(Level.class)
  void theGeneratedBadRowShareIsTheLevels(Level level) {
    Night night = NIGHTS.get(level);
    assertEquals(level.share, night.badShare(), level.share * 0.2, night.describe());
  }

  @ParameterizedTest
  @EnumSource(Level.class)
  void everyInjectedRowIsQuarantinedUnderItsRule(Level level) {
    Night night = NIGHTS.get(level);
    Map<String, Long> injected = new TreeMap<>();
    for (SampleSource source : SampleSource.values()) {
      for (String rule : source.injectedRules()) {
        long rows = night.generated().injectedPerRule().get(source.directory() + "/" + rule);
        if (rows > 0) {
          injected.put(source.canonicalTable() + " " + rule + " " + source.action(rule), rows);
        }
      }
    }
    for (SampleSource source : SampleSource.values()) {
      assertTrue(injected.keySet().stream().anyMatch(k -> k.startsWith(source.canonicalTable() + " ")),
          night.describe() + ": bad rows injected into " + source.directory());
    }
    assertEquals(injected, night.quarantinedByRule(), night.describe() + (night.failure() == null ? ""
        : "; the night failed, its quarantines must still be written"));
  }

  @ParameterizedTest
  @EnumSource(Level.class)
  void rowsInAreGoodRowsPlusQuarantinedRowsPlusSkippedOnes(Level level) {
    Night night = NIGHTS.get(level);
    for (SampleSource source : SampleSource.values()) {
      String table = source.canonicalTable();
      Row entry = night.entry(table);
      long in = entry.getLong(entry.fieldIndex("rows_in"));
      long out = entry.getLong(entry.fieldIndex("rows_out"));
      String message = entry.getString(entry.fieldIndex("message"));
      long skipped = number(message, SKIPPED);
      long outOfScope = number(message, OUT_OF_SCOPE);
      long quarantined = night.rejected(table);
      assertEquals(night.generated().rowsPerSource().get(source.directory()), in,
          night.describe() + ": " + table + " rows in are the rows generated");
      assertEquals(in, out + quarantined + skipped + outOfScope, String.format(Locale.ROOT,
          "%s: %s rows in = good rows (%d) + quarantined rows (%d) + skipped (%d) + out of scope (%d); manifest: %s",
          night.describe(), table, out, quarantined, skipped, outOfScope, message));
    }
    // The invoices' filter skips voided invoices: the manifest counts them, so the sum closes.
    Row invoices = night.entry("invoices");
    assertTrue(night.voidedInvoices() > 0, night.describe() + ": the sample has voided invoices");
    assertEquals(night.voidedInvoices(), number(invoices.getString(invoices.fieldIndex("message")), SKIPPED),
        night.describe() + ": voided invoices skipped");
  }

  @ParameterizedTest
  @EnumSource(Level.class)
  void theDefaultThresholdPassesOnePercentAndStopsTheOthersWithOneLine(Level level) {
    Night night = NIGHTS.get(level);
    Map<String, Double> shares = rejectedShares(night);
    List<String> overThreshold = shares.entrySet().stream().filter(e -> e.getValue() > THRESHOLD)
        .map(Map.Entry::getKey).toList();
    String shown = night.describe() + "; rejected shares " + shares;
    List<Row> failed = night.manifest().stream().filter(r -> "failed".equals(r.getString(r.fieldIndex("status"))))
        .toList();
    if (level == Level.ONE_PERCENT) {
      assertNull(night.failure(), shown);
      assertEquals(List.of(), overThreshold, shown);
      assertEquals(List.of(), failed, shown);
      assertTrue(night.featureDays() > 0, "the usage events are rolled up");
      return;
    }
    ContractException failure = night.failure();
    assertNotNull(failure, shown + ": the night must fail");
    assertFalse(overThreshold.isEmpty(), shown);
    String line = failure.getMessage();
    assertEquals(1, line.lines().count(), "one line: " + line);
    assertNull(failure.getCause(), "nothing to print but the line");
    assertEquals(List.of(), TRACES, "no stack trace logged");
    assertTrue(line.startsWith("Cannot run " + night.runDate() + ": "), line);
    for (String source : shares.keySet()) {
      boolean over = overThreshold.contains(source);
      assertEquals(over, line.contains("source " + source + " rejected "), source + " named iff over: " + line);
      if (over) {
        String share = String.format(Locale.ROOT, "(%.1f%%, threshold 5.0%%)", 100 * shares.get(source));
        assertTrue(line.contains(share), source + " share " + share + " in: " + line);
        String rule = night.mainRejection(source);
        assertTrue(line.contains(rule), source + "'s main rule and column '" + rule + "' in: " + line);
      }
      Row entry = night.entry(source);
      assertEquals(over, "failed".equals(entry.getString(entry.fieldIndex("status"))), shown + ": " + entry);
    }
    List<Row> run = night.entries("run", "[validate]");
    assertEquals(1, run.size(), "one run entry: " + night.manifest());
    assertEquals("failed", run.get(0).getString(run.get(0).fieldIndex("status")));
    assertTrue(run.get(0).getString(run.get(0).fieldIndex("message")).startsWith(line), run.toString());
    assertEquals(0, night.featureDays(), "the failed night's roll-ups are rolled back");
  }

  /** Per source, rejected rows over the rows in scope, from the manifest and the quarantines. */
  private static Map<String, Double> rejectedShares(Night night) {
    Map<String, Double> shares = new TreeMap<>();
    for (SampleSource source : SampleSource.values()) {
      String table = source.canonicalTable();
      Row entry = night.entry(table);
      String message = entry.getString(entry.fieldIndex("message"));
      long considered = entry.getLong(entry.fieldIndex("rows_in")) - number(message, SKIPPED)
          - number(message, OUT_OF_SCOPE);
      shares.put(table, (double) night.rejected(table) / considered);
    }
    return shares;
  }

  /** The number the pattern's group captures in {@code text}, 0 when it does not occur. */
  private static long number(String text, String pattern) {
    if (text == null) {
      return 0;
    }
    Matcher m = Pattern.compile(pattern).matcher(text);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }
}
