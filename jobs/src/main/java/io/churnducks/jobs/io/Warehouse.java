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
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * The warehouse: one Parquet folder per table under a root (a local path or any Hadoop URI),
 * partitioned by {@code run_date}. Writing a run date replaces exactly that partition's folder, so
 * a rerun of the same date is idempotent and other dates are untouched. Every write is checked
 * against the table's declared schema first.
 */
public final class Warehouse {

  private final java.util.Set<String> written = new java.util.LinkedHashSet<>();

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
    Column[] cols = documented(schema);
    rows.select(cols).write().mode(SaveMode.Overwrite).parquet(partitionPath(table, runDate));
    written.add(table);
  }

  /** The tables this instance wrote a run-date partition of, in the order first written. */
  public List<String> written() {
    return List.copyOf(written);
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

  /**
   * Replaces the {@code dates} partitions of a table partitioned by the date column
   * {@code partitionColumn} (the last column of {@code schema}) with {@code rows}: the old folders
   * of those dates are removed first, so a date without rows is left empty, and other dates are
   * never touched. Rows dated outside {@code dates} are a programming error and fail the write.
   */
  public void replacePartitions(String table, Dataset<Row> rows, StructType schema, String partitionColumn,
      java.util.Collection<LocalDate> dates) {
    checkSchema(table, rows.schema(), schema);
    StructField last = schema.fields()[schema.fields().length - 1];
    if (!last.name().equals(partitionColumn)) {
      throw new IllegalArgumentException("Cannot write " + table + ": partition column " + partitionColumn
          + " must be the last column of its schema");
    }
    try {
      Path tablePath = new Path(tablePath(table));
      FileSystem fs = tablePath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      for (LocalDate d : dates) {
        fs.delete(new Path(tablePath, partitionColumn + "=" + d), true);
      }
      Column[] cols = documented(schema);
      // One file per date rather than one per task and date: a history run writes hundreds of dates.
      rows.select(cols).repartition(col(partitionColumn)).write().mode(SaveMode.Append).partitionBy(partitionColumn)
          .parquet(tablePath.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot replace partitions of " + table, e);
    }
  }

  /**
   * Replaces the null partition ({@code <column>=__HIVE_DEFAULT_PARTITION__}) of a date-partitioned
   * table with {@code rows}, whose partition column is null.
   */
  public void replaceNullPartition(String table, Dataset<Row> rows, StructType schema, String partitionColumn) {
    checkSchema(table, rows.schema(), schema);
    try {
      Path tablePath = new Path(tablePath(table));
      FileSystem fs = tablePath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      fs.delete(new Path(tablePath, partitionColumn + "=__HIVE_DEFAULT_PARTITION__"), true);
      Column[] cols = documented(schema);
      rows.select(cols).write().mode(SaveMode.Append).partitionBy(partitionColumn).parquet(tablePath.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot replace the undated partition of " + table, e);
    }
  }

  /** A whole table, or an empty frame in {@code schema} when it has never been written. */
  public Dataset<Row> readAll(String table, StructType schema) {
    if (!exists(table)) {
      return spark.createDataFrame(java.util.List.of(), schema);
    }
    return spark.read().schema(schema).parquet(tablePath(table));
  }

  /**
   * Writes {@code rows} to a scratch folder under the warehouse and returns them read back: a
   * frame several writers consume is computed once, on disk, whatever its size.
   */
  public Dataset<Row> stage(String name, Dataset<Row> rows) {
    rows.write().mode(SaveMode.Overwrite).parquet(tablePath(name));
    return spark.read().parquet(tablePath(name));
  }

  /** Removes a scratch folder or table. */
  public void drop(String name) {
    try {
      Path p = new Path(tablePath(name));
      p.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(p, true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot remove " + name, e);
    }
  }

  /**
   * The tables of the warehouse by name: every folder under the root holding Parquet data (a
   * finished write or run-date / event-date partitions). Folders starting with {@code _} hold
   * models and bookkeeping, {@code exports} holds CSV files and {@code reports} the morning reports:
   * none is a table.
   */
  public List<String> tables() {
    try {
      Path rootPath = new Path(root);
      FileSystem fs = rootPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(rootPath)) {
        return List.of();
      }
      List<String> out = new java.util.ArrayList<>();
      for (FileStatus f : fs.listStatus(rootPath)) {
        String name = f.getPath().getName();
        if (!f.isDirectory() || !name.matches("[a-z][a-z0-9_]*") || name.equals("exports")
            || name.equals("reports")) {
          continue;
        }
        boolean data = Arrays.stream(fs.listStatus(f.getPath())).anyMatch(c -> c.getPath().getName().equals("_SUCCESS")
            || c.isDirectory() && c.getPath().getName().contains("=") || c.getPath().getName().endsWith(".parquet"));
        if (data) {
          out.add(name);
        }
      }
      java.util.Collections.sort(out);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the tables of " + root, e);
    }
  }

  /** The run dates a table holds, in order (none when it was never written). */
  public List<LocalDate> runDates(String table) {
    try {
      Path p = new Path(tablePath(table));
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        return List.of();
      }
      return Arrays.stream(fs.listStatus(p)).map(f -> f.getPath().getName()).filter(n -> n.startsWith(RUN_DATE + "="))
          .map(n -> LocalDate.parse(n.substring(RUN_DATE.length() + 1))).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the run dates of " + table, e);
    }
  }

  /** Every run date (or partition) of a table, as written. */
  public Dataset<Row> readAll(String table) {
    return spark.read().parquet(tablePath(table));
  }

  /** Whether a table has been written. */
  public boolean exists(String table) {
    try {
      Path p = new Path(tablePath(table));
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot look up table " + table, e);
    }
  }

  /**
   * Overwrites a small, unpartitioned table as a whole (bookkeeping such as the roll-up log),
   * through a temporary folder renamed into place, so a reader never sees it half-written.
   */
  public void overwriteSmall(String table, Dataset<Row> rows, StructType schema) {
    checkSchema(table, rows.schema(), schema);
    String tmp = tablePath(table) + ".tmp";
    Column[] cols = documented(schema);
    rows.select(cols).coalesce(1).write().mode(SaveMode.Overwrite).parquet(tmp);
    try {
      Path target = new Path(tablePath(table));
      FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
      fs.delete(target, true);
      if (!fs.rename(new Path(tmp), target)) {
        throw new IllegalStateException("Cannot write " + table + ": cannot move " + tmp + " into place");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + table, e);
    }
  }

  /** One run date of a table. */
  public Dataset<Row> read(String table, LocalDate runDate) {
    return spark.read().parquet(tablePath(table)).where(col(RUN_DATE).equalTo(lit(java.sql.Date.valueOf(runDate))));
  }

  /** The schema's columns in order, each carrying its description. */
  private static Column[] documented(StructType schema) {
    return Arrays.stream(schema.fields()).map(f -> col(f.name()).as(f.name(), f.metadata())).toArray(Column[]::new);
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
