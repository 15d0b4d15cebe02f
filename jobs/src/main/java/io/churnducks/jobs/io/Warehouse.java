package io.churnducks.jobs.io;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.File;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * The warehouse: one Parquet folder per table under a root, partitioned by {@code run_date}.
 * Writing a run date replaces exactly that partition (dynamic partition overwrite), so a rerun of
 * the same date is idempotent and other dates are untouched. Every write is checked against the
 * table's declared schema first.
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
    return Path.of(root, table).toString();
  }

  /** Writes {@code rows} (in {@code schema}) as the {@code runDate} partition of {@code table}. */
  public void write(String table, Dataset<Row> rows, StructType schema, LocalDate runDate) {
    checkSchema(table, rows.schema(), schema);
    Column[] cols = Arrays.stream(schema.fields())
        .map(f -> col(f.name()).as(f.name(), f.metadata())).toArray(Column[]::new);
    rows.select(cols)
        .withColumn(RUN_DATE, lit(java.sql.Date.valueOf(runDate)))
        .write()
        .mode(SaveMode.Overwrite)
        .option("partitionOverwriteMode", "dynamic")
        .partitionBy(RUN_DATE)
        .parquet(tablePath(table));
  }

  /** Writes a small, already ordered frame as one CSV file {@code exports/<table>/run_date=D/<table>.csv}. */
  public File exportCsv(String table, Dataset<Row> rows, LocalDate runDate) {
    File dir = Path.of(root, "exports", table, RUN_DATE + "=" + runDate).toFile();
    String tmp = dir.getPath() + ".tmp";
    rows.coalesce(1).write().mode(SaveMode.Overwrite).option("header", "true").csv(tmp);
    File part = Arrays.stream(new File(tmp).listFiles((d, n) -> n.startsWith("part-") && n.endsWith(".csv")))
        .findFirst().orElseThrow(() -> new IllegalStateException("Cannot export " + table + ": Spark wrote no CSV part"));
    deleteRecursively(dir);
    if (!dir.mkdirs()) {
      throw new IllegalStateException("Cannot export " + table + ": cannot create " + dir);
    }
    File out = new File(dir, table + ".csv");
    if (!part.renameTo(out)) {
      throw new IllegalStateException("Cannot export " + table + ": cannot move " + part + " to " + out);
    }
    deleteRecursively(new File(tmp));
    return out;
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

  private static void deleteRecursively(File f) {
    File[] children = f.listFiles();
    if (children != null) {
      for (File c : children) {
        deleteRecursively(c);
      }
    }
    f.delete();
  }
}
