package io.churnducks.jobs.nightly;

import io.churnducks.features.validation.ContractException;
import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.rollup.UsageRollupStage;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The nightly run for one run date: validate → features → train → segments → score → risk list →
 * lifecycle analytics and the morning report, each stage writing its run_date partition and a manifest entry. Strictly point-in-time: every
 * indicator uses only data dated before the run date. Rerunning a date replaces its partitions.
 */
public final class NightlyJob {

  private static final Logger LOG = LoggerFactory.getLogger(NightlyJob.class);

  /** Rows read, skipped by the source's filter and rejected, for one source. */
  public record SourceStats(String source, long read, long skipped, long rejected, Map<String, Long> rejectedByRule) {}

  /** A segment's name and size. */
  public record SegmentSize(int segmentId, String name, String evidence, long accounts) {}

  /** What a run did, for the summary (small aggregates only). */
  public record Result(LocalDate runDate, List<SourceStats> sources, Map<String, List<String>> disabledIndicators,
      String evaluation, String modelVersion, List<SegmentSize> segments, long scored, long riskListSize,
      String riskListCsv, String warehouse, List<String> tables, String report) {}

  /** Folder of the model registry under the warehouse root. */
  public static final String REGISTRY = "_registry";
  /** Folder of the segment models (one per run date) under the warehouse root. */
  public static final String SEGMENT_MODELS = "_segments";

  /** What the stages share, for every invocation of this job. */
  private final Night night;

  /** A run on its own night: the extract is taken to end the day before {@code runDate}, as {@code today}. */
  public NightlyJob(SparkSession spark, ChurnConfig config, LocalDate runDate) {
    this(spark, config, runDate, runDate);
  }

  /**
   * @param today the day the job runs, read once from the clock at the command-line edge: the
   *              default extract date ({@code validation.extract-date}); rows dated after it are
   *              {@code after_cutoff}, rows dated on or after {@code runDate} are out of scope
   */
  public NightlyJob(SparkSession spark, ChurnConfig config, LocalDate runDate, LocalDate today) {
    this.night = new Night(spark, config, runDate, config.extractDate(today));
  }

  /**
   * Makes the run train and backtest a new model even when the champion is fresh; the new model
   * becomes champion unless a champion trained for a later run date exists.
   */
  public NightlyJob retraining(boolean retrain) {
    night.retrain = retrain;
    return this;
  }

  /**
   * Test hook: the run stops with an exception right after its write to {@code table} commits, as
   * if the process died there (the tables written before it are rolled back like any failure's).
   */
  NightlyJob failingAfterWriting(String table) {
    night.warehouse.afterEachWrite(t -> {
      if (t.equals(table)) {
        throw new IllegalStateException("Stopped after writing " + t + " (test hook)");
      }
    });
    return this;
  }

  /**
   * The stages of a night, in order. Each reads its inputs from the warehouse (the previous stages'
   * tables and the run's state under {@code _state/run}), so a scheduler can rerun any one alone for
   * a run date; {@link #run()} runs them all.
   */
  public enum Stage {
    /** Sources read, conformed and checked (dq_quarantine), usage events rolled up. */
    validate("validate", "rollup"),
    /** Key features, customer_features, drift, the labelled training examples, indicator relevance. */
    features("features", "relevance"),
    /** The churn model: the champion, or challengers backtested and the winner trained (model_evaluations). */
    train("train"),
    /** Duck segments, health and temperature (customer_segments, segment_profiles, health_extremes). */
    segments("segments"),
    /** churn_scores and the churn_risk_list with its CSV. */
    score("score", "risk_list"),
    /** Retention curves, unit economics and account economics (after score: they need segments and scores). */
    lifecycle("lifecycle"),
    /** The morning report: one HTML file of the run date's tables ({@code reports/run_date=D/report.html}). */
    report("report");

    /** The run_manifest stage names the stage records under. */
    final List<String> manifestStages;

    Stage(String... manifestStages) {
      this.manifestStages = List.of(manifestStages);
    }
  }

  /** The class that runs {@code stage}. */
  private static NightStage of(Stage stage) {
    return switch (stage) {
      case validate -> new ValidateStage();
      case features -> new FeaturesStage();
      case train -> new TrainStage();
      case segments -> new SegmentsStage();
      case score -> new ScoreStage();
      case lifecycle -> new LifecycleStage();
      case report -> new ReportStage();
    };
  }

