package io.churnducks.features.indicators;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;

/**
 * Who the customer is: industry, acquisition channel and tenure.
 * Output: {@code account_id, as_of_date, industry, acquisition_channel, tenure_days}.
 * {@code tenure_days} = days from signup to the as-of date (null when signup is not before it).
 */
public final class AccountProfileIndicators {

  private AccountProfileIndicators() {}

  public static Dataset<Row> apply(Dataset<Row> spine, Dataset<Row> accounts) {
    Windows.require(accounts, "account profile indicators", "account_id", "signup_date", "industry",
        "acquisition_channel");
    Dataset<Row> a = accounts.select(col("account_id"), col("signup_date"), col("industry"), col("acquisition_channel"));
    return spine.join(a, "account_id").select(
        col("account_id"), col("as_of_date"), col("industry"), col("acquisition_channel"),
        when(col("signup_date").lt(col("as_of_date")), Windows.daysBefore(col("signup_date"))).as("tenure_days"));
  }
}
