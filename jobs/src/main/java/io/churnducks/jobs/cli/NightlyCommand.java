package io.churnducks.jobs.cli;

import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.io.SparkSessions;
import io.churnducks.jobs.nightly.NightlyJob;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.LocalDate;
import java.util.concurrent.Callable;

/** {@code churn nightly --run-date D}: every stage for one run date. */
@Command(name = "nightly", mixinStandardHelpOptions = true,
    description = {"Run every stage for one run date: validate the sources (rejects to dq_quarantine), "
        + "compute customer_features, score with the champion churn model (or train and backtest one when "
        + "there is none, it is older than model.max-age-days, or the inputs changed), build customer_segments, "
        + "write churn_scores and the churn_risk_list (Parquet + CSV), the morning report (HTML) and the run_manifest.",
        "Only data dated before the run date is used. Rerunning a date replaces that date's partitions."})
public class NightlyCommand implements Callable<Integer> {

  @Mixin
  CommonOptions common;

  @Option(names = "--run-date", required = true, converter = RunDateConverter.class, paramLabel = "YYYY-MM-DD",
      description = "The day the run is for (Airflow: {{ ds }}).")
  LocalDate runDate;

  @Option(names = "--retrain", description = "Train and backtest a new churn model even when the champion "
      + "(the last model trained with the same inputs and settings, at most model.max-age-days old) could score.")
  boolean retrain;

  /** Whether this command trains a new model whatever the champion. */
  boolean alwaysRetrain() {
    return false;
  }

  @Override
  public Integer call() {
    ChurnConfig config = common.load();
    SparkSession spark = SparkSessions.create(config);
    NightlyJob.Result result = new NightlyJob(spark, config, runDate, LocalDate.now(java.time.ZoneOffset.UTC))
        .retraining(retrain || alwaysRetrain()).run();
    Summary.print(System.out, result, 10, spark);
    return 0;
  }
}
