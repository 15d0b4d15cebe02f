package io.churnducks.jobs.report;

import io.churnducks.features.validation.Quarantine;
import io.churnducks.jobs.io.Warehouse;
import io.churnducks.jobs.report.Html.Column;
import io.churnducks.jobs.report.Html.Format;
import io.churnducks.jobs.rollup.UsageRollupStage;
import io.churnducks.models.segments.HealthTemperature.Quadrant;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * The morning report of one run date: a single self-contained HTML file,
 * {@code <warehouse>/reports/run_date=D/report.html}, that opens offline (the chart library is read
 * from the classpath and inlined, the data is embedded as JSON). It shows the run (sources, rows,
 * quarantine, model and backtest, drift), the health × temperature map of the duck segments with the
 * customers of each quadrant, retention curves, LTV / CAC, the champion's lift and calibration, the
 * segment profiles, indicator relevance, the top of the risk list, the health extremes, the
 * cost-to-serve outliers and the seat-sharing list.
 *
 * <p>Everything is read through the {@link Warehouse} for the run date; only aggregates and
 * top-N lists reach the driver. A table not written for the run date leaves a short note in its
 * section. Account names appear only in the customer lists of the page, never in the log.
 */
public final class MorningReport {

  private static final Logger LOG = LoggerFactory.getLogger(MorningReport.class);

  /** Folder of the reports under the warehouse root. */
  public static final String FOLDER = "reports";
  /** The report's file name inside its run date's folder. */
  public static final String FILE = "report.html";

  /** The charts a complete report draws, in page order (ids of their containers are {@code chart-<name>}). */
  public static final List<String> CHARTS = List.of("map", "retention-cohort", "retention-segment", "ltv-cac-channel",
      "ltv-cac-segment", "lift", "calibration", "relevance");

  private static final List<String> LOW_HEALTH = List.of(Quadrant.READY_TO_BUY.label, Quadrant.SLEEPING.label);
  private static final List<String> HIGH_HEALTH = List.of(Quadrant.RED_CARPET.label, Quadrant.FREE_RIDERS.label);
  private static final List<String> LOW_TEMPERATURE = List.of(Quadrant.SLEEPING.label, Quadrant.FREE_RIDERS.label);
  private static final List<String> HIGH_TEMPERATURE = List.of(Quadrant.RED_CARPET.label, Quadrant.READY_TO_BUY.label);

  /**
   * What was written.
   *
   * @param path    the report file (under the warehouse root as configured)
   * @param charts  the charts drawn (data present)
   * @param missing the tables not written for the run date, each noted in its section
   */
  public record Result(String path, List<String> charts, List<String> missing) {}

  private final SparkSession spark;
  private final Warehouse warehouse;
  private final ReportSettings settings;

  public MorningReport(SparkSession spark, Warehouse warehouse, ReportSettings settings) {
    this.spark = spark;
    this.warehouse = warehouse;
    this.settings = settings;
  }

  /** Where the report of {@code runDate} is written under {@code warehouseRoot}. */
  public static String path(String warehouseRoot, LocalDate runDate) {
    String root = warehouseRoot.endsWith("/") ? warehouseRoot.substring(0, warehouseRoot.length() - 1) : warehouseRoot;
    return root + "/" + FOLDER + "/" + Warehouse.RUN_DATE + "=" + runDate + "/" + FILE;
  }

  /**
   * Renders the report of {@code runDate} and writes it (through Hadoop's file system, so the
   * warehouse may be on any file system it reaches), replacing an earlier report of that date.
   */
  public Result write(LocalDate runDate) {
    Page page = new Page(runDate);
    String html = page.render();
    Path out = new Path(path(warehouse.root(), runDate));
    Path tmp = new Path(out.getParent(), "." + FILE + ".tmp");
    try {
      FileSystem fs = out.getFileSystem(spark.sparkContext().hadoopConfiguration());
      fs.mkdirs(out.getParent());
      try (FSDataOutputStream s = fs.create(tmp, true)) {
        s.write(html.getBytes(StandardCharsets.UTF_8));
      }
      fs.delete(out, false);
      if (!fs.rename(tmp, out)) {
        throw new IllegalStateException("Cannot write the morning report: cannot move " + tmp + " to " + out);
      }
      LOG.info("Morning report for {}: {} ({} charts; not computed: {})", runDate, out, page.charts.size(),
          page.missing.isEmpty() ? "none" : page.missing);
      return new Result(out.toString(), List.copyOf(page.charts), List.copyOf(page.missing));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the morning report to " + out, e);
    }
  }

  /** The report's HTML for {@code runDate}, without writing it. */
  public String render(LocalDate runDate) {
    return new Page(runDate).render();
  }

  /** One rendering: the run date, the data the charts draw, the tables found missing. */
  private final class Page {

    final LocalDate runDate;
    final Map<String, Object> data = new LinkedHashMap<>();
    final List<String> charts = new ArrayList<>();
    final List<String> missing = new ArrayList<>();

    Page(LocalDate runDate) {
      this.runDate = runDate;
    }

