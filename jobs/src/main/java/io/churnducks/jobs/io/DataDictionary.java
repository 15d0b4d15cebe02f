package io.churnducks.jobs.io;

import io.churnducks.features.indicators.CustomerFeatures;
import io.churnducks.features.indicators.UsageRollup;
import io.churnducks.features.lifecycle.AccountEconomics;
import io.churnducks.features.lifecycle.RetentionCurves;
import io.churnducks.features.lifecycle.UnitEconomics;
import io.churnducks.features.relevance.FeatureRetention;
import io.churnducks.features.relevance.IndicatorDrift;
import io.churnducks.features.relevance.IndicatorRelevance;
import io.churnducks.features.relevance.IndustryFocus;
import io.churnducks.features.validation.Quarantine;
import io.churnducks.jobs.nightly.ModelEvaluations;
import io.churnducks.jobs.nightly.RunManifest;
import io.churnducks.jobs.rollup.RollupLog;
import io.churnducks.jobs.rollup.UsageRollupStage;
import io.churnducks.models.churn.ChurnScores;
import io.churnducks.models.churn.RiskList;
import io.churnducks.models.segments.CustomerSegments;
import io.churnducks.models.segments.HealthExtremes;
import io.churnducks.models.segments.SegmentProfiles;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every table the job writes to the warehouse, from the declared schemas: {@code docs/data-dictionary.md}
 * is this class's output (written by {@code churn docs}; a test fails when the committed copy is stale),
 * with the DDL that lets Spark SQL and DuckDB read the tables in place.
 */
public final class DataDictionary {

  /** Where the dictionary lives in the repository. */
  public static final String PATH = "docs/data-dictionary.md";

  /**
   * One warehouse table.
   *
   * @param name        table (and folder) name
   * @param schema      declared columns, without the partition column unless it is one of them
   * @param partitionBy run_date, event_date (a column of the schema) or null (unpartitioned)
   * @param writtenBy   the step that writes it
   * @param what        one line on what a row is
   */
  public record Table(String name, StructType schema, String partitionBy, String writtenBy, String what) {

    /** Columns as stored: the schema, then run_date when the table is partitioned by it. */
    public List<StructField> columns() {
      List<StructField> out = new ArrayList<>(List.of(schema.fields()));
      if (Warehouse.RUN_DATE.equals(partitionBy)) {
        out.add(io.churnducks.features.contract.Schemas.field(Warehouse.RUN_DATE,
            org.apache.spark.sql.types.DataTypes.DateType, false, "The run date the row was written for."));
      }
      return out;
    }
  }

  public static final List<Table> TABLES = List.of(
      new Table("dq_quarantine", Quarantine.SCHEMA, Warehouse.RUN_DATE, "nightly (validate)",
          "A source row rejected, or a value nulled, by validation: source, rule, column and the raw row."),
      new Table(UsageRollupStage.QUARANTINE, UsageRollupStage.QUARANTINE_SCHEMA, "event_date", "nightly (roll-up), backfill",
          "A usage event rejected while rolling up its event date."),
      new Table(UsageRollupStage.FEATURE_DAYS, UsageRollup.FEATURE_DAYS_SCHEMA, "event_date", "nightly (roll-up), backfill",
          "Usage per account, day and feature."),
      new Table(UsageRollupStage.USER_DAYS, UsageRollup.USER_DAYS_SCHEMA, "event_date", "nightly (roll-up), backfill",
          "Product usage per account, day, user and device (for distinct counts)."),
      new Table(RollupLog.TABLE, RollupLog.SCHEMA, null, "nightly (roll-up), backfill",
          "Which event dates are rolled up, with what settings, from how many rows."),
      new Table("customer_features", CustomerFeatures.SCHEMA, Warehouse.RUN_DATE, "nightly (features)",
          "The motivation indicators of one active or lapsed account as of the run date (docs/indicators.md)."),
      new Table("drift", IndicatorDrift.SCHEMA, Warehouse.RUN_DATE, "nightly (features)",
          "How far one indicator's distribution moved since the previous run (population stability index)."),
      new Table("feature_retention", FeatureRetention.SCHEMA, Warehouse.RUN_DATE, "nightly (relevance)",
          "How early use of one product feature goes with retention; the key features."),
      new Table("indicator_relevance", IndicatorRelevance.SCHEMA, Warehouse.RUN_DATE, "nightly (relevance)",
          "How one indicator separates churners from stayers on the training examples."),
      new Table("industry_focus", IndustryFocus.SCHEMA, Warehouse.RUN_DATE, "nightly (relevance)",
          "Whether one industry churns differently enough to be kept as its own category."),
      new Table("model_evaluations", ModelEvaluations.SCHEMA, Warehouse.RUN_DATE, "nightly (train), retrain",
          "One metric of one candidate model on one backtest fold (or pooled)."),
      new Table("customer_segments", CustomerSegments.SCHEMA, Warehouse.RUN_DATE, "nightly (segments)",
          "One customer's duck segment, health, temperature, quadrant and play."),
      new Table("segment_profiles", SegmentProfiles.SCHEMA, Warehouse.RUN_DATE, "nightly (segments)",
          "One duck segment: size, revenue, churn, what distinguishes it, its play and its movement."),
      new Table("health_extremes", HealthExtremes.SCHEMA, Warehouse.RUN_DATE, "nightly (segments)",
          "The top and bottom customers by health."),
      new Table("churn_scores", ChurnScores.SCHEMA, Warehouse.RUN_DATE, "nightly (score)",
          "One customer's churn probability, risk tier, MRR at risk and reasons."),
      new Table("churn_risk_list", RiskList.SCHEMA, Warehouse.RUN_DATE, "nightly (risk list); publish",
          "The ranked list CS works: who, how likely, how much revenue, why, and what to do."),
      new Table("retention_curves", RetentionCurves.SCHEMA, Warehouse.RUN_DATE, "nightly (lifecycle)",
          "Logo and revenue retention of one group of accounts (all, a signup cohort, channel, segment or industry) at "
              + "one month since they became customers, over the accounts old enough to be observed."),
      new Table("unit_economics", UnitEconomics.SCHEMA, Warehouse.RUN_DATE, "nightly (lifecycle)",
          "ARPA, churn, LTV, CAC, LTV/CAC, payback and revenue ceiling of all accounts, one channel or one segment."),
      new Table("account_economics", AccountEconomics.SCHEMA, Warehouse.RUN_DATE, "nightly (lifecycle)",
          "One active customer's margin against its cost to serve, seat sharing and expected remaining value."),
      new Table("run_manifest", RunManifest.SCHEMA, Warehouse.RUN_DATE, "every command",
          "One step of one run: status, rows in and out, seconds, notes."));

