package io.churnducks.jobs.generate;

import io.churnducks.jobs.io.SourceReader;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

/**
 * Writes sample sources of a fictional SaaS company with hidden ground truth, for demos,
 * tests and benchmarks.
 *
 * <p>Each account is simulated independently from its own random streams (seeded from the seed
 * and the account index) inside a Spark job distributed over the account range, so the output
 * does not depend on partitioning and scales to millions of accounts; only per-source counts
 * reach the driver. Each source and truth table is one pass over the accounts that re-simulates
 * the cheap lifecycle and renders just that table.
 *
 * <p>Under the output directory: {@code crm_accounts/}, {@code billing_subscriptions/},
 * {@code billing_invoices/}, {@code product_events/}, {@code support_tickets/},
 * {@code nps_responses/} (CSV with header or Parquet, all columns strings, data strictly before
 * the cutoff) and {@code truth/} (Parquet: {@code accounts}, {@code churn_probabilities},
 * {@code drivers}, {@code noise_fields}, {@code quarantine_expected}, {@code parameters}), all
 * overwritten on a rerun.
 */
public final class SampleDataGenerator {

  /** Accounts per Spark partition; bounds a partition to a few million events. */
  static final int ACCOUNTS_PER_PARTITION = 2_500;

  private static final String RULE_COLUMN = "_injected_rule";
  private static final String ROWS_METRIC = "_rows";

  private SampleDataGenerator() {}

  /** Generates the sources and truth described by {@code options}; see the class comment. */
  public static GenerationSummary run(SparkSession spark, GeneratorOptions options) {
    int partitions = Math.max(spark.sparkContext().defaultParallelism(),
        (int) Math.ceil(options.accounts() / (double) ACCOUNTS_PER_PARTITION));
    return run(spark, options, partitions);
  }

  /** As {@link #run(SparkSession, GeneratorOptions)}, over {@code partitions} partitions. */
  static GenerationSummary run(SparkSession spark, GeneratorOptions options, int partitions) {
    Dataset<Long> accounts = spark.range(0, options.accounts(), 1, partitions);
    Map<String, Long> rowsPerSource = new LinkedHashMap<>();
    Map<String, Long> injectedPerRule = new LinkedHashMap<>();
    List<Row> expected = new ArrayList<>();
    for (SampleSource source : SampleSource.values()) {
      Map<String, Long> counts = writeSource(accounts, source, options);
      rowsPerSource.put(source.directory(), counts.get(ROWS_METRIC));
      for (String rule : source.injectedRules()) {
        injectedPerRule.put(source.directory() + "/" + rule, counts.get(rule));
        expected.add(RowFactory.create(source.canonicalTable(), rule, source.action(rule), counts.get(rule)));
      }
    }
    writeTruthAccounts(accounts, options);
    writeChurnProbabilities(accounts, options);
    writeDrivers(accounts, options);
    write(spark.createDataFrame(noiseFields(), TruthSchemas.NOISE_FIELDS), "parquet",
        truthPath(options, TruthSchemas.NOISE_FIELDS_TABLE));
    write(spark.createDataFrame(expected, TruthSchemas.QUARANTINE_EXPECTED), "parquet",
        truthPath(options, TruthSchemas.QUARANTINE_EXPECTED_TABLE));
    writeParameters(spark, options);
    return new GenerationSummary(options.cutoff(), rowsPerSource, injectedPerRule);
  }

  /** Writes one source; returns its row count and its injected rows per rule. */
  private static Map<String, Long> writeSource(Dataset<Long> accounts, SampleSource source,
      GeneratorOptions options) {
    StructType tagged = source.schema().add(RULE_COLUMN, DataTypes.StringType, true);
    Dataset<Row> rows = accounts.flatMap((FlatMapFunction<Long, Row>) index -> {
      AccountHistory h = AccountSimulator.simulate(options, index);
      return ContractViolations.withViolations(source, source.render(h, options), h, options)
          .iterator();
    }, Encoders.row(tagged));

    // The counts are observed while writing, so the accounts are simulated once per source.
    List<Column> metrics = new ArrayList<>();
    for (String rule : source.injectedRules()) {
      metrics.add(sum(when(col(RULE_COLUMN).equalTo(rule), 1L).otherwise(0L)).as(rule));
    }
    Observation observation = new Observation("generate_" + source.directory());
    Dataset<Row> observed = rows.observe(observation, count(lit(1)).as(ROWS_METRIC),
        metrics.toArray(new Column[0]));
    write(observed.drop(RULE_COLUMN), options.format(), path(options, source.directory()));

    Map<String, Object> values = awaitMetrics(observation, source);
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put(ROWS_METRIC, asLong(values.get(ROWS_METRIC)));
    for (String rule : source.injectedRules()) {
      counts.put(rule, asLong(values.get(rule)));
    }
    return counts;
  }

  private static void writeTruthAccounts(Dataset<Long> accounts, GeneratorOptions options) {
    Dataset<Row> rows = accounts.map((MapFunction<Long, Row>)
        index -> {
          AccountHistory h = AccountSimulator.simulate(options, index);
          return RowFactory.create(h.accountId, h.persona.id(), h.industry.name(),
              h.industry.hasEffect(), h.channel.id(), h.earlyKeyFeatureUses, h.earlyAdopter,
              h.paymentRisk, h.engagementSlope);
        }, Encoders.row(TruthSchemas.ACCOUNTS));
    write(rows, "parquet", truthPath(options, TruthSchemas.ACCOUNTS_TABLE));
  }

