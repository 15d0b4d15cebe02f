package io.churnducks.jobs.report;

import io.churnducks.features.testing.SparkTestBase;
import io.churnducks.jobs.io.Warehouse;
import io.churnducks.models.churn.RiskList;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MorningReportTest extends SparkTestBase {

  @TempDir
  static Path tmp;
  private static Warehouse story;
  private static String html;

  /** Three risk-list rows, two customers per quadrant, the two latest cohorts. */
  private static final ReportSettings SMALL = new ReportSettings(3, 2, 20, 2);

  @BeforeAll
  static void writeTheStory() {
    story = new Warehouse(spark(), tmp.resolve("story").toString());
    ReportStory.write(spark(), story);
    html = new MorningReport(spark(), story, SMALL).render(ReportStory.RUN);
  }

  @Test
  void theRiskListShowsItsTopRowsInRankOrderWithNames() {
    List<List<String>> rows = table(html, "risk-list");
    assertEquals(3, rows.size(), "report.risk-list-top = 3");
    assertEquals(List.of("1", "Juniper Print", "a10"), rows.get(0).subList(0, 3));
    assertEquals(List.of("2", "Ivy Schools", "a09"), rows.get(1).subList(0, 3));
    assertEquals(List.of("3", "Harbor Clinics", "a08"), rows.get(2).subList(0, 3));
  }

  @Test
  void eachQuadrantListsItsLargestCustomersByMrr() {
    assertEquals(List.of("Acme Analytics", "Birch Logistics"), column(table(html, "quadrant-red-carpet"), 0),
        "a01 (2,000) and a02 (1,000) of the four Red Carpet customers");
    assertEquals(List.of("2,000", "1,000"), column(table(html, "quadrant-red-carpet"), 2));
    assertEquals(List.of(ReportStory.MARKUP_NAME, "Fjord Foods"), column(table(html, "quadrant-free-riders"), 0));
    assertEquals(List.of("Harbor Clinics", "Ivy Schools"), column(table(html, "quadrant-sleeping"), 0));
    assertEquals(List.of("Juniper Print"), column(table(html, "quadrant-ready-to-buy"), 0));
  }

  @Test
  void theQuadrantLinesAreTheRunsThresholdsFromItsCustomers() {
    assertTrue(html.contains("\"healthLine\":" + (long) ReportStory.HEALTH_LINE + ","), "health line 45");
    assertTrue(html.contains("\"temperatureLine\":" + (long) ReportStory.TEMPERATURE_LINE + ","), "temperature line 55");
    assertTrue(html.contains("(health 45.00, temperature 55.00)"));
  }

  @Test
  void costOutliersAndSeatSharersAreOrderedByExcessAndGap() {
    List<List<String>> outliers = table(html, "cost-outliers");
    assertEquals(List.of("Granite Legal", ReportStory.MARKUP_NAME), column(outliers, 0));
    assertEquals(List.of("400", "200"), column(outliers, 5), "cost above MRR: 700 - 300 and 900 - 700");
    assertTrue(html.contains("2 of 10 active customers cost more to serve than their MRR (600 a month above revenue)"));
    List<List<String>> sharers = table(html, "seat-sharing");
    assertEquals(List.of(ReportStory.MARKUP_NAME, "Fjord Foods"), column(sharers, 0));
    assertEquals(List.of("7", "4"), column(sharers, 6));
    assertTrue(html.contains("2 customers have more people than seats (11 seats to offer)"));
  }

  @Test
  void theRunSummaryCountsQuarantineAndShowsTheChosenModel() {
    assertEquals(List.of(List.of("accounts", "2", "0"), List.of("subscriptions", "0", "1")), table(html, "dq-quarantine"));
    assertEquals(List.of(List.of("duplicate_key", "3"), List.of("unparseable_date", "1")),
        table(html, "usage-quarantine"), "three usage events before the run date and an undated one; the one after "
            + "the run date is not counted");
    assertTrue(html.contains("<dt>ROC AUC</dt><dd>0.810</dd>"), "the chosen candidate's pooled AUC, not 0.74");
    assertTrue(html.contains("<dt>ECE (calibrated backtest)</dt><dd>0.012</dd>"));
    assertTrue(html.contains("<dt>Model version</dt><dd>m-2026-03-01</dd>"));
    assertTrue(html.contains("1 of 3 indicators moved since 2026-02-01."));
    assertEquals(List.of("active_days_28d"), column(table(html, "drift-flags"), 0));
    assertTrue(html.contains("<div class=\"value\">6,100</div><div class=\"label\">MRR</div>"), "sum of the ten MRRs");
    assertEquals(3, table(html, "segment-profiles").size() - 1, "three live segments and the vanished one");
  }

  @Test
  void everyChartGetsItsDataAndTheChampionsCurves() {
    for (String chart : MorningReport.CHARTS) {
      assertTrue(html.contains("id=\"chart-" + chart + "\""), chart);
    }
    Map<String, Integer> expected = MorningReportBrowserTest.expectedPoints();
    assertEquals(3, expected.get("map"));
    // The calibrated backtest's five bins are drawn, not the pooled six nor the losing candidate's three.
    assertEquals(5, countMatches(section(html, "\"calibration\":"), "\"mean_probability\""));
    assertEquals(10, countMatches(section(html, "\"lift\":"), "\"decile\""));
  }

  @Test
  void namesAreTextNeverMarkup() {
    assertFalse(html.contains(ReportStory.MARKUP_NAME), "the raw name never reaches the page");
    assertTrue(html.contains("&lt;script&gt;alert(&#39;duck&#39;)&lt;/script&gt; &amp; Sons"), "escaped in the tables");
    assertTrue(html.contains("\\u003cscript\\u003ealert('duck')\\u003c/script\\u003e \\u0026 Sons"),
        "escaped in the JSON");
    assertEquals(3, countMatches(html, "<script"), "the data, the chart library and the page's script only");
  }

  @Test
  void theReportIsOneFileUnderTheWarehouseThatNeedsNoNetwork() throws Exception {
    MorningReport.Result r = new MorningReport(spark(), story, SMALL).write(ReportStory.RUN);
    Path file = tmp.resolve("story/reports/run_date=2026-03-01/report.html");
    assertEquals(file.toString(), r.path());
    String written = Files.readString(file);
    assertEquals(html, written);
    assertTrue(written.length() > 1_000_000, "the chart library is inlined");
    // The markup around the inlined scripts loads nothing (the library's own code builds no request either:
    // the browser test opens the page with every host unresolvable).
    String markup = written.replaceAll("(?s)<script([^>]*)>.*?</script>", "<script$1></script>");
    assertFalse(Pattern.compile("<(script|img|link|iframe)[^>]*\\s(src|href)=", Pattern.CASE_INSENSITIVE)
        .matcher(markup).find(), "nothing is loaded from elsewhere");
    assertEquals(MorningReport.CHARTS, r.charts());
    assertEquals(List.of(), r.missing());
    assertFalse(story.tables().contains(MorningReport.FOLDER), "the reports folder is not a table for churn sql");
    new MorningReport(spark(), story, SMALL).write(ReportStory.RUN);
    try (var files = Files.list(file.getParent())) {
      assertEquals(List.of("report.html"), files.map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith(".") || n.endsWith(".tmp")).sorted().toList(), "a rerun replaces the file");
    }
  }

  @Test
  void aTableNotWrittenForTheRunDateLeavesANoteInItsSection() {
    Warehouse w = new Warehouse(spark(), tmp.resolve("partial").toString());
    ReportStory.write(spark(), w, "segment_profiles", io.churnducks.models.segments.SegmentProfiles.SCHEMA,
        "segment_id, segment_name, status, accounts, share, mrr, arpa, churn_rate, avg_health, avg_temperature, "
            + "quadrant, evidence, play", List.<Object[]>of(new Object[] {1, "Power Collaborators", "new", 4L, 1.0,
            4000.0, 1000.0, null, 60.0, 70.0, "Red Carpet", "many features", "Invite"}));
    // The risk list of another night is not tonight's.
    w.write("churn_risk_list", ReportStory.partial(spark(), RiskList.SCHEMA, "rank, account_id, churn_probability, "
        + "risk_tier, lapsed, mrr, mrr_at_risk, top_reasons", List.<Object[]>of(new Object[] {1L, "a01", 0.9, "high",
        false, 10.0, 9.0, "x"})), RiskList.SCHEMA, ReportStory.RUN.minusDays(1));
    MorningReport.Result r = new MorningReport(spark(), w, SMALL).write(ReportStory.RUN);
    String page = new MorningReport(spark(), w, SMALL).render(ReportStory.RUN);
    assertEquals(List.of("map"), r.charts());
    for (String table : List.of("churn_risk_list", "run_manifest", "model_evaluations", "retention_curves",
        "unit_economics", "account_economics", "indicator_relevance", "health_extremes", "customer_segments")) {
      assertTrue(page.contains("<p class=\"note\" data-missing=\"" + table + "\">" + table
          + ": not computed for this run.</p>"), table);
      assertTrue(r.missing().contains(table), table);
    }
    assertFalse(page.contains("id=\"chart-lift\""));
  }

  @Test
  void aTableWithoutAColumnTheReportNeedsFailsNamingBoth() {
    Warehouse w = new Warehouse(spark(), tmp.resolve("old-risk-list").toString());
    StructType withoutPlay = new StructType(Arrays.stream(RiskList.SCHEMA.fields())
        .filter(f -> !f.name().equals("play")).toArray(StructField[]::new));
    w.write("churn_risk_list", ReportStory.partial(spark(), withoutPlay, "rank, account_id", List.<Object[]>of(
        new Object[] {1L, "a01"})), withoutPlay, ReportStory.RUN);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new MorningReport(spark(), w, SMALL).render(ReportStory.RUN));
    assertEquals("Cannot render the morning report for 2026-03-01: table churn_risk_list has no column play "
        + "(rerun the stage that writes churn_risk_list)", e.getMessage());
  }

  @Test
  void jsonCannotCloseTheScriptElementItLivesIn() {
    String json = Json.of(Map.of("name", "</script><!-- \"x\" & y\n", "n", List.of(1.5, Double.NaN, 3L)));
    assertFalse(json.contains("<") || json.contains(">") || json.contains("&"), json);
    assertTrue(json.contains("\"\\u003c/script\\u003e\\u003c!-- \\\"x\\\" \\u0026 y\\n\""), json);
    assertTrue(json.contains("[1.5,null,3]"), json);
    assertEquals("&lt;b&gt; &amp; &quot;q&quot; &#39;s&#39;", Html.esc("<b> & \"q\" 's'"));
  }

  @Test
  void reportSettingsRejectNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new ReportSettings(0, 8, 20, 12));
    assertEquals(new ReportSettings(20, 8, 20, 12), ReportSettings.defaults());
  }

  // ---- reading the page

  /** The body rows of the table with {@code id}, each as its cells' text (unescaped). */
  static List<List<String>> table(String page, String id) {
    int start = page.indexOf("<table id=\"" + id + "\"");
    assertTrue(start >= 0, "table " + id + " is on the page");
    String body = page.substring(page.indexOf("<tbody>", start), page.indexOf("</table>", start));
    List<List<String>> rows = new ArrayList<>();
    Matcher row = Pattern.compile("<tr[^>]*>(.*?)</tr>").matcher(body);
    while (row.find()) {
      List<String> cells = new ArrayList<>();
      Matcher cell = Pattern.compile("<td[^>]*>(.*?)</td>").matcher(row.group(1));
      while (cell.find()) {
        cells.add(unescape(cell.group(1)));
      }
      rows.add(cells);
    }
    return rows;
  }

  static List<String> column(List<List<String>> rows, int i) {
    return rows.stream().map(r -> r.get(i)).toList();
  }

  private static String unescape(String s) {
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
        .replace("&amp;", "&");
  }

  /** The JSON value after {@code key} up to the next chart's key (enough to count its points). */
  private static String section(String page, String key) {
    int start = page.indexOf(key);
    assertTrue(start >= 0, key);
    int end = page.indexOf("]}", start);
    return page.substring(start, end);
  }

  private static int countMatches(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  static LocalDate run() {
    return ReportStory.RUN;
  }
}