    String render() {
      List<String> sections = List.of(summary(), healthMap(), retention(), unitEconomics(), model(), segments(),
          relevance(), riskList(), healthExtremes(), accountEconomics());
      data.put("runDate", runDate.toString());
      return ReportPage.html(runDate, sections, Json.of(data));
    }

    /** The run date's rows of {@code table}, or empty when it was not written for it; missing columns fail. */
    Optional<Dataset<Row>> table(String table, String... columns) {
      if (!warehouse.exists(table) || !warehouse.runDates(table).contains(runDate)) {
        if (!missing.contains(table)) {
          missing.add(table);
        }
        return Optional.empty();
      }
      Dataset<Row> df = warehouse.read(table, runDate);
      requireColumns(table, df, columns);
      return Optional.of(df);
    }

    void requireColumns(String table, Dataset<Row> df, String... columns) {
      List<String> present = List.of(df.columns());
      for (String c : columns) {
        if (!present.contains(c)) {
          throw new IllegalArgumentException("Cannot render the morning report for " + runDate + ": table " + table
              + " has no column " + c + " (rerun the stage that writes " + table + ")");
        }
      }
    }

    void chart(String name, Object chartData) {
      data.put(name, chartData);
      charts.add(name);
    }

    // ---- run summary

    String summary() {
      StringBuilder b = new StringBuilder(section("summary", "Run summary"));
      List<String> cards = new ArrayList<>();
      table("churn_scores", "mrr", "mrr_at_risk").ifPresent(s -> {
        Row r = s.agg(count(lit(1)), sum("mrr"), sum("mrr_at_risk")).first();
        cards.add(card("Customers scored", Format.INTEGER.apply(r.getLong(0))));
        cards.add(card("MRR", Format.MONEY.apply(r.isNullAt(1) ? null : r.getDouble(1))));
        cards.add(card("MRR at risk", Format.MONEY.apply(r.isNullAt(2) ? null : r.getDouble(2))));
      });
      table("churn_risk_list", "rank").ifPresent(l -> cards.add(card("On the risk list", Format.INTEGER.apply(l.count()))));
      table("segment_profiles", "status").ifPresent(p -> cards.add(card("Duck segments",
          Format.INTEGER.apply(p.where(col("status").notEqual("vanished")).count()))));
      b.append("<div class=\"cards\">").append(String.join("", cards)).append("</div>");

      Optional<Dataset<Row>> manifest = table("run_manifest", "stage", "subject", "status", "rows_in", "rows_out",
          "seconds", "message");
      b.append("<h3>Sources</h3>");
      if (manifest.isEmpty()) {
        b.append(Html.notComputed("run_manifest"));
      } else {
        List<Map<String, Object>> sources = rows(manifest.get().where(col("stage").isin("validate", "rollup"))
            .orderBy("stage", "subject").select("subject", "status", "rows_in", "rows_out", "message"));
        b.append(Html.table("sources", List.of(Column.text("subject", "source"), Column.text("status", "status"),
            new Column("rows_in", "rows read", Format.INTEGER), new Column("rows_out", "rows kept", Format.INTEGER),
            Column.text("message", "notes")), sources, r -> "status-" + r.get("status")));
      }

      b.append("<h3>Quarantine</h3>");
      Optional<Dataset<Row>> dq = table("dq_quarantine", "source", "action");
      if (dq.isEmpty()) {
        b.append(Html.notComputed("dq_quarantine"));
      } else {
        List<Map<String, Object>> q = rows(dq.get().groupBy("source").agg(
            count(when(col("action").equalTo(Quarantine.ROW_REJECTED), 1)).as("rejected"),
            count(when(col("action").notEqual(Quarantine.ROW_REJECTED), 1)).as("nulled")).orderBy("source"));
        b.append(q.isEmpty() ? "<p class=\"note\">dq_quarantine: no row rejected and no value nulled.</p>"
            : Html.table("dq-quarantine", List.of(Column.text("source", "source"),
                new Column("rejected", "rows rejected", Format.INTEGER),
                new Column("nulled", "values nulled", Format.INTEGER)), q));
      }
      if (warehouse.exists(UsageRollupStage.QUARANTINE)) {
        Dataset<Row> usage = warehouse.readAll(UsageRollupStage.QUARANTINE, UsageRollupStage.QUARANTINE_SCHEMA)
            .where(col("event_date").lt(lit(java.sql.Date.valueOf(runDate))).or(col("event_date").isNull()));
        List<Map<String, Object>> u = rows(usage.groupBy("rule").agg(count(lit(1)).as("events"))
            .orderBy(col("events").desc()).limit(settings.listTop()));
        b.append("<p>Usage events rejected (usage_quarantine: event dates before ").append(Html.esc(runDate))
            .append(", and events without a usable date):</p>")
            .append(u.isEmpty() ? "<p class=\"note\">none.</p>" : Html.table("usage-quarantine",
                List.of(Column.text("rule", "rule"), new Column("events", "events", Format.INTEGER)), u));
      } else {
        b.append(Html.notComputed(UsageRollupStage.QUARANTINE));
      }

      b.append("<h3>Churn model</h3>");
      Optional<Dataset<Row>> evaluations = table("model_evaluations", "model_version", "candidate", "chosen",
          "evaluation", "test_from", "test_to", "train_examples", "test_examples", "churn_rate", "roc_auc", "pr_auc",
          "brier", "ece", "top_decile_lift", "top_decile_recall", "calibration");
      if (evaluations.isEmpty()) {
        b.append(Html.notComputed("model_evaluations"));
      } else {
        Map<String, Map<String, Object>> byKind = new LinkedHashMap<>();
        for (Map<String, Object> r : rows(evaluations.get().where(col("chosen").and(col("evaluation")
            .isin("pooled", "calibrated", "final"))).drop("calibration_curve", "lift_curve", Warehouse.RUN_DATE))) {
          byKind.putIfAbsent((String) r.get("evaluation"), r);
        }
        Map<String, Object> fin = byKind.getOrDefault("final", Map.of());
        Map<String, Object> pooled = byKind.getOrDefault("pooled", Map.of());
        Map<String, Object> calibrated = byKind.getOrDefault("calibrated", Map.of());
        b.append("<dl class=\"facts\">")
            .append(fact("Model version", fin.get("model_version")))
            .append(fact("Candidate", fin.get("candidate")))
            .append(fact("Calibration", fin.get("calibration")))
            .append(fact("Trained on", Format.INTEGER.apply(fin.get("train_examples")) + " examples"))
            .append(fact("Backtest", pooled.get("test_from") == null ? "–" : pooled.get("test_from") + " to "
                + pooled.get("test_to") + ", " + Format.INTEGER.apply(pooled.get("test_examples")) + " examples, churn "
                + Format.PERCENT.apply(pooled.get("churn_rate"))))
            .append(fact("ROC AUC", Format.DECIMAL3.apply(pooled.get("roc_auc"))))
            .append(fact("PR AUC", Format.DECIMAL3.apply(pooled.get("pr_auc"))))
            .append(fact("Top-decile lift", Format.DECIMAL.apply(pooled.get("top_decile_lift"))))
            .append(fact("Top-decile recall", Format.PERCENT.apply(pooled.get("top_decile_recall"))))
            .append(fact("Brier score", Format.DECIMAL3.apply(pooled.get("brier"))))
            .append(fact("ECE (calibrated backtest)", Format.DECIMAL3.apply(calibrated.get("ece"))))
            .append("</dl>");
      }

      b.append("<h3>Indicator drift</h3>");
      Optional<Dataset<Row>> drift = table("drift", "indicator", "psi", "flagged", "mean_before", "mean_now",
          "previous_run_date");
      if (drift.isEmpty()) {
        b.append(Html.notComputed("drift"));
      } else {
        Row totals = drift.get().agg(count(lit(1)), count(when(col("flagged"), 1)), max("previous_run_date")).first();
        b.append("<p>").append(totals.getLong(1)).append(" of ").append(totals.getLong(0))
            .append(" indicators moved since ").append(Html.esc(totals.get(2))).append(".</p>");
        List<Map<String, Object>> flagged = rows(drift.get().where(col("flagged")).orderBy(col("psi").desc())
            .limit(settings.listTop()).select("indicator", "psi", "mean_before", "mean_now"));
        if (!flagged.isEmpty()) {
          b.append(Html.table("drift-flags", List.of(Column.text("indicator", "indicator"),
              new Column("psi", "PSI", Format.DECIMAL3), new Column("mean_before", "mean before", Format.DECIMAL),
              new Column("mean_now", "mean now", Format.DECIMAL)), flagged));
        }
      }
      if (manifest.isPresent()) {
        b.append("<details><summary>Every step of the run (run_manifest)</summary>")
            .append(Html.table("manifest", List.of(Column.text("stage", "stage"), Column.text("subject", "subject"),
                Column.text("status", "status"), new Column("rows_in", "in", Format.INTEGER),
                new Column("rows_out", "out", Format.INTEGER), new Column("seconds", "seconds", Format.DECIMAL),
                Column.text("message", "message")), rows(manifest.get().drop(Warehouse.RUN_DATE)),
                r -> "status-" + r.get("status")))
            .append("</details>");
      }
      return b.append("</section>").toString();
    }