  /** Runs every stage; the manifest is written whether the run succeeds or fails. */
  public Result run() {
    return run(java.util.EnumSet.allOf(Stage.class));
  }

  /**
   * Runs {@code stages} (in their order) for the run date, each reading what it needs from the
   * warehouse. The run date's manifest keeps the entries of the stages not run.
   */
  public Result run(java.util.Set<Stage> stages) {
    LOG.info("{} for {} (config {}, warehouse {}, extract date {})", stages.size() == Stage.values().length
        ? "Nightly run" : "Stages " + stages, night.runDate, night.config.origin(), night.warehouse.root(),
        night.extractDate);
    Night.Outputs out = new Night.Outputs();
    night.out = out;
    night.rollback.start();
    try {
      for (Stage stage : Stage.values()) {
        if (!stages.contains(stage)) {
          continue;
        }
        if (stage == Stage.report && stages.size() > 1) {
          // The report shows tonight's manifest: the entries of the stages run so far are written first.
          ManifestWriter.write(night, stages);
        }
        of(stage).run(night);
      }
      List<String> written = new ArrayList<>(night.warehouse.written());
      if (!written.contains("run_manifest")) {
        written.add("run_manifest");
      }
      return new Result(night.runDate, out.stats, out.disabled, out.evaluation, out.modelVersion, out.sizes,
          out.scored, out.listed, out.csv, night.warehouse.root(), written, out.report);
    } catch (RuntimeException e) {
      night.manifest.record("run", stages.size() == Stage.values().length ? "nightly" : stages.toString(), "failed",
          null, null, 0.0, e.getMessage() + night.rollback.rolledBack());
      throw e;
    } finally {
      ManifestWriter.write(night, stages);
      night.unpersist();
    }
  }

  /** What a backfill did: the roll-up outcome and the as-of dates whose usage indicators are stored. */
  public record Backfill(UsageRollupStage.Outcome rollup, List<LocalDate> asOfDates) {}

  /**
   * Rolls up every event date in [{@code from}, run date) again, whatever the roll-up log says,
   * and stores the usage indicators of the month starts in that range (the training as-of dates),
   * so the nights after it start from stored values. The run date is the day after the range.
   */
  public Backfill backfill(LocalDate from) {
    LocalDate runDate = night.runDate;
    if (!from.isBefore(runDate)) {
      throw new ContractException("Cannot backfill " + from + ".." + runDate.minusDays(1)
          + ": --from must not be after --to");
    }
    LOG.info("Backfill of usage event dates {}..{} (config {}, warehouse {})", from, runDate.minusDays(1),
        night.config.origin(), night.warehouse.root());
    try {
      Map<String, org.apache.spark.sql.Dataset<org.apache.spark.sql.Row>> tables =
          ValidateStage.validate(night, new ArrayList<>());
      Optional<UsageRollupStage.Outcome> rolled = ValidateStage.rollUp(night, tables, new ArrayList<>(),
          Optional.of(new LocalDate[] {from, runDate.minusDays(1)}), false);
      if (rolled.isEmpty()) {
        throw new ContractException("Cannot backfill: no usage_events source is configured (add sources.usage_events)");
      }
      night.indicators = FeaturesStage.keyFeatures(night, tables);
      List<LocalDate> monthStarts = new ArrayList<>();
      for (LocalDate d = from.withDayOfMonth(1); d.isBefore(runDate); d = d.plusMonths(1)) {
        if (!d.isBefore(from)) {
          monthStarts.add(d);
        }
      }
      if (!monthStarts.isEmpty()) {
        long t = System.nanoTime();
        FeaturesStage.usageIndicators(night, tables, monthStarts, false).count();
        night.manifest.record("backfill", "usage_snapshots", "ok", null, (long) monthStarts.size(),
            Night.secondsSince(t), "usage indicators stored for " + monthStarts.get(0) + ".."
                + monthStarts.get(monthStarts.size() - 1));
      }
      return new Backfill(rolled.get(), monthStarts);
    } catch (RuntimeException e) {
      night.manifest.record("backfill", "usage_events", "failed", null, null, 0.0,
          e.getMessage() + night.rollback.rolledBack());
      throw e;
    } finally {
      ManifestWriter.writeAll(night);
      night.unpersist();
    }
  }
}
