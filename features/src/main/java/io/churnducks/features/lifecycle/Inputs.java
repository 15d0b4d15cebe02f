package io.churnducks.features.lifecycle;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.Arrays;

/** Input checks shared by the lifecycle tables. */
final class Inputs {

  private Inputs() {}

  /** Average days per calendar month (365.25 / 12): customer-days into customer-months. */
  static final double DAYS_PER_MONTH = 365.25 / 12;

  /**
   * Fails with "Cannot compute &lt;what&gt;: missing column &lt;c&gt; of &lt;table&gt;" when an input column
   * is absent.
   */
  static void require(Dataset<Row> in, String what, String table, String... columns) {
    for (String c : columns) {
      if (Arrays.stream(in.columns()).noneMatch(c::equals)) {
        throw new IllegalArgumentException("Cannot compute " + what + ": missing column " + c + " of " + table
            + " (found: " + String.join(", ", in.columns()) + ")");
      }
    }
  }
}