    // ---- health x temperature

    String healthMap() {
      StringBuilder b = new StringBuilder(section("map", "Health × temperature"));
      Optional<Dataset<Row>> profiles = table("segment_profiles", "segment_id", "segment_name", "status", "accounts",
          "mrr", "avg_health", "avg_temperature", "quadrant", "churn_rate");
      if (profiles.isEmpty()) {
        return b.append(Html.notComputed("segment_profiles")).append("</section>").toString();
      }
      List<Map<String, Object>> bubbles = rows(profiles.get().where(col("status").notEqual("vanished")
          .and(col("accounts").gt(0))).orderBy(col("mrr").desc()).select("segment_id", "segment_name", "accounts",
          "mrr", "avg_health", "avg_temperature", "quadrant", "churn_rate"));
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("segments", bubbles);
      map.put("quadrants", Map.of("highHigh", Quadrant.RED_CARPET.label, "lowHigh", Quadrant.READY_TO_BUY.label,
          "lowLow", Quadrant.SLEEPING.label, "highLow", Quadrant.FREE_RIDERS.label));
      Optional<Dataset<Row>> customers = table("customer_segments", "account_id", "segment_name", "health",
          "temperature", "quadrant");
      double[] lines = {50, 50};
      Map<String, List<Map<String, Object>>> byQuadrant = new LinkedHashMap<>();
      for (Quadrant q : Quadrant.values()) {
        byQuadrant.put(q.label, new ArrayList<>());
      }
      if (customers.isPresent()) {
        lines = quadrantLines(customers.get());
        for (Map<String, Object> r : rows(quadrantCustomers(customers.get()))) {
          byQuadrant.computeIfAbsent((String) r.get("quadrant"), k -> new ArrayList<>()).add(r);
        }
      }
      map.put("healthLine", lines[0]);
      map.put("temperatureLine", lines[1]);
      map.put("customers", byQuadrant);
      chart("map", map);
      b.append("<p>One bubble per duck segment at its customers' average health and temperature, sized by MRR. "
          + "The lines are the run's quadrant thresholds (health ").append(Format.DECIMAL.apply(lines[0]))
          .append(", temperature ").append(Format.DECIMAL.apply(lines[1])).append("). Hover a quadrant or a "
          + "bubble to list that quadrant's largest customers by MRR.</p>")
          .append("<div class=\"map\"><div class=\"chart tall\" id=\"chart-map\"></div>")
          .append("<div class=\"panel\" id=\"quadrant-customers\">");
      for (Map.Entry<String, List<Map<String, Object>>> e : byQuadrant.entrySet()) {
        // Rendered for every quadrant; the page shows the hovered one (the first until then).
        b.append("<div class=\"quadrant-list\" data-quadrant=\"").append(Html.esc(e.getKey())).append("\"><h4>")
            .append(Html.esc(e.getKey())).append("</h4>")
            .append(e.getValue().isEmpty() ? "<p class=\"note\">no customers.</p>" : Html.table("quadrant-"
                + e.getKey().toLowerCase(Locale.ROOT).replace(' ', '-'), List.of(Column.text("account_name", "account"),
                Column.text("segment_name", "segment"), new Column("mrr", "MRR", Format.MONEY),
                new Column("health", "health", Format.DECIMAL), new Column("temperature", "temp.", Format.DECIMAL)),
                e.getValue()))
            .append("</div>");
      }
      if (customers.isEmpty()) {
        b.append(Html.notComputed("customer_segments"));
      }
      return b.append("</div></div></section>").toString();
    }