  private static void writeChurnProbabilities(Dataset<Long> accounts, GeneratorOptions options) {
    StructType days = new StructType()
        .add("account_id", DataTypes.StringType, false)
        .add("as_of_day", DataTypes.IntegerType, false)
        .add("true_churn_probability", DataTypes.DoubleType, false)
        .add("churned_within_horizon", DataTypes.BooleanType, false)
        .add("churn_day", DataTypes.IntegerType, true);
    Dataset<Row> rows = perAccount(accounts, options, days, h -> {
      List<Row> out = new ArrayList<>();
      for (ChurnTruth.Outcome t : ChurnTruth.outcomes(h, options)) {
        out.add(RowFactory.create(h.accountId, t.asOf(), t.probability(), t.churned(),
            t.churned() ? t.churnDay() : null));
      }
      return out;
    });
    Dataset<Row> truth = rows.select(
        col("account_id"),
        expr("date_from_unix_date(as_of_day)").as("as_of_date"),
        col("true_churn_probability"),
        col("churned_within_horizon"),
        expr("date_from_unix_date(churn_day)").as("churn_date"));
    write(truth, "parquet", truthPath(options, TruthSchemas.CHURN_PROBABILITIES_TABLE));
  }

  private static void writeDrivers(Dataset<Long> accounts, GeneratorOptions options) {
    StructType days = new StructType()
        .add("account_id", DataTypes.StringType, false)
        .add("episode", DataTypes.IntegerType, false)
        .add("driver", DataTypes.StringType, false)
        .add("onset_day", DataTypes.IntegerType, false)
        .add("end_day", DataTypes.IntegerType, true)
        .add("hazard_multiplier", DataTypes.DoubleType, false);
    Dataset<Row> rows = perAccount(accounts, options, days, h -> {
      List<Row> out = new ArrayList<>();
      for (Episode e : h.episodes) {
        for (Driver d : e.driversBeforeChurn()) {
          out.add(RowFactory.create(h.accountId, e.ordinal, d.kind().id(), d.onset(),
              d.end() == Driver.OPEN ? null : d.end(), d.kind().hazardMultiplier));
        }
      }
      return out;
    });
    Dataset<Row> truth = rows.select(
        col("account_id"),
        col("episode"),
        col("driver"),
        expr("date_from_unix_date(onset_day)").as("onset_date"),
        expr("date_from_unix_date(end_day)").as("end_date"),
        col("hazard_multiplier"));
    write(truth, "parquet", truthPath(options, TruthSchemas.DRIVERS_TABLE));
  }

  /** Rows of one account's truth, computed on the executors. */
  private interface TruthRows extends Serializable {
    List<Row> of(AccountHistory history);
  }

  /** Every account's truth rows of schema {@code schema}, re-simulating each account. */
  private static Dataset<Row> perAccount(Dataset<Long> accounts, GeneratorOptions options,
      StructType schema, TruthRows rows) {
    return accounts.flatMap((FlatMapFunction<Long, Row>) index ->
        rows.of(AccountSimulator.simulate(options, index)).iterator(), Encoders.row(schema));
  }

  /** The rows of {@code truth/noise_fields}. */
  private static List<Row> noiseFields() {
    String crm = SampleSource.CRM_ACCOUNTS.directory();
    List<Row> rows = new ArrayList<>(List.of(
        RowFactory.create(crm, "BillingCountry", null, "Drawn uniformly, never read again."),
        RowFactory.create(crm, "Owner_Name", null, "Drawn uniformly, never read again."),
        RowFactory.create(crm, "Name", null, "Drawn uniformly, never read again.")));
    for (SampleCatalog.Industry industry : SampleCatalog.INDUSTRIES) {
      if (!industry.hasEffect()) {
        rows.add(RowFactory.create(crm, "Industry", industry.name(),
            "Industry whose hazard multiplier is 1."));
      }
    }
    return rows;
  }

  private static void writeParameters(SparkSession spark, GeneratorOptions o) {
    Dataset<Row> row = spark.range(1).select(
        lit(o.seed()).as("seed"),
        lit(o.accounts()).as("accounts"),
        to_date(lit(o.start().toString())).as("start"),
        lit(o.months()).as("months"),
        to_date(lit(o.cutoff().toString())).as("cutoff"),
        lit(o.horizonDays()).as("horizon_days"),
        lit(o.graceDays()).as("grace_days"),
        lit(o.messy()).as("messy"),
        lit(o.format()).as("format"));
    write(row, "parquet", truthPath(o, TruthSchemas.PARAMETERS_TABLE));
  }

  private static void write(Dataset<Row> rows, String format, String path) {
    DataFrameWriter<Row> writer = rows.write().mode(SaveMode.Overwrite).format(format);
    if (format.equals("csv")) {
      writer = writer.option("header", "true").options(SourceReader.CSV_DIALECT);
    }
    writer.save(path);
  }

  private static Map<String, Object> awaitMetrics(Observation observation, SampleSource source) {
    try {
      return observation.getAsJava();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Cannot generate " + source.directory()
          + ": interrupted while counting its rows", e);
    }
  }

  private static long asLong(Object value) {
    return value == null ? 0L : ((Number) value).longValue();
  }

  /** Where a source or table is written: {@code outDir/name}. */
  static String path(GeneratorOptions options, String name) {
    String dir = options.outDir();
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }

  /** Where a truth table is written: {@code outDir/truth/name}. */
  static String truthPath(GeneratorOptions options, String table) {
    return path(options, TruthSchemas.DIR + "/" + table);
  }
}
