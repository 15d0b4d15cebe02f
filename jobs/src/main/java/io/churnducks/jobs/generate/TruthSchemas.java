package io.churnducks.jobs.generate;

import static io.churnducks.features.contract.Schemas.field;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Schemas of the hidden ground truth written under {@code truth/} (Parquet) beside the sources.
 * The pipeline never reads these; tests and benchmarks compare its output with them.
 *
 * <p>What drives churn and what does not: {@code accounts} holds each account's latents,
 * {@code drivers} the hidden events that raised its hazard for a while (none of them is in a
 * source; each leaves only indirect traces), and {@code noise_fields} the observable fields
 * that are pure noise by construction: the country, the CSM owner, the account name and the 19
 * industries without effect never enter the hazard.
 */
public final class TruthSchemas {

  private TruthSchemas() {}

  /** Folder of the truth tables inside the output directory. */
  public static final String DIR = "truth";
  /** {@code truth/accounts}: the latents of each account. */
  public static final String ACCOUNTS_TABLE = "accounts";
  /** {@code truth/churn_probabilities}: true churn probability per active account and as-of. */
  public static final String CHURN_PROBABILITIES_TABLE = "churn_probabilities";
  /** {@code truth/quarantine_expected}: contract violations injected per source and rule. */
  public static final String QUARANTINE_EXPECTED_TABLE = "quarantine_expected";
  /** {@code truth/drivers}: hidden churn drivers per account and episode. */
  public static final String DRIVERS_TABLE = "drivers";
  /** {@code truth/noise_fields}: observable source fields and values that never affect churn. */
  public static final String NOISE_FIELDS_TABLE = "noise_fields";
  /** {@code truth/parameters}: the generator options, one row. */
  public static final String PARAMETERS_TABLE = "parameters";

  /** One row per account. */
  public static final StructType ACCOUNTS = new StructType(new StructField[] {
      field("account_id", DataTypes.StringType, false, "Account id (crm_accounts.Id)."),
      field("persona", DataTypes.StringType, false, "Latent persona id (e.g. seat_sharer)."),
      field("industry", DataTypes.StringType, false, "Industry, as written to the CRM."),
      field("industry_effect", DataTypes.BooleanType, false,
          "Whether the industry really multiplies the churn hazard (five industries do)."),
      field("acquisition_channel", DataTypes.StringType, false, "Acquisition channel id; "
          + "the channel's hazard multiplier is in SampleCatalog.CHANNELS."),
      field("early_key_feature_uses", DataTypes.IntegerType, false, "Key-feature events "
          + "(automations, integrations) in the first 14 days: a Poisson draw around a latent "
          + "onboarding propensity that depends on the persona."),
      field("early_key_feature_adopter", DataTypes.BooleanType, false,
          "early_key_feature_uses >= 5; hazard x 0.45 (the step is at exactly 5 uses)."),
      field("payment_risk", DataTypes.DoubleType, false, "Probability that the first payment "
          + "attempt of an invoice fails; hazard x (1 + 1.5 x payment_risk)."),
      field("engagement_slope", DataTypes.DoubleType, false, "Log change of usage per month since "
          + "signup; falling usage raises the hazard, x min(2.5, (usage ratio)^-0.6).")});

  /** One row per driver that struck an account before its episode churned. */
  public static final StructType DRIVERS = new StructType(new StructField[] {
      field("account_id", DataTypes.StringType, false, "Account id (crm_accounts.Id)."),
      field("episode", DataTypes.IntegerType, false,
          "Customer episode, 0 from signup, then 1, 2, ... after each comeback."),
      field("driver", DataTypes.StringType, false, "champion_left, integration_broken, "
          + "budget_cut or competitor_trial."),
      field("onset_date", DataTypes.DateType, false, "First day the driver affects the hazard."),
      field("end_date", DataTypes.DateType, true, "First day no longer affected (an integration "
          + "fixed, a competitor trial over); null when it lasts."),
      field("hazard_multiplier", DataTypes.DoubleType, false, "Peak multiplier on the monthly "
          + "hazard while active; a departed champion's extra hazard halves every 6 months.")});

  /** One row per observable field, or field value, that is pure noise by construction. */
  public static final StructType NOISE_FIELDS = new StructType(new StructField[] {
      field("source", DataTypes.StringType, false, "Source folder (e.g. crm_accounts)."),
      field("column", DataTypes.StringType, false, "Source column (e.g. BillingCountry)."),
      field("value", DataTypes.StringType, true,
          "The value without effect; null when no value of the column has an effect."),
      field("reason", DataTypes.StringType, false, "Why it carries no churn signal.")});

  /** One row per account and first-of-month as-of date on which the account is active. */
  public static final StructType CHURN_PROBABILITIES = new StructType(new StructField[] {
      field("account_id", DataTypes.StringType, false, "Account id (crm_accounts.Id)."),
      field("as_of_date", DataTypes.DateType, false, "As-of date: a first of month from start + "
          + "1 month to the cutoff on which some subscription covers the account."),
      field("true_churn_probability", DataTypes.DoubleType, false, "Exact probability of a churn "
          + "event in (as_of_date, as_of_date + horizon] given the simulated hazard path."),
      field("churned_within_horizon", DataTypes.BooleanType, false,
          "Whether the simulation churned the account in that window."),
      field("churn_date", DataTypes.DateType, true,
          "Day the last subscription ended (the churn event) when in the window, else null.")});

  /** One row per source and contract rule the generator can inject. */
  public static final StructType QUARANTINE_EXPECTED = new StructType(new StructField[] {
      field("source", DataTypes.StringType, false,
          "Canonical table (accounts, subscriptions, invoices, usage_events, ...)."),
      field("rule", DataTypes.StringType, false, "Contract rule code (e.g. duplicate_key)."),
      field("action", DataTypes.StringType, false, "What the pipeline does with such a row: row_rejected, "
          + "or value_nulled (the bad optional value becomes null and the row stays)."),
      field("rows", DataTypes.LongType, false, "Rows injected that break exactly this rule (one "
          + "dq_quarantine record each).")});

  /** One row: the options the data was generated with. */
  public static final StructType PARAMETERS = new StructType(new StructField[] {
      field("seed", DataTypes.LongType, false, "Random seed."),
      field("accounts", DataTypes.IntegerType, false, "Number of accounts."),
      field("start", DataTypes.DateType, false, "First simulated day (a first of month)."),
      field("months", DataTypes.IntegerType, false, "Simulated months before the cutoff."),
      field("cutoff", DataTypes.DateType, false, "Extract cutoff: sources hold data before it."),
      field("horizon_days", DataTypes.IntegerType, false, "Churn horizon, days."),
      field("grace_days", DataTypes.IntegerType, false, "Grace period, days."),
      field("messy", DataTypes.DoubleType, false, "Injected share per source and rule."),
      field("format", DataTypes.StringType, false, "Source file format (csv or parquet).")});

}