    /**
     * The health and temperature that split tonight's quadrants: midway between the highest score of
     * the low side and the lowest of the high side (50 where a side is empty).
     */
    double[] quadrantLines(Dataset<Row> customers) {
      Row r = customers.agg(max(when(col("quadrant").isin(LOW_HEALTH.toArray()), col("health"))),
          min(when(col("quadrant").isin(HIGH_HEALTH.toArray()), col("health"))),
          max(when(col("quadrant").isin(LOW_TEMPERATURE.toArray()), col("temperature"))),
          min(when(col("quadrant").isin(HIGH_TEMPERATURE.toArray()), col("temperature")))).first();
      return new double[] {between(r, 0), between(r, 2)};
    }

    private double between(Row r, int i) {
      if (r.isNullAt(i) && r.isNullAt(i + 1)) {
        return 50;
      }
      if (r.isNullAt(i)) {
        return r.getDouble(i + 1);
      }
      if (r.isNullAt(i + 1)) {
        return r.getDouble(i);
      }
      return (r.getDouble(i) + r.getDouble(i + 1)) / 2;
    }

    /** The largest customers by MRR of each quadrant, with their names where a customer list has them. */
    Dataset<Row> quadrantCustomers(Dataset<Row> customers) {
      Dataset<Row> withMrr = customers.select("account_id", "segment_name", "health", "temperature", "quadrant");
      Optional<Dataset<Row>> features = table("customer_features", "account_id", "mrr");
      withMrr = features.isPresent()
          ? withMrr.join(features.get().select("account_id", "mrr"), new String[] {"account_id"}, "left")
          : withMrr.withColumn("mrr", lit(null).cast("double"));
      Optional<Dataset<Row>> names = table(LifecycleSchemas.ACCOUNT_ECONOMICS, "account_id", "account_name")
          .or(() -> table("churn_risk_list", "account_id", "account_name"));
      withMrr = names.isPresent()
          ? withMrr.join(names.get().select("account_id", "account_name"), new String[] {"account_id"}, "left")
          : withMrr.withColumn("account_name", lit(null).cast("string"));
      return withMrr.withColumn("account_name", coalesce(col("account_name"), col("account_id")))
          .withColumn("place", row_number().over(Window.partitionBy("quadrant")
              .orderBy(col("mrr").desc_nulls_last(), col("account_id"))))
          .where(col("place").leq(settings.quadrantCustomers()))
          .orderBy("quadrant", "place")
          .select("quadrant", "account_id", "account_name", "segment_name", "mrr", "health", "temperature");
    }

