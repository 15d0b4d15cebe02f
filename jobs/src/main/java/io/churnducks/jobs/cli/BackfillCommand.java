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
import java.util.concurrent.Callable;

/** {@code churn backfill --from D1 --to D2}: rolls up usage history and stores past usage indicators. */
@Command(name = "backfill", mixinStandardHelpOptions = true,
    description = {"Validate and roll up the usage events of every event date from --from to --to (inclusive) "
        + "again, whatever was rolled up before, into usage_feature_days, usage_user_days and usage_quarantine, "
        + "and store the usage indicators of the month starts in the range for training.",
        "A nightly run does this by itself for dates it has not seen; use backfill after correcting old data."})
public final class BackfillCommand implements Callable<Integer> {

  @Mixin
  CommonOptions common;

  @Option(names = "--from", required = true, converter = RunDateConverter.class, paramLabel = "YYYY-MM-DD",
      description = "First event date to roll up.")
  LocalDate from;

  @Option(names = "--to", required = true, converter = RunDateConverter.class, paramLabel = "YYYY-MM-DD",
      description = "Last event date to roll up.")
  LocalDate to;

  @Override
  public Integer call() {
    ChurnConfig config = common.load();
    SparkSession spark = SparkSessions.create(config);
    NightlyJob.Backfill b = new NightlyJob(spark, config, to.plusDays(1), LocalDate.now(ZoneOffset.UTC)).backfill(from);
    System.out.printf("Backfilled %d event dates (%s): %,d rows read, %,d rolled up, %,d rejected (usage_quarantine)%n",
        b.rollup().processed().size(), b.rollup().layout(), b.rollup().read(), b.rollup().rolled(),
        b.rollup().rejected());
    System.out.printf("Usage indicators stored for %d month starts%s%n", b.asOfDates().size(),
        b.asOfDates().isEmpty() ? "" : " " + b.asOfDates().get(0) + ".." + b.asOfDates().get(b.asOfDates().size() - 1));
    return 0;
  }
}
