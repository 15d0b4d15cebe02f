package io.churnducks.jobs.io;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.Arrays;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * The warehouse: one Parquet folder per table under a root (a local path or any Hadoop URI),
 * partitioned by {@code run_date}. Writing a run date replaces exactly that partition's folder, so
 * a rerun of the same date is idempotent and other dates are untouched. Every write is checked
 * against the table's declared schema first.
 */
public final class Warehouse {

  public static final String RUN_DATE = "run_date";

  private final SparkSession spark;
  private final String root;

  public Warehouse(SparkSession spark, String root) {
    this.spark = spark;
    this.root = root;
  }

  public String root() {
    return root;
  }

  public String tablePath(String table) {
    return root.endsWith("/") ? root + table : root + "/" + table;
  }

  private String partitionPath(String table, LocalDate runDate) {
    return tablePath(table) + "/" + RUN_DATE + "=" + runDate;
  }

  /**
   * Writes {@code rows} (in {@code schema}) as the {@code runDate} partition of {@code table},
   * replacing that partition's folder as a whole: an empty frame leaves an empty (but readable)
   * partition instead of yesterday's rows, and other dates are never touched.
   */
  public void write(String table, Dataset<Row> rows, StructType schema, LocalDate runDate) {
    checkSchema(table, rows.schema(), schema);
    Column[] cols = Arrays.stream(schema.fields())
        .map(f -> col(f.name()).as(f.name(), f.metadata())).toArray(Column[]::new);
    rows.select(cols).write().mode(SaveMode.Overwrite).parquet(partitionPath(table, runDate));
  }

  /**
   * Writes a small, already ordered frame as one CSV file {@code exports/<table>/run_date=D/<table>.csv}
   * (on any file system Hadoop can reach) and returns its path.
   */
  public String exportCsv(String table, Dataset<Row> rows, LocalDate runDate) {
    String dir = root + "/exports/" + table + "/" + RUN_DATE + "=" + runDate;
    String tmp = dir + ".tmp";
    rows.coalesce(1).write().mode(SaveMode.Overwrite).option("header", "true").csv(tmp);
    try {
      Path tmpPath = new Path(tmp);
      FileSystem fs = tmpPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      FileStatus[] parts = fs.globStatus(new Path(tmpPath, "part-*.csv"));
      if (parts == null || parts.length != 1) {
        throw new IllegalStateException("Cannot export " + table + ": expected one CSV part in " + tmp);
      }
      Path out = new Path(dir, table + ".csv");
      fs.delete(new Path(dir), true);
      fs.mkdirs(new Path(dir));
      if (!fs.rename(parts[0].getPath(), out)) {
        throw new IllegalStateException("Cannot export " + table + ": cannot move the CSV to " + out);
      }
      fs.delete(tmpPath, true);
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot export " + table + " to " + dir, e);
    }
  }

  /** One run date of a table. */
  public Dataset<Row> read(String table, LocalDate runDate) {
    return spark.read().parquet(tablePath(table)).where(col(RUN_DATE).equalTo(lit(java.sql.Date.valueOf(runDate))));
  }

  /** Fails when the frame's columns differ from the declared schema in name, order or type. */
  static void checkSchema(String table, StructType actual, StructType declared) {
    String a = describe(actual);
    String d = describe(declared);
    if (!a.equals(d)) {
      throw new IllegalStateException("Cannot write " + table + ": columns " + a + " differ from the declared schema " + d);
    }
  }

  private static String describe(StructType s) {
    StringBuilder b = new StringBuilder("[");
    for (StructField f : s.fields()) {
      b.append(b.length() > 1 ? ", " : "").append(f.name()).append(' ').append(f.dataType().simpleString());
    }
    return b.append(']').toString();
  }
}