    // ---- retention and unit economics

    String retention() {
      StringBuilder b = new StringBuilder(section("retention", "Retention curves"));
      Optional<Dataset<Row>> curves = table(LifecycleSchemas.RETENTION_CURVES, "dimension", "group_value",
          "month_number", "accounts_observed", "accounts_retained", "logo_retention", "gross_revenue_retention",
          "net_revenue_retention");
      if (curves.isEmpty()) {
        return b.append(Html.notComputed(LifecycleSchemas.RETENTION_CURVES)).append("</section>").toString();
      }
      Dataset<Row> observed = curves.get().where(col("accounts_observed").gt(0));
      List<String> allCohorts = observed.where(col("dimension").equalTo("cohort")).select("group_value").distinct()
          .orderBy(col("group_value").desc()).as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
      List<String> cohorts = allCohorts.subList(0, Math.min(settings.cohorts(), allCohorts.size()));
      List<Map<String, Object>> points = rows(observed.where(col("dimension").isin("all", "segment")
              .or(col("dimension").equalTo("cohort").and(col("group_value").isin(cohorts.toArray()))))
          .orderBy("dimension", "group_value", "month_number")
          .select("dimension", "group_value", "month_number", "accounts_observed", "logo_retention",
              "gross_revenue_retention", "net_revenue_retention"));
      Map<String, Object> byCohort = curveSeries(points, "cohort");
      Map<String, Object> bySegment = curveSeries(points, "segment");
      b.append("<p>Logo retention by month since signup; an account counts at a month only once it is old enough "
          + "to be observed there. The dashed line is every account.</p><div class=\"pair\">");
      if (((List<?>) byCohort.get("series")).isEmpty()) {
        b.append("<p class=\"note\">retention_curves: no cohort rows for this run.</p>");
      } else {
        chart("retention-cohort", byCohort);
        b.append("<figure><figcaption>By signup cohort (latest ").append(cohorts.size()).append(" of ")
            .append(allCohorts.size()).append(")</figcaption><div class=\"chart\" id=\"chart-retention-cohort\"></div>"
                + "</figure>");
      }
      if (((List<?>) bySegment.get("series")).isEmpty()) {
        b.append("<p class=\"note\">retention_curves: no segment rows for this run.</p>");
      } else {
        chart("retention-segment", bySegment);
        b.append("<figure><figcaption>By duck segment</figcaption><div class=\"chart\" id=\"chart-retention-segment\">"
            + "</div></figure>");
      }
      return b.append("</div></section>").toString();
    }

    /** Series of one dimension plus the all-accounts line, for the page's line charts. */
    Map<String, Object> curveSeries(List<Map<String, Object>> points, String dimension) {
      Map<String, List<List<Object>>> series = new LinkedHashMap<>();
      List<List<Object>> all = new ArrayList<>();
      for (Map<String, Object> p : points) {
        List<Object> point = java.util.Arrays.asList(p.get("month_number"), nullable(p.get("logo_retention")),
            nullable(p.get("accounts_observed")), nullable(p.get("net_revenue_retention")));
        if (dimension.equals(p.get("dimension"))) {
          series.computeIfAbsent((String) p.get("group_value"), k -> new ArrayList<>()).add(point);
        } else if ("all".equals(p.get("dimension"))) {
          all.add(point);
        }
      }
      List<Map<String, Object>> out = new ArrayList<>();
      series.forEach((name, pts) -> out.add(Map.of("name", name, "points", pts)));
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("series", out);
      m.put("all", all);
      return m;
    }

    String unitEconomics() {
      StringBuilder b = new StringBuilder(section("economics", "Unit economics"));
      Optional<Dataset<Row>> unit = table(LifecycleSchemas.UNIT_ECONOMICS, "dimension", "group_value",
          "active_accounts", "arpa", "gross_margin", "monthly_churn_rate", "ltv", "cac", "ltv_to_cac",
          "payback_months", "new_accounts_per_month", "revenue_ceiling");
      if (unit.isEmpty()) {
        return b.append(Html.notComputed(LifecycleSchemas.UNIT_ECONOMICS)).append("</section>").toString();
      }
      List<Map<String, Object>> rows = rows(unit.get().orderBy("dimension", "group_value").drop(Warehouse.RUN_DATE));
      b.append("<p>LTV = ARPA × gross margin ÷ monthly churn; the line marks LTV / CAC = 3, the usual floor of a "
          + "healthy channel.</p><div class=\"pair\">");
      for (String dimension : List.of("channel", "segment")) {
        List<Map<String, Object>> bars = rows.stream().filter(r -> dimension.equals(r.get("dimension"))).toList();
        String name = "ltv-cac-" + dimension;
        if (bars.isEmpty()) {
          b.append("<p class=\"note\">unit_economics: no ").append(dimension).append(" rows for this run.</p>");
          continue;
        }
        chart(name, Map.of("bars", bars.stream().map(r -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("name", r.get("group_value"));
          m.put("value", r.get("ltv_to_cac"));
          m.put("ltv", r.get("ltv"));
          m.put("cac", r.get("cac"));
          m.put("payback", r.get("payback_months"));
          return m;
        }).toList()));
        b.append("<figure><figcaption>LTV / CAC by ").append(dimension).append("</figcaption><div class=\"chart\" id=\"chart-")
            .append(name).append("\"></div></figure>");
      }
      b.append("</div>").append(Html.table("unit-economics", List.of(Column.text("dimension", "by"),
          Column.text("group_value", "group"), new Column("active_accounts", "accounts", Format.INTEGER),
          new Column("arpa", "ARPA", Format.MONEY), new Column("gross_margin", "margin", Format.PERCENT),
          new Column("monthly_churn_rate", "churn / month", Format.PERCENT), new Column("ltv", "LTV", Format.MONEY),
          new Column("cac", "CAC", Format.MONEY), new Column("ltv_to_cac", "LTV / CAC", Format.DECIMAL),
          new Column("payback_months", "payback (months)", Format.DECIMAL),
          new Column("revenue_ceiling", "revenue ceiling", Format.MONEY)), rows,
          r -> r.get("ltv_to_cac") instanceof Double d && d < 3 ? "below-line" : null));
      return b.append("</section>").toString();
    }

