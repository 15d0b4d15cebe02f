package io.churnducks.jobs.cli;

import io.churnducks.jobs.bench.Benchmark;
import io.churnducks.jobs.bench.BenchmarkReport;
import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.io.SparkSessions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code churn bench}: the benchmark ladder against DuckDB, written to BENCHMARKS.md. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Generate companies of 10 k, 100 k and 1 M accounts (events as Parquet laid out by date) and "
        + "measure, in one run on the same files: the first nightly run over the whole history, the next night "
        + "after one more day of events, the usage indicator stage alone, and DuckDB computing the same "
        + "indicators with one SQL query. Prints and writes BENCHMARKS.md."})
public final class BenchCommand implements Callable<Integer> {

  /** The ladder; --max-accounts caps it. */
  static final List<Integer> LADDER = List.of(10_000, 100_000, 1_000_000);

  @Mixin
  CommonOptions common;

  @Option(names = "--max-accounts", paramLabel = "N", defaultValue = "1000000",
      description = "Largest rung to run (default ${DEFAULT-VALUE}); below 10,000 a single rung of N accounts.")
  int maxAccounts;

  @Option(names = "--months", defaultValue = "24", description = "Months of generated history (default ${DEFAULT-VALUE}).")
  int months;

  @Option(names = "--seed", defaultValue = "7",
      description = "Generator seed: another seed generates another company (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--dir", paramLabel = "DIR", defaultValue = "./bench",
      description = "Where generated data and warehouses are kept between runs (default ${DEFAULT-VALUE}).")
  String dir;

  @Option(names = "--out", paramLabel = "FILE", defaultValue = "BENCHMARKS.md",
      description = "Report file (default ${DEFAULT-VALUE}).")
  String out;

  @Override
  public Integer call() {
    ChurnConfig config = common.load();
    SparkSession spark = SparkSessions.create(config);
    List<Integer> rungs = rungs(maxAccounts);
    List<Benchmark.Rung> results = new Benchmark(spark, new Benchmark.Options(rungs, dir, months, seed, common.config,
        common.overrides)).run();
    Runtime rt = Runtime.getRuntime();
    long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
    String machine = String.format(Locale.ROOT, "%d cores, %.0f GB memory, driver heap -Xmx %.1f GB, Spark %s (%s)",
        rt.availableProcessors(), memory / 1e9, rt.maxMemory() / 1e9, spark.version(), spark.sparkContext().master());
    List<String> args = new ArrayList<>(List.of("bin/churn", "bench", "--max-accounts", String.valueOf(maxAccounts)));
    if (months != 24) {
      args.add("--months");
      args.add(String.valueOf(months));
    }
    if (seed != Benchmark.DEFAULT_SEED) {
      args.add("--seed");
      args.add(String.valueOf(seed));
    }
    String report = BenchmarkReport.markdown(results, months, seed, machine, String.join(" ", args),
        LocalDate.now(ZoneOffset.UTC).toString());
    System.out.println(report);
    try {
      Files.writeString(Path.of(out), report, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + out, e);
    }
    System.out.println("Written to " + out);
    return 0;
  }

  static List<Integer> rungs(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("Cannot benchmark: --max-accounts must be at least 1 (got " + max + ")");
    }
    List<Integer> out = new ArrayList<>(LADDER.stream().filter(n -> n <= max).toList());
    if (out.isEmpty()) {
      out.add(max);
    }
    return out;
  }
}
