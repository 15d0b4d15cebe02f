package io.churnducks.features.indicators;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;

/**
 * Who the customer is (firmographics from the CRM) and how long it has been one.
 * Output: {@code account_id, as_of_date, industry, acquisition_channel, country, employee_count,
 * employee_band, tenure_days}.
 * <ul>
 *   <li>{@code employee_band}: the usual company-size bands 1-10, 11-50, 51-200, 201-500, 501-1000,
 *       1001-5000, 5001+ (null when the CRM states no employee count)</li>
 *   <li>{@code tenure_days}: days from signup to the as-of date (null when signup is not before it)</li>
 * </ul>
 */
public final class AccountProfileIndicators {

  private AccountProfileIndicators() {}

  /** Upper bounds (inclusive) of the employee bands but the last. */
  private static final int[] BAND_TOPS = {10, 50, 200, 500, 1000, 5000};

  public static Dataset<Row> apply(Dataset<Row> spine, Dataset<Row> accounts) {
    Windows.require(accounts, "account profile indicators", "account_id", "signup_date", "industry",
        "acquisition_channel", "country", "employee_count");
    Dataset<Row> a = accounts.select(col("account_id"), col("signup_date"), col("industry"), col("acquisition_channel"),
        col("country"), col("employee_count"));
    return spine.join(a, "account_id").select(
        col("account_id"), col("as_of_date"), col("industry"), col("acquisition_channel"), col("country"),
        col("employee_count"), employeeBand(col("employee_count")).as("employee_band"),
        when(col("signup_date").lt(col("as_of_date")), Windows.daysBefore(col("signup_date"))).as("tenure_days"));
  }

  /** The band of an employee count, e.g. 120 → "51-200"; null stays null. */
  static Column employeeBand(Column employees) {
    Column band = null;
    int low = 1;
    for (int top : BAND_TOPS) {
      String label = low + "-" + top;
      band = band == null ? when(employees.leq(top), label) : band.when(employees.leq(top), label);
      low = top + 1;
    }
    return when(employees.isNotNull(), band.otherwise((low) + "+"));
  }
}