  private DataDictionary() {}

  /** The dictionary as Markdown. */
  public static String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("# Data dictionary\n\n")
        .append("Generated from the declared table schemas by `bin/churn docs`; a test fails when this file is stale.\n\n")
        .append("Every table is a Delta Lake table (Parquet files and a transaction log) in a folder named after it\n")
        .append("under the warehouse root (`warehouse` in the config). A run replaces exactly its run date's rows\n")
        .append("in one commit, so a reader sees the previous rows or the new ones, never half; a failed run puts\n")
        .append("the tables it wrote back to their previous versions. Earlier versions stay readable\n")
        .append("(`VERSION AS OF n`) until `bin/churn vacuum` removes what only versions older than\n")
        .append("`warehouse-retention-hours` need. `bin/churn sql` queries every table by name.\n\n")
        .append("| table | partitioned by | written by | a row is |\n|---|---|---|---|\n");
    for (Table t : TABLES) {
      b.append("| [").append(t.name()).append("](#").append(t.name()).append(") | ")
          .append(t.partitionBy() == null ? "—" : "`" + t.partitionBy() + "`").append(" | ").append(t.writtenBy())
          .append(" | ").append(t.what()).append(" |\n");
    }
    for (Table t : TABLES) {
      b.append("\n## ").append(t.name()).append("\n\n").append(t.what()).append("\n\n")
          .append("| column | type | null | description |\n|---|---|---|---|\n");
      for (StructField f : t.columns()) {
        b.append("| `").append(f.name()).append("` | ").append(f.dataType().simpleString()).append(" | ")
            .append(f.nullable() ? "yes" : "no").append(" | ")
            .append(f.getComment().isDefined() ? f.getComment().get().replace("|", "\\|") : "").append(" |\n");
      }
    }
    b.append("\n## DDL for other engines\n\n")
        .append("Spark SQL with Delta Lake (replace `/warehouse` with the warehouse root):\n\n```sql\n");
    for (Table t : TABLES) {
      b.append(hiveDdl(t)).append("\n");
    }
    b.append("```\n\nDuckDB (its `delta` extension reads the log; a plain `read_parquet` glob would also see the\n")
        .append("files of replaced versions until they are vacuumed):\n\n```sql\nINSTALL delta;\nLOAD delta;\n");
    for (Table t : TABLES) {
      b.append("CREATE VIEW ").append(t.name()).append(" AS SELECT * FROM delta_scan('/warehouse/").append(t.name())
          .append("');\n");
    }
    return b.append("```\n").toString();
  }

  private static String hiveDdl(Table t) {
    List<String> cols = t.columns().stream().map(f -> "  " + f.name() + " " + sqlType(f.dataType())).toList();
    return "CREATE TABLE " + t.name() + " (\n" + String.join(",\n", cols) + ")\nUSING DELTA"
        + (t.partitionBy() == null ? "" : " PARTITIONED BY (" + t.partitionBy() + ")") + "\nLOCATION '/warehouse/"
        + t.name() + "';";
  }

  private static String sqlType(DataType type) {
    if (type instanceof ArrayType a) {
      return "ARRAY<" + sqlType(a.elementType()) + ">";
    }
    return type.sql().toUpperCase(Locale.ROOT);
  }
}
