package io.churnducks.features.testing;

import com.holdenkarau.spark.testing.JavaDataFrameSuiteBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;

/**
 * One SparkSession per test JVM ({@code local[2]}, two shuffle partitions, UTC), created lazily
 * through spark-testing-base and never stopped between classes. Test classes extend this and
 * build tiny frames from literal rows with {@link #frame}.
 */
public abstract class SparkTestBase {

  /** spark-testing-base's Java base is JUnit 4-annotated; it is wired here once for JUnit 5. */
  protected static final JavaDataFrameSuiteBase SUITE = new JavaDataFrameSuiteBase() {
    @Override
    public org.apache.spark.SparkConf conf() {
      org.apache.spark.SparkConf conf = super.conf();
      if (onClasspath("io.delta.sql.DeltaSparkSessionExtension")) {
        // The jobs' warehouse is made of Delta tables; features and models know nothing of them.
        conf.set("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .set("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            // as the jobs' SparkSessions does: a table's snapshot in as many tasks as cores
            .set("spark.databricks.delta.snapshotPartitions", "2");
      }
      return conf
          .setMaster("local[2]")
          .set("spark.sql.shuffle.partitions", "2")
          .set("spark.default.parallelism", "2")
          .set("spark.sql.session.timeZone", "UTC")
          .set("spark.sql.legacy.timeParserPolicy", "CORRECTED")
          .set("spark.sql.ansi.enabled", "false")
          .set("spark.ui.enabled", "false")
          .set("spark.sql.adaptive.enabled", "false")
          // Tiny frames: interpreting expressions is cheaper than compiling code for every query.
          .set("spark.sql.codegen.wholeStage", "false")
          .set("spark.sql.codegen.factoryMode", "NO_CODEGEN");
    }
  };

  private static boolean onClasspath(String className) {
    try {
      Class.forName(className, false, SparkTestBase.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static volatile boolean started;

  @BeforeAll
  static void startSpark() {
    synchronized (SparkTestBase.class) {
      if (!started) {
        SUITE.runBefore();
        started = true;
      }
    }
  }

  protected static SparkSession spark() {
    return SUITE.spark();
  }

  /** A frame from literal rows in the given schema. */
  protected static Dataset<Row> frame(StructType schema, Object[]... rows) {
    List<Row> list = Arrays.stream(rows).map(RowFactory::create).toList();
    return spark().createDataFrame(list, schema);
  }

  protected static Date d(String iso) {
    return Date.valueOf(LocalDate.parse(iso));
  }

  protected static Timestamp ts(String isoLocal) {
    return Timestamp.valueOf(LocalDateTime.parse(isoLocal));
  }

  /**
   * Exact DataFrame equality ignoring row order: same schema (names, types, nullability,
   * metadata) and the same rows. For computed doubles use {@link #assertFramesApproximatelyEqual}.
   */
  protected static void assertFramesEqual(Dataset<Row> expected, Dataset<Row> actual) {
    SUITE.assertDataFrameNoOrderEquals(local(expected), local(actual));
  }

  /**
   * DataFrame equality ignoring row order with doubles compared within {@code 1e-9}: both frames
   * are sorted by all their columns, then compared row by row. Schemas must be equal.
   */
  protected static void assertFramesApproximatelyEqual(Dataset<Row> expected, Dataset<Row> actual) {
    SUITE.assertDataFrameApproximateEquals(local(sortedByAll(mapsAsEntries(expected))),
        local(sortedByAll(mapsAsEntries(actual))), 1e-9);
  }

  /**
   * The frame's rows as a local relation: the comparison runs several jobs over each frame, and
   * re-running a long plan for each of them costs more than the tiny test data.
   */
  private static Dataset<Row> local(Dataset<Row> df) {
    Dataset<Row> comparable = mapsAsEntries(df);
    return spark().createDataFrame(comparable.collectAsList(), comparable.schema()).coalesce(1);
  }

  /**
   * Each map column as its entries sorted by key: a map has no order, so Spark can neither sort nor
   * group on it, and two equal maps compare equal only this way.
   */
  private static Dataset<Row> mapsAsEntries(Dataset<Row> df) {
    Dataset<Row> out = df;
    for (org.apache.spark.sql.types.StructField f : df.schema().fields()) {
      if (f.dataType() instanceof org.apache.spark.sql.types.MapType) {
        out = out.withColumn(f.name(), org.apache.spark.sql.functions.array_sort(
            org.apache.spark.sql.functions.map_entries(org.apache.spark.sql.functions.col("`" + f.name() + "`"))));
      }
    }
    return out;
  }

  private static Dataset<Row> sortedByAll(Dataset<Row> df) {
    return df.orderBy(Arrays.stream(df.columns())
        .map(c -> org.apache.spark.sql.functions.col("`" + c + "`").asc_nulls_first())
        .toArray(org.apache.spark.sql.Column[]::new)).coalesce(1);
  }
}
