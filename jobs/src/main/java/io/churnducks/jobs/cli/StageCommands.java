package io.churnducks.jobs.cli;

import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.io.SparkSessions;
import io.churnducks.jobs.nightly.NightlyJob;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.concurrent.Callable;

/**
 * One subcommand per stage of the night ({@code validate}, {@code features}, {@code train},
 * {@code segments}, {@code score}, {@code lifecycle}, {@code report}): each runs that stage alone for a run date, reading what it
 * needs from the warehouse, so a scheduler can run and retry the stages as separate tasks.
 */
final class StageCommands {

  private StageCommands() {}

  /** What every stage subcommand shares. */
  abstract static class StageCommand implements Callable<Integer> {

    private final NightlyJob.Stage stage;

    StageCommand(NightlyJob.Stage stage) {
      this.stage = stage;
    }

    @Mixin
    CommonOptions common;

    @Option(names = "--run-date", required = true, converter = RunDateConverter.class, paramLabel = "YYYY-MM-DD",
        description = "The day the run is for (Airflow: {{ ds }}).")
    LocalDate runDate;

    NightlyJob job(NightlyJob job) {
      return job;
    }

    @Override
    public Integer call() {
      ChurnConfig config = common.load();
      SparkSession spark = SparkSessions.create(config);
      NightlyJob.Result r = job(new NightlyJob(spark, config, runDate, LocalDate.now(ZoneOffset.UTC)))
          .run(EnumSet.of(stage));
      print(r);
      return 0;
    }

    void print(NightlyJob.Result r) {
      System.out.printf("Stage %s for %s done; tables written under %s: %s%n", stage, runDate, r.warehouse(),
          String.join(", ", r.tables()));
    }
  }

  @Command(name = "validate", mixinStandardHelpOptions = true,
      description = "Stage 1 of the night: read and check every source (rejects to dq_quarantine), roll up the new "
          + "usage days, and keep the clean tables for the run date's other stages.")
  public static final class Validate extends StageCommand {
    public Validate() {
      super(NightlyJob.Stage.validate);
    }
  }

  @Command(name = "features", mixinStandardHelpOptions = true,
      description = "Stage 2: key features (feature_retention), customer_features, drift against the previous run, "
          + "the labelled training examples, indicator_relevance and industry_focus. Needs validate.")
  public static final class Features extends StageCommand {
    public Features() {
      super(NightlyJob.Stage.features);
    }
  }

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Stage 3: choose the run's churn model: the champion while it is fresh, else challengers "
          + "backtested beside the champion's recipe and the winner trained (model_evaluations). Needs features.")
  public static final class Train extends StageCommand {

    @Option(names = "--retrain", description = "Train and backtest a new model even when the champion could score.")
    boolean retrain;

    public Train() {
      super(NightlyJob.Stage.train);
    }

    @Override
    NightlyJob job(NightlyJob job) {
      return job.retraining(retrain);
    }
  }

  @Command(name = "segments", mixinStandardHelpOptions = true,
      description = "Stage 4: duck segments (ids kept from the previous run), health and temperature: "
          + "customer_segments, segment_profiles, health_extremes. Needs features.")
  public static final class Segments extends StageCommand {
    public Segments() {
      super(NightlyJob.Stage.segments);
    }
  }

  @Command(name = "report", mixinStandardHelpOptions = true,
      description = "Stage 6: the morning report, one self-contained HTML file of the run date's tables "
          + "(<warehouse>/reports/run_date=D/report.html; opens offline). A table not written for the run date "
          + "leaves a note in its section. Needs score for a complete report.")
  public static final class Report extends StageCommand {
    public Report() {
      super(NightlyJob.Stage.report);
    }

    @Override
    void print(NightlyJob.Result r) {
      System.out.printf("Morning report for %s: %s%n", runDate, r.report());
    }
  }

  @Command(name = "score", mixinStandardHelpOptions = true,
      description = "Stage 5: churn_scores with the run's model and the churn_risk_list with its CSV. Needs train "
          + "and segments.")
  public static final class Score extends StageCommand {
    public Score() {
      super(NightlyJob.Stage.score);
    }
  }

  @Command(name = "lifecycle", mixinStandardHelpOptions = true,
      description = "Stage 6: lifecycle analytics: retention_curves (logo and revenue retention by month since signup, "
          + "per cohort, channel, segment and industry), unit_economics (ARPA, churn, LTV, CAC, LTV/CAC, payback, "
          + "revenue ceiling per channel and segment) and account_economics (cost to serve, seat sharing, remaining "
          + "value per customer). Needs score.")
  public static final class Lifecycle extends StageCommand {
    public Lifecycle() {
      super(NightlyJob.Stage.lifecycle);
    }
  }
}
