package io.churnducks.jobs.generate;

import io.churnducks.jobs.io.SourceReader;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

/**
 * Lays the generated {@code product_events} out by event date
 * ({@code product_events/event_date=YYYY-MM-DD/}), the way event pipelines usually land them, so
 * a nightly run reads only the folders it needs. A row whose timestamp is not a valid epoch-millis
 * value (an injected violation) goes to the last day before the cutoff, where the run finds and
 * quarantines it.
 */
public final class EventsByDate {

  private EventsByDate() {}

  /** The partition column of the event folders ({@code event_date=YYYY-MM-DD}). */
  public static final String DATE_COLUMN = "event_date";

  public static void rewrite(SparkSession spark, GeneratorOptions options) {
    String dir = SampleDataGenerator.path(options, SampleSource.PRODUCT_EVENTS.directory());
    String tmp = dir + ".by_date";
    Dataset<Row> events = options.format().equals("csv")
        ? spark.read().option("header", "true").options(SourceReader.CSV_DIALECT).csv(dir)
        : spark.read().parquet(dir);
    Column day = expr("to_date(timestamp_millis(try_cast(timestamp AS BIGINT)))");
    Column folder = coalesce(day, lit(java.sql.Date.valueOf(options.cutoff().minusDays(1))));
    DataFrameWriter<Row> w = events.withColumn(DATE_COLUMN, folder).repartition(col(DATE_COLUMN))
        .write().mode(SaveMode.Overwrite).partitionBy(DATE_COLUMN).format(options.format());
    if (options.format().equals("csv")) {
      w = w.option("header", "true").options(SourceReader.CSV_DIALECT);
    }
    w.save(tmp);
    try {
      Path target = new Path(dir);
      FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
      fs.delete(target, true);
      if (!fs.rename(new Path(tmp), target)) {
        throw new IllegalStateException("Cannot lay out " + dir + " by date: cannot move " + tmp + " into place");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot lay out " + dir + " by date", e);
    }
  }
}
