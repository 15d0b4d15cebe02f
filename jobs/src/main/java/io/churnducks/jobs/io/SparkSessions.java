package io.churnducks.jobs.io;

import io.churnducks.jobs.config.ChurnConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;

/** Builds the job's SparkSession with the settings the pipeline relies on. */
public final class SparkSessions {

  private static final String LOCAL_FS = "fs.file.impl";

  /** The warehouse's tables are Delta tables: its SQL (time travel, VACUUM) needs these at start. */
  public static final String EXTENSIONS = "spark.sql.extensions";
  public static final String DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";
  public static final String SESSION_CATALOG = "spark.sql.catalog.spark_catalog";
  public static final String DELTA_CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog";
  static final String DELTA_SNAPSHOT_PARTITIONS = "spark.databricks.delta.snapshotPartitions";

  private SparkSessions() {}

  /**
   * A session for the config. The master comes from spark-submit when given there, else from
   * {@code spark.master}. Times are UTC, unparseable dates become null (and are quarantined),
   * and writes replace only the partitions they touch.
   */
  public static SparkSession create(ChurnConfig config) {
    SparkConf conf = new SparkConf();
    SparkSession.Builder b = SparkSession.builder().appName(config.sparkAppName())
        .config(EXTENSIONS, DELTA_EXTENSION).config(SESSION_CATALOG, DELTA_CATALOG);
    if (!conf.contains("spark.master")) {
      b = b.master(config.sparkMaster()).config("spark.ui.enabled", "false");
    }
    SparkSession spark = b.getOrCreate();
    configure(spark, config.shufflePartitions());
    return spark;
  }

  /** The session settings the pipeline assumes (also applied to test sessions). */
  public static void configure(SparkSession spark, int shufflePartitions) {
    useLocalFileSystemWithoutForks(spark);
    spark.conf().set("spark.sql.shuffle.partitions", shufflePartitions);
    spark.conf().set("spark.sql.session.timeZone", "UTC");
    spark.conf().set("spark.sql.legacy.timeParserPolicy", "CORRECTED");
    spark.conf().set("spark.sql.ansi.enabled", "false");
    spark.conf().set("spark.sql.sources.partitionOverwriteMode", "dynamic");
    // Adaptive execution turns the small sides of the indicator joins into broadcasts at run time;
    // without it, a dozen aggregations share one task's memory and can run out of it.
    spark.conf().set("spark.sql.adaptive.enabled", "true");
    // Delta rebuilds a table's snapshot from its log in 50 tasks by default, meant for tables of
    // many thousands of files; a warehouse table gains one commit a night. As many tasks as cores
    // (at most Delta's 50) unless the session was given its own number.
    if (!spark.conf().contains(DELTA_SNAPSHOT_PARTITIONS)) {
      spark.conf().set(DELTA_SNAPSHOT_PARTITIONS, Math.max(1, Math.min(50,
          spark.sparkContext().defaultParallelism())));
    }
  }

  /**
   * Installs {@link LocalFileSystemWithoutForks} for {@code file://} paths. A session created
   * elsewhere (spark-submit, a test) may already hold Hadoop's stock instance in the JVM-wide
   * file-system cache: it is evicted, so the next look-up creates the replacement.
   */
  private static void useLocalFileSystemWithoutForks(SparkSession spark) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    if (hadoop.get(LOCAL_FS) == null) {
      hadoop.set(LOCAL_FS, LocalFileSystemWithoutForks.class.getName());
    }
    try {
      FileSystem cached = FileSystem.get(URI.create("file:///"), hadoop);
      if (!cached.getClass().getName().equals(hadoop.get(LOCAL_FS))) {
        // Closing a local file system only removes it from the cache; it holds no resources.
        cached.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot set up the local file system", e);
    }
  }
}
