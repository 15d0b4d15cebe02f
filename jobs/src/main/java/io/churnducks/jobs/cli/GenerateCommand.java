package io.churnducks.jobs.cli;

import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.config.SampleSettings;
import io.churnducks.jobs.generate.GenerationSummary;
import io.churnducks.jobs.generate.EventsByDate;
import io.churnducks.jobs.generate.GeneratorOptions;
import io.churnducks.jobs.generate.SampleDataGenerator;
import io.churnducks.jobs.io.SparkSessions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.LocalDate;
import java.util.concurrent.Callable;

/** {@code churn generate}: sample sources with hidden ground truth. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = {"Write sample CRM, billing, usage, support and NPS sources, plus their hidden truth/ "
        + "(personas, true churn probabilities, injected contract violations).",
        "Defaults come from the config's sample.* keys."})
public final class GenerateCommand implements Callable<Integer> {

  @Mixin
  CommonOptions common;

  @Option(names = "--accounts", description = "Accounts to simulate.")
  Integer accounts;

  @Option(names = "--start", converter = RunDateConverter.class, description = "First day (a first of month).")
  LocalDate start;

  @Option(names = "--months", description = "Months of history; the cutoff is start + months.")
  Integer months;

  @Option(names = "--seed", description = "Random seed (same seed, same data).")
  Long seed;

  @Option(names = "--out", paramLabel = "DIR", description = "Output folder.")
  String out;

  @Option(names = "--format", description = "csv or parquet.")
  String format;

  @Option(names = "--messy", paramLabel = "FRACTION", description = "Share of rows injected as contract violations, per source and rule (0-1).")
  Double messy;

  @Option(names = "--events-by-date", description = "Lay product_events out in one folder per event date "
      + "(event_date=YYYY-MM-DD), as event pipelines land them; nightly runs then read only the dates they need.")
  boolean eventsByDate;

  @Override
  public Integer call() {
    ChurnConfig config = common.load();
    SampleSettings s = config.sample();
    GeneratorOptions options = new GeneratorOptions(
        accounts != null ? accounts : s.accounts(), start != null ? start : s.start(),
        months != null ? months : s.months(), seed != null ? seed : s.seed(),
        out != null ? out : s.dir(), format != null ? format : s.format(), messy != null ? messy : s.messy(),
        config.model().horizonDays(), config.model().graceDays());
    SparkSession spark = SparkSessions.create(config);
    GenerationSummary summary = SampleDataGenerator.run(spark, options);
    if (eventsByDate) {
      EventsByDate.rewrite(spark, options);
    }
    print(System.out, options, summary);
    return 0;
  }

  static void print(PrintStream out, GeneratorOptions o, GenerationSummary summary) {
    out.printf("Generated %d accounts, %s to %s (cutoff), seed %d, in %s%n", o.accounts(), o.start(),
        summary.cutoff(), o.seed(), o.outDir());
    summary.rowsPerSource().forEach((source, rows) -> out.printf("  %-22s %,12d rows%n", source, rows));
    long injected = summary.injectedPerRule().values().stream().mapToLong(Long::longValue).sum();
    out.printf("  injected contract violations: %,d (counts in %s/truth/quarantine_expected)%n", injected, o.outDir());
  }
}
