package io.churnducks.features.labels;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** The as-of dates training examples are taken on: month starts before the run date. */
public final class AsOfCalendar {

  private AsOfCalendar() {}

  public static final StructType SCHEMA = new StructType().add("as_of_date", DataTypes.DateType, false);

  /**
   * The {@code count} latest first-of-month dates whose horizon and grace period are fully
   * observed before {@code runDate} (as_of + horizon + grace &lt; runDate), oldest first.
   */
  public static List<LocalDate> observedMonthStarts(LocalDate runDate, int count, int horizonDays, int graceDays) {
    LocalDate latest = runDate.minusDays(horizonDays + graceDays + 1L).withDayOfMonth(1);
    List<LocalDate> out = new ArrayList<>();
    for (int i = count - 1; i >= 0; i--) {
      out.add(latest.minusMonths(i));
    }
    return out;
  }

  /** The dates as a one-column frame ({@code as_of_date}). */
  public static Dataset<Row> frame(SparkSession spark, List<LocalDate> dates) {
    List<Row> rows = dates.stream().map(d -> RowFactory.create(Date.valueOf(d))).toList();
    return spark.createDataFrame(rows, SCHEMA);
  }
}