    // ---- the champion's backtest

    String model() {
      StringBuilder b = new StringBuilder(section("model", "The champion's backtest"));
      Optional<Dataset<Row>> evaluations = table("model_evaluations", "chosen", "evaluation", "calibration_curve");
      if (evaluations.isEmpty()) {
        return b.append(Html.notComputed("model_evaluations")).append("</section>").toString();
      }
      boolean hasLift = List.of(evaluations.get().columns()).contains("lift_curve");
      Dataset<Row> chosen = evaluations.get().where(col("chosen").and(col("evaluation").isin("pooled", "calibrated")));
      Map<String, Map<String, Object>> byKind = new LinkedHashMap<>();
      for (Map<String, Object> r : rows(chosen.select(hasLift ? new org.apache.spark.sql.Column[] {col("evaluation"),
          col("calibration_curve"), col("lift_curve")} : new org.apache.spark.sql.Column[] {col("evaluation"),
          col("calibration_curve")}))) {
        byKind.putIfAbsent((String) r.get("evaluation"), r);
      }
      Object lift = byKind.getOrDefault("pooled", Map.of()).get("lift_curve");
      Object calibratedCurve = byKind.getOrDefault("calibrated", Map.of()).get("calibration_curve");
      String calibrationOf = "calibrated backtest (each fold calibrated on the folds before it)";
      if (calibratedCurve == null) {
        calibratedCurve = byKind.getOrDefault("pooled", Map.of()).get("calibration_curve");
        calibrationOf = "pooled backtest, before calibration";
      }
      b.append("<div class=\"pair\">");
      if (lift instanceof List<?> l && !l.isEmpty()) {
        chart("lift", Map.of("points", l));
        b.append("<figure><figcaption>Cumulative lift of the riskiest customers (pooled backtest)</figcaption>"
            + "<div class=\"chart\" id=\"chart-lift\"></div></figure>");
      } else {
        b.append("<p class=\"note\">model_evaluations: no lift curve stored for this run's backtest.</p>");
      }
      if (calibratedCurve instanceof List<?> c && !c.isEmpty()) {
        chart("calibration", Map.of("points", c));
        b.append("<figure><figcaption>Calibration: observed churn rate by predicted probability (")
            .append(Html.esc(calibrationOf)).append(")</figcaption><div class=\"chart\" id=\"chart-calibration\">"
                + "</div></figure>");
      } else {
        b.append("<p class=\"note\">model_evaluations: no calibration curve stored for this run's backtest.</p>");
      }
      return b.append("</div></section>").toString();
    }

    // ---- tables

    String segments() {
      StringBuilder b = new StringBuilder(section("segments", "Duck segments"));
      Optional<Dataset<Row>> profiles = table("segment_profiles", "segment_name", "status", "accounts", "share", "mrr",
          "arpa", "churn_rate", "avg_health", "avg_temperature", "quadrant", "evidence", "play");
      if (profiles.isEmpty()) {
        return b.append(Html.notComputed("segment_profiles")).append("</section>").toString();
      }
      List<Map<String, Object>> rows = rows(profiles.get().orderBy(col("accounts").desc()).drop(Warehouse.RUN_DATE));
      return b.append(Html.table("segment-profiles", List.of(Column.text("segment_name", "segment"),
          Column.text("status", "status"), new Column("accounts", "accounts", Format.INTEGER),
          new Column("share", "share", Format.PERCENT), new Column("mrr", "MRR", Format.MONEY),
          new Column("arpa", "ARPA", Format.MONEY), new Column("churn_rate", "churn", Format.PERCENT),
          new Column("avg_health", "health", Format.DECIMAL), new Column("avg_temperature", "temp.", Format.DECIMAL),
          Column.text("quadrant", "quadrant"), Column.text("evidence", "why the name"), Column.text("play", "play")),
          rows)).append("</section>").toString();
    }

