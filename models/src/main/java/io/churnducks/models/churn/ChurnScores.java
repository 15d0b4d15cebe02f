package io.churnducks.models.churn;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import static io.churnducks.features.contract.Schemas.field;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * The {@code churn_scores} table: one row per account of the scoring spine, the accounts active on
 * the run date plus the lapsed ones (see {@code SubscriptionTimeline.scoringSpine}).
 */
public final class ChurnScores {

  private ChurnScores() {}

  public static final StructType SCHEMA = new StructType(new StructField[] {
      field("account_id", StringType, false, "Account identifier."),
      field("churn_probability", DoubleType, false, "Probability of churning within the horizon after the run date."),
      field("risk_tier", StringType, false, "high / medium / low, from the configured probability thresholds."),
      field("lapsed", BooleanType, false, "True when the account's last subscription ended within the grace period "
          + "before the run date and nothing renewed it yet: not churned, the most urgent save."),
      field("mrr", DoubleType, false,
          "Current monthly recurring revenue (for a lapsed account: of the subscription it lapsed from), currency units."),
      field("mrr_at_risk", DoubleType, false, "churn_probability × mrr, currency units per month."),
      field("top_reasons", DataTypes.createArrayType(StringType, true), false,
          "Why: the indicators whose typical value would lower this account's churn probability the most, "
              + "strongest first, at most one per behavioural group (indicators that move together weighed as "
              + "one), in words with the account's value (e.g. 'renewal in 21 days')."),
      field("model_version", StringType, false, "Identifier of the model that produced the score."),
      field("reason_codes", DataTypes.createArrayType(StringType, true), false,
          "The same reasons as codes, '<indicator> high|low', for grouping and analysis."),
      field("expected_months_left", DoubleType, false, "Expected months until churn if the monthly churn hazard "
          + "implied by churn_probability stayed as it is: 1 / (1 - (1 - p)^(1 / horizon months))."),
  });

}
