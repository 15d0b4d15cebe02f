package io.churnducks.jobs.bench;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.indicators.UsageIndicators;
import io.churnducks.features.indicators.UsageRollup;
import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.generate.EventsByDate;
import io.churnducks.jobs.generate.GenerationSummary;
import io.churnducks.jobs.generate.GeneratorOptions;
import io.churnducks.jobs.generate.HealthVsTruth;
import io.churnducks.jobs.generate.ModelVsTruth;
import io.churnducks.jobs.generate.PersonaRecovery;
import io.churnducks.jobs.generate.SampleDataGenerator;
import io.churnducks.jobs.generate.TruthSchemas;
import io.churnducks.jobs.io.Warehouse;
import io.churnducks.jobs.nightly.NightlyJob;
import io.churnducks.jobs.rollup.UsageRollupStage;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

/**
 * The benchmark ladder behind {@code churn bench}. For each rung (a number of generated accounts,
 * events laid out by event date as Parquet), in one run on the same files:
 * <ol>
 *   <li>the product's first night (run date = the extract's last day, whose events are held back):
 *       the whole history is validated and rolled up;</li>
 *   <li>the next night, after the held-back day of events is put in place;</li>
 *   <li>the usage indicator stage alone over the whole history (no stored values);</li>
 *   <li>DuckDB computing the same usage indicators with one SQL query over the same files.</li>
 * </ol>
 * and the next night's churn scores against the generator's hidden truth (what really happened
 * after the run date, and the true probabilities).
 * Every number in the report is measured by this run.
 */
public final class Benchmark {

  /** One rung's measurements. */
  public record Rung(int accounts, long events, double generateSeconds, Map<String, Double> firstNight,
      double firstNightSeconds, Map<String, Double> nextNight, double nextNightSeconds, double indicatorsFullSeconds,
      double duckdbSeconds, long agreeing, long compared, long heapAfterGcBytes, long shuffleBytesFirstNight,
      long shuffleBytesNextNight, ModelVsTruth model, PersonaRecovery segments, HealthVsTruth health) {

    double nextNightIndicatorSeconds() {
      return nextNight.getOrDefault("features/usage_indicators", Double.NaN);
    }
  }

  /** The generator seed of the company the benchmark is published for. */
  public static final long DEFAULT_SEED = 7L;

  /**
   * @param months months of generated history
   * @param seed   generator seed: another seed is another company (its data and warehouses get their own folders)
   */
  public record Options(List<Integer> rungs, String dir, int months, long seed, File config, List<String> overrides) {

    /** Folder name of a rung's data, warehouse or DuckDB output under {@link #dir()}. */
    String folder(String kind, int accounts) {
      return dir + "/" + kind + "-" + accounts + (seed == DEFAULT_SEED ? "" : "-seed-" + seed);
    }
  }

  /**
   * Why the company already generated under {@code data} cannot be measured as {@code g}: other
   * generator options, or events not laid out by event date (the first night holds the last day's
   * folder back, and a night reads only the dates it needs; one flat folder would be read whole every
   * night, and the report would measure something else); empty when it can be reused.
   */
  static Optional<String> whyNotReusable(SparkSession spark, String data, GeneratorOptions g) {
    Row p = spark.read().parquet(data + "/truth/" + TruthSchemas.PARAMETERS_TABLE).first();
    Map<String, Object> wanted = new LinkedHashMap<>();
    wanted.put("accounts", g.accounts());
    wanted.put("seed", g.seed());
    wanted.put("start", java.sql.Date.valueOf(g.start()));
    wanted.put("months", g.months());
    wanted.put("messy", g.messy());
    wanted.put("format", g.format());
    List<String> differences = new ArrayList<>();
    wanted.forEach((field, value) -> {
      Object found = p.getAs(field);
      if (!value.equals(found)) {
        differences.add(field + " " + found + " (the bench needs " + value + ")");
      }
    });
    if (!differences.isEmpty()) {
      return Optional.of("it was generated with " + String.join(", ", differences));
    }
    File[] days = new File(data, "product_events").listFiles(f -> f.isDirectory()
        && f.getName().startsWith(EventsByDate.DATE_COLUMN + "="));
    if (days == null || days.length == 0) {
      return Optional.of("its usage events are not laid out by event date (no product_events/"
          + EventsByDate.DATE_COLUMN + "=YYYY-MM-DD folders)");
    }
    return Optional.empty();
  }