    String relevance() {
      StringBuilder b = new StringBuilder(section("relevance", "Which indicators matter"));
      Optional<Dataset<Row>> relevance = table("indicator_relevance", "indicator", "kind", "auc", "direction",
          "top_bottom_lift", "information_value", "p_adjusted", "verdict");
      if (relevance.isEmpty()) {
        return b.append(Html.notComputed("indicator_relevance")).append("</section>").toString();
      }
      Row counts = relevance.get().agg(count(lit(1)), count(when(col("verdict").equalTo("predictive"), 1))).first();
      List<Map<String, Object>> rows = rows(relevance.get().orderBy(col("information_value").desc_nulls_last(),
          col("indicator")).limit(settings.listTop()).select("indicator", "kind", "auc", "direction", "top_bottom_lift",
          "information_value", "p_adjusted", "verdict"));
      chart("relevance", Map.of("bars", rows.stream().filter(r -> r.get("information_value") != null).map(r -> Map.of(
          "name", r.get("indicator"), "value", r.get("information_value"), "verdict", r.get("verdict"))).toList()));
      b.append("<p>").append(counts.getLong(1)).append(" of ").append(counts.getLong(0)).append(" indicators predict "
          + "churn on the training examples; the ").append(rows.size()).append(" most informative:</p>")
          .append("<div class=\"chart\" id=\"chart-relevance\"></div>")
          .append(Html.table("indicator-relevance", List.of(Column.text("indicator", "indicator"),
              Column.text("kind", "kind"), new Column("information_value", "information value", Format.DECIMAL3),
              new Column("auc", "AUC", Format.DECIMAL3), Column.text("direction", "churn with"),
              new Column("top_bottom_lift", "top / bottom lift", Format.DECIMAL),
              new Column("p_adjusted", "p (adjusted)", Format.DECIMAL3), Column.text("verdict", "verdict")), rows));
      return b.append("</section>").toString();
    }

    String riskList() {
      StringBuilder b = new StringBuilder(section("risk", "Top of the churn-risk list"));
      Optional<Dataset<Row>> list = table("churn_risk_list", "rank", "account_id", "account_name", "csm_owner",
          "churn_probability", "risk_tier", "mrr", "mrr_at_risk", "top_reasons", "segment_name", "play");
      if (list.isEmpty()) {
        return b.append(Html.notComputed("churn_risk_list")).append("</section>").toString();
      }
      List<Map<String, Object>> rows = rows(list.get().orderBy("rank").limit(settings.riskListTop())
          .select("rank", "account_id", "account_name", "csm_owner", "churn_probability", "risk_tier", "mrr",
              "mrr_at_risk", "top_reasons", "segment_name", "play"));
      return b.append(Html.table("risk-list", List.of(new Column("rank", "#", Format.INTEGER),
          Column.text("account_name", "account"), Column.text("account_id", "id"), Column.text("csm_owner", "owner"),
          new Column("churn_probability", "p(churn)", Format.PERCENT), Column.text("risk_tier", "tier"),
          new Column("mrr", "MRR", Format.MONEY), new Column("mrr_at_risk", "MRR at risk", Format.MONEY),
          Column.text("top_reasons", "why"), Column.text("segment_name", "segment"), Column.text("play", "play")),
          rows, r -> "tier-" + r.get("risk_tier"))).append("</section>").toString();
    }

    String healthExtremes() {
      StringBuilder b = new StringBuilder(section("extremes", "Healthiest and least healthy customers"));
      Optional<Dataset<Row>> extremes = table("health_extremes", "end", "rank", "account_id", "health", "temperature",
          "quadrant", "segment_name", "mrr");
      if (extremes.isEmpty()) {
        return b.append(Html.notComputed("health_extremes")).append("</section>").toString();
      }
      List<Column> columns = List.of(new Column("rank", "#", Format.INTEGER), Column.text("account_id", "account"),
          new Column("health", "health", Format.DECIMAL), new Column("temperature", "temp.", Format.DECIMAL),
          Column.text("quadrant", "quadrant"), Column.text("segment_name", "segment"),
          new Column("mrr", "MRR", Format.MONEY));
      b.append("<div class=\"pair\">");
      for (String end : List.of("top", "bottom")) {
        List<Map<String, Object>> rows = rows(extremes.get().where(col("end").equalTo(end)).orderBy("rank")
            .limit(settings.listTop()).drop(Warehouse.RUN_DATE));
        b.append("<figure><figcaption>").append(end.equals("top") ? "Healthiest" : "Least healthy")
            .append("</figcaption>").append(Html.table("health-" + end, columns, rows)).append("</figure>");
      }
      return b.append("</div></section>").toString();
    }

