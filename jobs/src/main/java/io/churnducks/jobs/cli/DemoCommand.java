package io.churnducks.jobs.cli;

import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.config.SampleSettings;
import io.churnducks.jobs.generate.GeneratorOptions;
import io.churnducks.jobs.generate.SampleDataGenerator;
import io.churnducks.jobs.io.SparkSessions;
import io.churnducks.jobs.nightly.NightlyJob;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.File;
import java.util.concurrent.Callable;

/** {@code churn demo}: sample data if absent, then the nightly run on its cutoff, then a summary. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Generate the sample data set (sample.* keys) unless it is already there, run the nightly "
        + "job on its cutoff date and print a summary: rows read and quarantined per source, backtest AUC, "
        + "segments, the top of the risk list, where the tables are and, last, the morning report's path."})
public final class DemoCommand implements Callable<Integer> {

  @Mixin
  CommonOptions common;

  @Override
  public Integer call() {
    ChurnConfig config = common.load();
    SampleSettings s = config.sample();
    SparkSession spark = SparkSessions.create(config);
    if (!new File(s.dir(), "truth/parameters").isDirectory()) {
      GeneratorOptions options = new GeneratorOptions(s.accounts(), s.start(), s.months(), s.seed(), s.dir(),
          s.format(), s.messy(), config.model().horizonDays(), config.model().graceDays());
      GenerateCommand.print(System.out, options, SampleDataGenerator.run(spark, options));
    } else {
      System.out.printf("Using the sample data already in %s (delete it to generate anew)%n", s.dir());
    }
    NightlyJob.Result result = new NightlyJob(spark, config, s.cutoff()).run();
    Summary.print(System.out, result, 10, spark);
    return 0;
  }
}