  private final SparkSession spark;
  private final Options options;
  private final AtomicLong shuffleBytes = new AtomicLong();

  public Benchmark(SparkSession spark, Options options) {
    this.spark = spark;
    this.options = options;
    spark.sparkContext().addSparkListener(new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null) {
          shuffleBytes.addAndGet(end.taskMetrics().shuffleWriteMetrics().bytesWritten());
        }
      }
    });
  }

  public List<Rung> run() {
    List<Rung> out = new ArrayList<>();
    for (int accounts : options.rungs()) {
      out.add(rung(accounts));
    }
    return out;
  }

  private Rung rung(int accounts) {
    String data = options.folder("data", accounts);
    String warehouseDir = options.folder("warehouse", accounts);
    List<String> overrides = new ArrayList<>(options.overrides());
    overrides.add("sample.dir=" + data);
    overrides.add("warehouse=" + warehouseDir);
    for (var t : InputContract.ALL) {
      overrides.add("sources." + t.name() + ".format=parquet");
    }
    ChurnConfig config = ChurnConfig.load(options.config(), overrides);
    GeneratorOptions g = new GeneratorOptions(accounts, LocalDate.parse("2024-01-01"), options.months(),
        options.seed(), data, "parquet", 0.0, config.model().horizonDays(), config.model().graceDays());
    LocalDate cutoff = g.cutoff();
    LiveHeapMeter heap = new LiveHeapMeter();
    heap.start();

    long t = System.nanoTime();
    long events;
    if (new File(data, "truth/" + TruthSchemas.PARAMETERS_TABLE).isDirectory() && new File(data, "product_events").isDirectory()) {
      Optional<String> why = whyNotReusable(spark, data, g);
      if (why.isPresent()) {
        throw new IllegalArgumentException("Cannot reuse the generated company in " + data + ": " + why.get()
            + ". Delete that folder (the bench generates it again) or choose another --dir.");
      }
      events = spark.read().parquet(data + "/product_events").count();
    } else {
      GenerationSummary summary = SampleDataGenerator.run(spark, g);
      EventsByDate.rewrite(spark, g);
      events = summary.rowsPerSource().get("product_events");
    }
    double generateSeconds = seconds(t);

    // Night 1: the extract's last day of events is not there yet.
    LocalDate firstNight = cutoff.minusDays(1);
    Path lastDay = new Path(data + "/product_events/" + EventsByDate.DATE_COLUMN + "=" + firstNight);
    Path held = new Path(data + "/_held_" + EventsByDate.DATE_COLUMN + "=" + firstNight);
    delete(new Path(warehouseDir));
    rename(lastDay, held);
    long shuffle0 = shuffleBytes.get();
    t = System.nanoTime();
    try {
      new NightlyJob(spark, config, firstNight, firstNight).run();
    } finally {
      rename(held, lastDay);
    }
    double firstSeconds = seconds(t);
    long shuffleFirst = shuffleBytes.get() - shuffle0;
    Map<String, Double> firstStages = stages(config, firstNight);

    // Night 2: one more day of events.
    shuffle0 = shuffleBytes.get();
    t = System.nanoTime();
    new NightlyJob(spark, config, cutoff, cutoff).run();
    double nextSeconds = seconds(t);
    long shuffleNext = shuffleBytes.get() - shuffle0;
    Map<String, Double> nextStages = stages(config, cutoff);
    Warehouse w = new Warehouse(spark, warehouseDir);
    ModelVsTruth model = ModelVsTruth.measure(spark, data, w, cutoff);
    PersonaRecovery segments = PersonaRecovery.measure(spark, data, w, cutoff);
    HealthVsTruth health = HealthVsTruth.measure(spark, data, w, cutoff);

    // The usage indicator stage alone over the whole history, from the roll-ups, nothing stored.
    Dataset<Row> accountsTable = spark.read().parquet(data + "/crm_accounts")
        .select(col("Id").as("account_id"), to_date(col("CreatedDate"), "MM/dd/yyyy").as("signup_date"));
    List<String> intent = config.indicators().intentFeatures();
    Dataset<Row> spine = accountsTable.select(col("account_id"), lit(java.sql.Date.valueOf(cutoff)).as("as_of_date"));
    t = System.nanoTime();
    Dataset<Row> full = UsageIndicators.compute(spine, List.of(cutoff),
        w.readAll(UsageRollupStage.FEATURE_DAYS, UsageRollup.FEATURE_DAYS_SCHEMA),
        w.readAll(UsageRollupStage.USER_DAYS, UsageRollup.USER_DAYS_SCHEMA), accountsTable, config.indicators(),
        Optional.empty());
    full.write().format("noop").mode("overwrite").save();
    double fullSeconds = seconds(t);

    // DuckDB over the same files, then the values compared account by account.
    String duckOut = options.folder("duckdb", accounts) + ".parquet";
    new File(duckOut).delete();
    double duckSeconds = DuckDbPeer.usageIndicators(new File(data + "/product_events").getAbsolutePath(), cutoff,
        intent, config.indicators().errorFeatures(), config.indicators().keyFeatures(),
        new File(duckOut).getAbsolutePath());
    Dataset<Row> ours = w.read("customer_features", cutoff);
    Dataset<Row> theirs = spark.read().parquet(duckOut);
    Row agreement = ours.join(theirs, "account_id").agg(count(lit(1)), count(when(
        ours.col("events_28d").equalTo(theirs.col("events_28d").cast("double"))
            .and(ours.col("active_users_28d").equalTo(theirs.col("active_users_28d")))
            .and(ours.col("active_days_28d").equalTo(theirs.col("active_days_28d")))
            .and(ours.col("features_used_28d").equalTo(theirs.col("features_used_28d")))
            .and(ours.col("lost_users_28d").equalTo(theirs.col("lost_users_28d")))
            .and(abs(ours.col("devices_per_user_28d").minus(theirs.col("devices_per_user_28d"))).lt(1e-9))
            .and(ours.col("days_since_last_activity").eqNullSafe(theirs.col("days_since_last_activity")))
            .and(abs(ours.col("intent_events_28d").minus(theirs.col("intent_events_28d"))).lt(1e-9)), 1))).first();
    return new Rung(accounts, events, generateSeconds, firstStages, firstSeconds, nextStages, nextSeconds, fullSeconds,
        duckSeconds, agreement.getLong(1), agreement.getLong(0), heap.stop(), shuffleFirst, shuffleNext, model,
        segments, health);
  }

  /** Seconds per stage of a run, from its manifest ("stage/subject" → seconds; validate counted once). */
  private Map<String, Double> stages(ChurnConfig config, LocalDate runDate) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Row r : new Warehouse(spark, config.warehouse()).read("run_manifest", runDate).collectAsList()) {
      String stage = r.getString(0);
      String key = stage.equals("validate") ? "validate" : stage + "/" + r.getString(1);
      out.put(key, r.getDouble(5));
    }
    return out;
  }

  private void rename(Path from, Path to) {
    try {
      FileSystem fs = from.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (fs.exists(from) && !fs.rename(from, to)) {
        throw new IllegalStateException("Cannot move " + from + " to " + to);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void delete(Path p) {
    try {
      p.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(p, true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double seconds(long nanos) {
    return (System.nanoTime() - nanos) / 1e9;
  }

  static String gb(long bytes) {
    return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
  }
}
