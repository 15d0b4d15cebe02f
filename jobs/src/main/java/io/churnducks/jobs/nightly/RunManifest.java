package io.churnducks.jobs.nightly;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.churnducks.features.contract.Schemas.field;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * The {@code run_manifest} table: what each stage of a run did (status, rows in/out, seconds).
 * Entries are kept on the driver (a handful per run) and logged as they are recorded.
 */
public final class RunManifest {

  private static final Logger LOG = LoggerFactory.getLogger(RunManifest.class);

  public static final StructType SCHEMA = new StructType(new StructField[] {
      field("stage", StringType, false, "Stage of the run: validate, features, train, segments, score, risk_list, lifecycle."),
      field("subject", StringType, false, "Source or table the entry is about."),
      field("status", StringType, false, "ok, warning, skipped (e.g. training, when the champion model scores) "
          + "or failed."),
      field("rows_in", LongType, true, "Rows read by the stage for this subject."),
      field("rows_out", LongType, true, "Rows written or kept."),
      field("seconds", DoubleType, false, "Wall-clock seconds spent."),
      field("message", StringType, true, "What happened, in words."),
  });

  private final List<Row> rows = new ArrayList<>();

  /** Records one entry. */
  public void record(String stage, String subject, String status, Long rowsIn, Long rowsOut, double seconds,
      String message) {
    rows.add(RowFactory.create(stage, subject, status, rowsIn, rowsOut, seconds, message));
    String line = String.format(Locale.ROOT, "%-9s %-18s %-7s in=%s out=%s %.1fs%s", stage, subject, status,
        rowsIn == null ? "-" : rowsIn, rowsOut == null ? "-" : rowsOut, seconds,
        message == null ? "" : "  " + message);
    if ("ok".equals(status)) {
      LOG.info(line);
    } else {
      LOG.warn(line);
    }
  }

  public Dataset<Row> toFrame(SparkSession spark) {
    return spark.createDataFrame(rows, SCHEMA);
  }

}