    String accountEconomics() {
      StringBuilder b = new StringBuilder(section("accounts", "Cost to serve and seat sharing"));
      Optional<Dataset<Row>> accounts = table(LifecycleSchemas.ACCOUNT_ECONOMICS, "account_id", "account_name",
          "segment_name", "mrr", "cost_to_serve_monthly", "monthly_margin", "cost_exceeds_revenue", "seats",
          "active_users_28d", "people_per_login", "seat_gap", "offer_more_seats");
      if (accounts.isEmpty()) {
        return b.append(Html.notComputed(LifecycleSchemas.ACCOUNT_ECONOMICS)).append("</section>").toString();
      }
      Dataset<Row> a = accounts.get();
      Row totals = a.agg(count(lit(1)), count(when(col("cost_exceeds_revenue"), 1)),
          sum(when(col("cost_exceeds_revenue"), col("cost_to_serve_monthly").minus(col("mrr")))),
          count(when(col("offer_more_seats"), 1)), sum(when(col("offer_more_seats"), col("seat_gap")))).first();
      List<Map<String, Object>> outliers = rows(a.where(col("cost_exceeds_revenue"))
          .withColumn("excess", col("cost_to_serve_monthly").minus(col("mrr")))
          .orderBy(col("excess").desc(), col("account_id")).limit(settings.listTop())
          .select("account_id", "account_name", "segment_name", "mrr", "cost_to_serve_monthly", "excess",
              "monthly_margin"));
      List<Map<String, Object>> sharers = rows(a.where(col("offer_more_seats"))
          .orderBy(col("seat_gap").desc(), col("mrr").desc(), col("account_id")).limit(settings.listTop())
          .select("account_id", "account_name", "segment_name", "seats", "active_users_28d", "people_per_login",
              "seat_gap", "mrr"));
      b.append("<h3>Costing more than they pay</h3><p>").append(totals.getLong(1)).append(" of ")
          .append(totals.getLong(0)).append(" active customers cost more to serve than their MRR (")
          .append(Format.MONEY.apply(totals.isNullAt(2) ? 0.0 : ((Number) totals.get(2)).doubleValue()))
          .append(" a month above revenue).</p>")
          .append(outliers.isEmpty() ? "" : Html.table("cost-outliers", List.of(Column.text("account_name", "account"),
              Column.text("account_id", "id"), Column.text("segment_name", "segment"),
              new Column("mrr", "MRR", Format.MONEY), new Column("cost_to_serve_monthly", "cost to serve", Format.MONEY),
              new Column("excess", "cost above MRR", Format.MONEY),
              new Column("monthly_margin", "monthly margin", Format.MONEY)), outliers))
          .append("<h3>Sharing logins: offer more seats</h3><p>").append(totals.getLong(3))
          .append(" customers have more people than seats (").append(Format.INTEGER.apply(totals.isNullAt(4) ? 0L
              : ((Number) totals.get(4)).longValue())).append(" seats to offer).</p>")
          .append(sharers.isEmpty() ? "" : Html.table("seat-sharing", List.of(Column.text("account_name", "account"),
              Column.text("account_id", "id"), Column.text("segment_name", "segment"),
              new Column("seats", "seats", Format.INTEGER), new Column("active_users_28d", "active users", Format.INTEGER),
              new Column("people_per_login", "people per login", Format.DECIMAL),
              new Column("seat_gap", "seat gap", Format.INTEGER), new Column("mrr", "MRR", Format.MONEY)), sharers));
      return b.append("</section>").toString();
    }
  }

  // ---- helpers

  private static String section(String id, String title) {
    return "<section id=\"" + id + "\"><h2>" + Html.esc(title) + "</h2>";
  }

  private static String card(String label, String value) {
    return "<div class=\"card\"><div class=\"value\">" + Html.esc(value) + "</div><div class=\"label\">"
        + Html.esc(label) + "</div></div>";
  }

  private static String fact(String label, Object value) {
    return "<dt>" + Html.esc(label) + "</dt><dd>" + Html.esc(value == null ? "–" : value) + "</dd>";
  }

  private static Object nullable(Object v) {
    return v instanceof Double d && !Double.isFinite(d) ? null : v;
  }

  /** A small frame's rows as maps (dates as text, structs as maps, arrays as lists). */
  static List<Map<String, Object>> rows(Dataset<Row> small) {
    return small.collectAsList().stream().map(MorningReport::map).collect(Collectors.toList());
  }

  private static Map<String, Object> map(Row r) {
    Map<String, Object> m = new LinkedHashMap<>();
    StructField[] fields = r.schema().fields();
    for (int i = 0; i < fields.length; i++) {
      m.put(fields[i].name(), value(r.get(i)));
    }
    return m;
  }

  private static Object value(Object v) {
    if (v instanceof Row row) {
      return map(row);
    }
    if (v instanceof scala.collection.Seq<?> seq) {
      List<Object> out = new ArrayList<>();
      scala.collection.JavaConverters.seqAsJavaList(seq).forEach(o -> out.add(value(o)));
      return out;
    }
    if (v instanceof java.util.List<?> list) {
      return list.stream().map(MorningReport::value).toList();
    }
    if (v instanceof java.sql.Date d) {
      return d.toLocalDate().toString();
    }
    if (v instanceof java.sql.Timestamp t) {
      return t.toInstant().toString();
    }
    return nullable(v);
  }
}
