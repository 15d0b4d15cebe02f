package io.churnducks.jobs.nightly;

import io.churnducks.features.validation.ContractException;
import io.churnducks.jobs.io.Warehouse;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.time.LocalDate;

/**
 * What one stage of a night hands the next, kept per run date under
 * {@code <warehouse>/_state/run/<name>/run_date=D} (Parquet): the clean source tables after
 * validation, the accounts it rejected, the key features and the labelled training examples. A
 * stage rerun alone reads them from here, as the whole night does.
 */
final class RunState {

  private final SparkSession spark;
  private final Warehouse warehouse;
  private final LocalDate runDate;

  RunState(SparkSession spark, Warehouse warehouse, LocalDate runDate) {
    this.spark = spark;
    this.warehouse = warehouse;
    this.runDate = runDate;
  }

  private String path(String name) {
    return warehouse.tablePath("_state/run/" + name) + "/" + Warehouse.RUN_DATE + "=" + runDate;
  }

  /** Replaces the run date's {@code name}. */
  void write(String name, Dataset<Row> rows) {
    rows.write().mode(SaveMode.Overwrite).parquet(path(name));
  }

  /**
   * The run date's {@code name}, written by {@code stage}; a clear error naming the stage to run
   * when it is missing.
   */
  Dataset<Row> read(String name, String stage) {
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path(name));
      if (!p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p)) {
        throw new ContractException("Cannot run the stage for " + runDate + ": the " + stage + " stage has not run "
            + "for it (" + name + " missing; run `churn " + stage + " --run-date " + runDate + "` first)");
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot read " + path(name), e);
    }
    return spark.read().parquet(path(name));
  }
}
