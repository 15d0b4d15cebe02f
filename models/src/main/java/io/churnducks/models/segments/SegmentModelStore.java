package io.churnducks.models.segments;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The segment model of every run date, in a folder beside the warehouse (any Hadoop file system):
 * {@code <root>/run_date=YYYY-MM-DD/}. A run reads the latest model before its run date to keep
 * segment ids and names; a rerun of a date replaces that date's model.
 */
public final class SegmentModelStore {

  private static final String PREFIX = "run_date=";

  private final SparkSession spark;
  private final Path root;

  public SegmentModelStore(SparkSession spark, String root) {
    this.spark = spark;
    this.root = new Path(root);
  }

  public void save(LocalDate runDate, DuckSegmentModel model) {
    String path = new Path(root, PREFIX + runDate).toString();
    try {
      model.write().overwrite().save(path);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot save the segment model to " + path, e);
    }
  }

  /** The run date of the latest model saved for a date before {@code runDate}. */
  public Optional<LocalDate> latestBefore(LocalDate runDate) {
    try {
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(root)) {
        return Optional.empty();
      }
      LocalDate best = null;
      for (FileStatus s : fs.listStatus(root)) {
        String name = s.getPath().getName();
        if (!s.isDirectory() || !name.startsWith(PREFIX) || !fs.exists(new Path(s.getPath(), "data"))) {
          continue;
        }
        try {
          LocalDate d = LocalDate.parse(name.substring(PREFIX.length()));
          if (d.isBefore(runDate) && (best == null || d.isAfter(best))) {
            best = d;
          }
        } catch (DateTimeParseException ignored) {
          // Not a model folder.
        }
      }
      return Optional.ofNullable(best);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list segment models under " + root, e);
    }
  }

  public DuckSegmentModel load(LocalDate runDate) {
    return DuckSegmentModel.load(new Path(root, PREFIX + runDate).toString());
  }
}
