package io.churnducks.jobs.io;

import io.churnducks.jobs.config.ChurnConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;

/** Builds the job's SparkSession with the settings the pipeline relies on. */
public final class SparkSessions {

  private static final Logger LOG = LoggerFactory.getLogger(SparkSessions.class);

  private static final String LOCAL_FS = "fs.file.impl";

  /** Checkpoints of iterative training (the boosted trees), under the warehouse, removed when the job ends. */
  public static final String CHECKPOINTS = "_state/checkpoints";

  /** The warehouse's tables are Delta tables: its SQL (time travel, VACUUM) needs these at start. */
  public static final String EXTENSIONS = "spark.sql.extensions";
  public static final String DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";
  public static final String SESSION_CATALOG = "spark.sql.catalog.spark_catalog";
  public static final String DELTA_CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog";
  static final String DELTA_SNAPSHOT_PARTITIONS = "spark.databricks.delta.snapshotPartitions";

  static final String STORAGE_FRACTION = "spark.memory.storageFraction";
  /**
   * Share of Spark's unified memory that cached tables keep against joins and aggregations. Spark's
   * default (0.5) let the night's cached inputs (clean sources, indicators; cached memory-and-disk)
   * hold half the memory, and at 100,000 accounts the training examples' dozen joins and hash
   * aggregations, which cannot spill each other, ran out of the rest under the launcher's 4 GB heap
   * ({@code SparkOutOfMemoryError: UNABLE_TO_ACQUIRE_MEMORY}). At 0.1 a cached block that stands in
   * the way of a running task goes to disk instead. A session given its own value keeps it.
   */
  static final double STORAGE_SHARE = 0.1;

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
    if (!conf.contains(STORAGE_FRACTION)) {
      b = b.config(STORAGE_FRACTION, String.valueOf(STORAGE_SHARE));
    }
    SparkSession spark = b.config("spark.cleaner.referenceTracking.cleanCheckpoints", "true").getOrCreate();
    configure(spark, config.shufflePartitions());
    checkpointUnder(spark, config.warehouse() + "/" + CHECKPOINTS);
    return spark;
  }

  /**
   * Gives iterative MLlib training a checkpoint directory, unless the session has one. Boosted trees
   * checkpoint their running predictions every 10 trees only when one is set; without it each tree
   * adds to one lineage, and a few hundred trees fail with a StackOverflowError while tasks are
   * deserialised. The directory is on the warehouse's file system, so executors of a cluster reach
   * it; Spark creates a subdirectory per application, deleted when the application ends.
   */
  static void checkpointUnder(SparkSession spark, String directory) {
    SparkContext sc = spark.sparkContext();
    if (sc.getCheckpointDir().isDefined()) {
      return;
    }
    sc.setCheckpointDir(directory);
    String mine = sc.getCheckpointDir().get();
    Configuration hadoop = sc.hadoopConfiguration();
    sc.addSparkListener(new SparkListener() {
      @Override
      public void onApplicationEnd(SparkListenerApplicationEnd end) {
        try {
          Path path = new Path(mine);
          path.getFileSystem(hadoop).delete(path, true);
        } catch (IOException e) {
          // Only this run's checkpoints are left behind; no later run reads them.
          LOG.warn("Cannot remove the checkpoints under {}: {}", mine, e.getMessage());
        }
      }
    });
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
