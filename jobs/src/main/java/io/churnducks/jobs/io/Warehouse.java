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
 * The warehouse: one Delta Lake table (Parquet files plus a transaction log) per folder under a
 * root (a local path or any Hadoop URI), partitioned by {@code run_date}. Writing a run date
 * replaces exactly that partition in one commit: a reader sees the old rows or the new ones, never
 * half, a failed write leaves the old ones, a rerun of the same date is idempotent and other dates
 * are untouched. Every write is checked against the table's declared schema first. Earlier versions
 * are kept for time travel until {@link #vacuum} removes the files older than the retention.
 * A table left as plain Parquet partitions by an older release is converted in place on its next
 * write and read as Parquet until then.
 */
public final class Warehouse {

  private final java.util.Set<String> written = new java.util.LinkedHashSet<>();
  /** Each table's version before this instance first wrote it: -1 when it did not exist, -2 when not Delta. */
  private final java.util.Map<String, Long> versionsBefore = new java.util.LinkedHashMap<>();
  private java.util.function.Consumer<String> afterWrite = table -> { };

  public static final String RUN_DATE = "run_date";

  private static final String DELTA = "delta";
  private static final String LOG_DIR = "_delta_log";

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

  /**
   * Writes {@code rows} (in {@code schema}) as the {@code runDate} partition of {@code table},
   * replacing that partition as a whole in one commit: an empty frame leaves the date without rows
   * instead of yesterday's, and other dates are never touched.
   */
  public void write(String table, Dataset<Row> rows, StructType schema, LocalDate runDate) {
    checkSchema(table, rows.schema(), schema);
    Column[] cols = Arrays.copyOf(documented(schema), schema.fields().length + 1);
    cols[cols.length - 1] = lit(java.sql.Date.valueOf(runDate)).as(RUN_DATE);
    replaceWhere(table, rows.select(cols), RUN_DATE, RUN_DATE + " = " + dateLiteral(runDate));
    written.add(table);
    afterWrite.accept(table);
  }

  /**
   * Runs {@code hook} with the table's name after each write to it has committed. Tests use it to
   * stop a run between two writes, as a crash would.
   */
  public void afterEachWrite(java.util.function.Consumer<String> hook) {
    this.afterWrite = hook;
  }

  /**
   * Replaces the rows of {@code table} matching {@code predicate} (on its partition column) with
   * {@code rows} in one Delta commit; rows outside the predicate fail the write. New columns of a
   * declared schema are added to the table.
   */
  private void replaceWhere(String table, Dataset<Row> rows, String partitionColumn, String predicate) {
    beforeWrite(table);
    convertLegacy(table, rows.schema(), partitionColumn);
    rows.write().format(DELTA).mode(SaveMode.Overwrite).partitionBy(partitionColumn)
        .option("replaceWhere", predicate).option("mergeSchema", "true").save(tablePath(table));
  }

  private static String dateLiteral(LocalDate d) {
    return "DATE'" + d + "'";
  }

  /** Whether the table's folder holds a Delta transaction log. */
  public boolean isDelta(String table) {
    try {
      Path log = new Path(tablePath(table), LOG_DIR);
      return log.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(log);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot look up table " + table, e);
    }
  }

  /**
   * Turns a table an older release left as plain Parquet partitions into a Delta table in place
   * (its files stay where they are; a log is written beside them).
   */
  private void convertLegacy(String table, StructType schema, String partitionColumn) {
    if (!exists(table) || isDelta(table)) {
      return;
    }
    String type = partitionColumn == null ? null : schema.apply(partitionColumn).dataType().sql();
    String identifier = "parquet.`" + tablePath(table).replace("`", "``") + "`";
    if (type == null) {
      io.delta.tables.DeltaTable.convertToDelta(spark, identifier);
    } else {
      io.delta.tables.DeltaTable.convertToDelta(spark, identifier, partitionColumn + " " + type);
    }
  }

  /** The tables this instance wrote a run-date partition of, in the order first written. */
  public List<String> written() {
    return List.copyOf(written);
  }

  /**
   * Writes a small, already ordered frame as one CSV file {@code exports/<table>/run_date=D/<table>.csv}
   * (on any file system Hadoop can reach; RFC 4180 quoting) and returns its path.
   */
  public String exportCsv(String table, Dataset<Row> rows, LocalDate runDate) {
    String dir = root + "/exports/" + table + "/" + RUN_DATE + "=" + runDate;
    String tmp = dir + ".tmp";
    rows.coalesce(1).write().mode(SaveMode.Overwrite).option("header", "true").options(SourceReader.CSV_DIALECT)
        .csv(tmp);
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
   * {@code partitionColumn} (the last column of {@code schema}) with {@code rows} in one commit: a
   * date without rows is left empty, and other dates are never touched. Rows dated outside
   * {@code dates} are a programming error and fail the write.
   */
  public void replacePartitions(String table, Dataset<Row> rows, StructType schema, String partitionColumn,
      java.util.Collection<LocalDate> dates) {
    checkSchema(table, rows.schema(), schema);
    StructField last = schema.fields()[schema.fields().length - 1];
    if (!last.name().equals(partitionColumn)) {
      throw new IllegalArgumentException("Cannot write " + table + ": partition column " + partitionColumn
          + " must be the last column of its schema");
    }
    // One file per date rather than one per task and date: a history run writes hundreds of dates.
    Dataset<Row> out = rows.select(documented(schema)).repartition(col(partitionColumn));
    if (dates.isEmpty()) {
      beforeWrite(table);
      convertLegacy(table, schema, partitionColumn);
      out.write().format(DELTA).mode(SaveMode.Append).partitionBy(partitionColumn).option("mergeSchema", "true")
          .save(tablePath(table));
      afterWrite.accept(table);
      return;
    }
    String in = dates.stream().distinct().sorted().map(Warehouse::dateLiteral)
        .collect(java.util.stream.Collectors.joining(", "));
    replaceWhere(table, out, partitionColumn, partitionColumn + " IN (" + in + ")");
    afterWrite.accept(table);
  }

  /**
   * Replaces the {@code dates} partitions of a bookkeeping table (under {@code _state}) with
   * {@code rows}: plain Parquet (one file per date when several are written), no transaction log,
   * so a night's write costs one Spark job instead of a Delta commit's log reads and writes. A
   * crash can leave a date half written: a reader trusts a date only once the writer's own log
   * lists it (written after the data, see {@link #overwriteState}). Other dates are never touched;
   * a date without rows is left empty. A table an older release kept as Delta is dropped first
   * (its log goes with it).
   */
  public void replaceStatePartitions(String name, Dataset<Row> rows, StructType schema, String partitionColumn,
      java.util.Collection<LocalDate> dates) {
    checkSchema(name, rows.schema(), schema);
    dropLegacyDelta(name);
    for (LocalDate d : dates) {
      drop(name + "/" + partitionColumn + "=" + d);
    }
    // Several dates (a history run writes hundreds) are shuffled to one file per date; one date (a
    // night's) is written by the tasks that compute it, without a shuffle.
    Dataset<Row> out = rows.select(documented(schema));
    (dates.size() == 1 ? out : out.repartition(col(partitionColumn))).write().mode(SaveMode.Append)
        .partitionBy(partitionColumn).parquet(tablePath(name));
  }

  /**
   * Rewrites a small bookkeeping table (under {@code _state}) whole, as one plain Parquet file. Not
   * atomic: a crash while it is written loses the table, which must therefore only ever vouch for
   * data (a missing entry means "not there", never "there"). A table an older release kept as Delta
   * is dropped first.
   */
  public void overwriteState(String name, Dataset<Row> rows, StructType schema) {
    checkSchema(name, rows.schema(), schema);
    dropLegacyDelta(name);
    rows.select(documented(schema)).coalesce(1).write().mode(SaveMode.Overwrite).parquet(tablePath(name));
  }

  private void dropLegacyDelta(String name) {
    if (exists(name) && isDelta(name)) {
      drop(name);
    }
  }

  /**
   * Replaces the rows of a date-partitioned table whose partition column is null with {@code rows}
   * (all undated).
   */
  public void replaceNullPartition(String table, Dataset<Row> rows, StructType schema, String partitionColumn) {
    checkSchema(table, rows.schema(), schema);
    replaceWhere(table, rows.select(documented(schema)), partitionColumn, partitionColumn + " IS NULL");
    afterWrite.accept(table);
  }

  /** A whole table, or an empty frame in {@code schema} when it has never been written. */
  public Dataset<Row> readAll(String table, StructType schema) {
    if (!exists(table)) {
      return spark.createDataFrame(java.util.List.of(), schema);
    }
    if (!isDelta(table)) {
      return spark.read().schema(schema).parquet(tablePath(table));
    }
    return spark.read().format(DELTA).load(tablePath(table))
        .select(Arrays.stream(schema.fieldNames()).map(n -> col(n)).toArray(Column[]::new));
  }

  /**
   * Writes {@code rows} to a scratch folder under the warehouse and returns them read back: a
   * frame several writers consume is computed once, on disk, whatever its size.
   */
  public Dataset<Row> stage(String name, Dataset<Row> rows) {
    rows.write().mode(SaveMode.Overwrite).parquet(tablePath(name));
    return spark.read().parquet(tablePath(name));
  }

  /** Names of the folders directly under a folder of the warehouse, sorted (none when it does not exist). */
  public List<String> folders(String folder) {
    try {
      Path p = new Path(tablePath(folder));
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        return List.of();
      }
      return Arrays.stream(fs.listStatus(p)).filter(FileStatus::isDirectory).map(s -> s.getPath().getName())
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + folder, e);
    }
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
            || c.getPath().getName().equals(LOG_DIR) || c.isDirectory() && c.getPath().getName().contains("=") || c.getPath().getName().endsWith(".parquet"));
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

  /**
   * Every Delta table under the root by its path relative to it: the tables of {@link #tables()}
   * and any bookkeeping table under {@code _state} kept as Delta ({@link #overwriteSmall}).
   */
  public List<String> deltaTables() {
    List<String> out = new java.util.ArrayList<>();
    try {
      Path rootPath = new Path(root);
      FileSystem fs = rootPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (fs.exists(rootPath)) {
        collectDelta(fs, rootPath, "", 3, out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the tables of " + root, e);
    }
    java.util.Collections.sort(out);
    return out;
  }

  private static void collectDelta(FileSystem fs, Path dir, String prefix, int depth, List<String> out)
      throws IOException {
    for (FileStatus f : fs.listStatus(dir)) {
      String name = f.getPath().getName();
      if (!f.isDirectory() || name.contains("=") || name.equals(LOG_DIR)) {
        continue;
      }
      if (fs.exists(new Path(f.getPath(), LOG_DIR))) {
        out.add(prefix + name);
      } else if (depth > 1) {
        collectDelta(fs, f.getPath(), prefix + name + "/", depth - 1, out);
      }
    }
  }

  /**
   * The run dates a table holds rows for, in order (none when it was never written), read from the
   * current version's file list: no data is scanned.
   */
  public List<LocalDate> runDates(String table) {
    if (!exists(table)) {
      return List.of();
    }
    java.util.regex.Pattern partition = java.util.regex.Pattern.compile("/" + RUN_DATE + "=(\\d{4}-\\d{2}-\\d{2})/");
    return Arrays.stream(readAll(table).inputFiles()).map(partition::matcher).filter(java.util.regex.Matcher::find)
        .map(m -> LocalDate.parse(m.group(1))).distinct().sorted().toList();
  }

  /**
   * The Parquet files holding one run date of a table in its current version, for engines that
   * read Parquet but not the Delta log (the DuckDB cross-checks).
   */
  public List<String> files(String table, LocalDate runDate) {
    String marker = "/" + RUN_DATE + "=" + runDate + "/";
    return Arrays.stream(readAll(table).inputFiles()).filter(f -> f.contains(marker)).sorted().toList();
  }

  /** Every run date (or partition) of a table, as written. */
  public Dataset<Row> readAll(String table) {
    return isDelta(table) ? spark.read().format(DELTA).load(tablePath(table)) : spark.read().parquet(tablePath(table));
  }

  /** One earlier version of a table (time travel), as committed then. */
  public Dataset<Row> readVersion(String table, long version) {
    return spark.read().format(DELTA).option("versionAsOf", version).load(tablePath(table));
  }

  /**
   * The table's current Delta version (0 after its first write; -1 when it does not exist, -2 when
   * it is not a Delta table), from the names of its log's commit files: nothing is read.
   */
  public long version(String table) {
    if (!exists(table)) {
      return -1;
    }
    try {
      Path log = new Path(tablePath(table), LOG_DIR);
      FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(log)) {
        return -2;
      }
      return Arrays.stream(fs.listStatus(log)).map(f -> f.getPath().getName()).filter(n -> n.matches("\\d{20}\\.json"))
          .mapToLong(n -> Long.parseLong(n.substring(0, 20))).max().orElse(-1);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the log of table " + table, e);
    }
  }

  private void beforeWrite(String table) {
    versionsBefore.computeIfAbsent(table, this::version);
  }

  /**
   * Undoes what this instance wrote, except to the {@code kept} tables: each table goes back to
   * the version it had before (a new commit, so the undone version stays in its history for
   * audits), and a table this instance created is removed. A failed run calls this so that readers
   * see the previous good run's rows in every table, never some of tonight's beside some of
   * yesterday's. Returns the tables restored or removed.
   */
  public List<String> rollBack(java.util.Collection<String> kept) {
    List<String> undone = new java.util.ArrayList<>();
    List<String> tables = new java.util.ArrayList<>(versionsBefore.keySet());
    java.util.Collections.reverse(tables);
    for (String t : tables) {
      long before = versionsBefore.get(t);
      if (kept.contains(t) || before == -2) {
        continue;
      }
      if (before == -1) {
        drop(t);
        undone.add(t);
      } else if (version(t) > before) {
        io.delta.tables.DeltaTable.forPath(spark, tablePath(t)).restoreToVersion(before);
        undone.add(t);
      }
    }
    versionsBefore.clear();
    written.clear();
    return undone;
  }

  /**
   * Removes the files of a Delta table that no version younger than {@code retentionHours} needs:
   * versions older than that can no longer be read by time travel.
   */
  public void vacuum(String table, double retentionHours) {
    if (!isDelta(table)) {
      return;
    }
    // Delta refuses less than a week unless told that no writer runs beside the vacuum: the
    // warehouse has one writer (the job), and vacuum runs between its runs.
    String check = "spark.databricks.delta.retentionDurationCheck.enabled";
    // Vacuum lists the table's folders in as many tasks as this says (Spark's default, 10,000, is
    // meant for listing a whole lake): a few per core suffice for one table.
    String listing = "spark.sql.sources.parallelPartitionDiscovery.parallelism";
    String wasCheck = spark.conf().get(check, "true");
    String wasListing = spark.conf().get(listing, "10000");
    spark.conf().set(check, String.valueOf(retentionHours >= SAFE_RETENTION_HOURS));
    spark.conf().set(listing, String.valueOf(Math.max(2, 4 * spark.sparkContext().defaultParallelism())));
    try {
      io.delta.tables.DeltaTable.forPath(spark, tablePath(table)).vacuum(retentionHours);
    } finally {
      spark.conf().set(check, wasCheck);
      spark.conf().set(listing, wasListing);
    }
  }

  /** Delta's own lower bound for a vacuum's retention when other writers may be running: a week. */
  public static final double SAFE_RETENTION_HOURS = 168;

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
   * Overwrites a small, unpartitioned table as a whole (bookkeeping such as the roll-up log) in
   * one commit, so a reader never sees it half-written.
   */
  public void overwriteSmall(String table, Dataset<Row> rows, StructType schema) {
    checkSchema(table, rows.schema(), schema);
    beforeWrite(table);
    if (exists(table) && !isDelta(table)) {
      drop(table);
    }
    rows.select(documented(schema)).coalesce(1).write().format(DELTA).mode(SaveMode.Overwrite)
        .option("overwriteSchema", "true").save(tablePath(table));
    afterWrite.accept(table);
  }

  /** One run date of a table. */
  public Dataset<Row> read(String table, LocalDate runDate) {
    return readAll(table).where(col(RUN_DATE).equalTo(lit(java.sql.Date.valueOf(runDate))));
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
