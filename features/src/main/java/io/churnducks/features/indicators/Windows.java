package io.churnducks.features.indicators;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.Arrays;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_sub;

/**
 * Point-in-time windows over a spine of (account_id, as_of_date). Every helper keeps only rows
 * dated strictly before the as-of date, so nothing on or after it can leak into an indicator.
 */
final class Windows {

  private Windows() {}

  /**
   * Pairs each row with every as-of date of the spine it precedes, within {@code lookbackDays}
   * (0 = unbounded). The spine's distinct dates are few (one per night or month), so they are
   * broadcast and the row side is never shuffled for this join.
   */
  static Dataset<Row> before(Dataset<Row> rows, String dateColumn, Dataset<Row> spine, int lookbackDays) {
    Dataset<Row> dates = broadcast(spine.select(col("as_of_date")).distinct());
    Column day = rows.col(dateColumn);
    Column asOf = dates.col("as_of_date");
    Column cond = day.lt(asOf);
    if (lookbackDays > 0) {
      cond = cond.and(day.geq(date_sub(asOf, lookbackDays)));
    }
    return rows.join(dates, cond);
  }

  /** Fails with "Cannot compute &lt;what&gt;: missing column &lt;c&gt;" when an input column is absent. */
  static void require(Dataset<Row> in, String what, String... columns) {
    for (String c : columns) {
      if (Arrays.stream(in.columns()).noneMatch(c::equals)) {
        throw new IllegalArgumentException("Cannot compute " + what + ": missing column " + c
            + " (found: " + String.join(", ", in.columns()) + ")");
      }
    }
  }

  /** Days between a date column and the as-of date, as an int. */
  static Column daysBefore(Column date) {
    return org.apache.spark.sql.functions.datediff(col("as_of_date"), date);
  }
}
