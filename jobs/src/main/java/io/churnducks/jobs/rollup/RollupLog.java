package io.churnducks.jobs.rollup;

import io.churnducks.jobs.io.Warehouse;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.churnducks.features.contract.Schemas.field;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * The {@code usage_rollup_log} table: one row per event date rolled up, the watermark a night
 * reads to know which dates are new or changed. Small (one row per day of history): it is read
 * to the driver whole and rewritten whole.
 */
public final class RollupLog {

  public static final String TABLE = "usage_rollup_log";

  public static final StructType SCHEMA = new StructType(new StructField[] {
      field("event_date", DateType, false, "Event date rolled up."),
      field("source_fingerprint", StringType, true,
          "Files, bytes and latest modification time of the date's folder when it was rolled up (null: not laid out by date)."),
      field("rollup_fingerprint", StringType, false,
          "Hash of the source mapping and roll-up settings the date was rolled up with; a change rolls it up again."),
      field("content_hash", LongType, false, "Order-independent hash of the date's clean events (detects changed content)."),
      field("rows_read", LongType, false, "Source rows of the date read."),
      field("rows_rolled", LongType, false, "Rows that passed validation and were rolled up."),
      field("rows_rejected", LongType, false, "Rows quarantined in usage_quarantine."),
      field("run_date", DateType, false, "Run that rolled the date up."),
  });

  /** One logged date. */
  public record Entry(LocalDate eventDate, String sourceFingerprint, String rollupFingerprint, long contentHash,
      long read, long rolled, long rejected, LocalDate runDate) {
    Row row() {
      return RowFactory.create(Date.valueOf(eventDate), sourceFingerprint, rollupFingerprint, contentHash, read,
          rolled, rejected, Date.valueOf(runDate));
    }
  }

  private RollupLog() {}

  /** Every logged date, by date. */
  public static TreeMap<LocalDate, Entry> read(Warehouse warehouse, SparkSession spark) {
    TreeMap<LocalDate, Entry> out = new TreeMap<>();
    for (Row r : warehouse.readAll(TABLE, SCHEMA).collectAsList()) {
      LocalDate d = r.getDate(0).toLocalDate();
      out.put(d, new Entry(d, r.getString(1), r.getString(2), r.getLong(3), r.getLong(4), r.getLong(5),
          r.getLong(6), r.getDate(7).toLocalDate()));
    }
    return out;
  }

  /** Rewrites the log with {@code removed} dates dropped and {@code added} entries put in. */
  public static void update(Warehouse warehouse, SparkSession spark, Collection<LocalDate> removed,
      Collection<Entry> added) {
    TreeMap<LocalDate, Entry> log = read(warehouse, spark);
    removed.forEach(log::remove);
    added.forEach(e -> log.put(e.eventDate(), e));
    List<Row> rows = log.values().stream().map(Entry::row).toList();
    warehouse.overwriteSmall(TABLE, spark.createDataFrame(rows, SCHEMA), SCHEMA);
  }

  /** Hash of the content of the dates before {@code asOf}: a stored value as of it is still valid while this holds. */
  public static String digestBefore(Map<LocalDate, Entry> log, LocalDate asOf) {
    long sum = 0;
    long n = 0;
    for (Entry e : log.values()) {
      if (e.eventDate().isBefore(asOf)) {
        sum += e.contentHash() * 31 + e.eventDate().toEpochDay();
        n++;
      }
    }
    return n + ":" + Long.toHexString(sum);
  }
}
