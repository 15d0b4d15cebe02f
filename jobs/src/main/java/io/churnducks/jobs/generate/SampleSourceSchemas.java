package io.churnducks.jobs.generate;

import io.churnducks.features.contract.Schemas;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Schemas of the generated sources. They imitate raw exports (a CRM, a billing system, a product
 * analytics tool, a help desk, a survey tool): source-specific column names, and every column a
 * nullable string in both CSV and Parquet; an empty cell is a null.
 */
public final class SampleSourceSchemas {

  private SampleSourceSchemas() {}

  /** CRM accounts export ({@code crm_accounts/}), one row per account. */
  public static final StructType CRM_ACCOUNTS = schema(
      field("Id", "Account id, ACC- and seven digits (e.g. ACC-0000042)."),
      field("Name", "Account name (PII)."),
      field("CreatedDate", "Signup day, MM/dd/yyyy."),
      field("Industry", "Industry; five of the 24 values really change churn."),
      field("NumberOfEmployees", "Employee count, integer."),
      field("BillingCountry", "ISO 3166 alpha-2 country code."),
      field("LeadSource", "Acquisition channel id (e.g. paid_search)."),
      field("Acquisition_Cost__c", "Cost to acquire the account, US dollars with two decimals."),
      field("Owner_Name", "Customer-success manager who owns the account."));

  /** Billing subscriptions export ({@code billing_subscriptions/}). */
  public static final StructType BILLING_SUBSCRIPTIONS = schema(
      field("id", "Subscription id (sub_…)."),
      field("customer_ref", "Account id (crm_accounts.Id)."),
      field("created", "Start day, epoch seconds at 00:00 UTC (first covered day)."),
      field("ended_at", "End day, epoch seconds at 00:00 UTC (first day no longer covered); "
          + "empty while the subscription runs at the extract cutoff."),
      field("plan_nickname", "Plan name, e.g. Team Monthly."),
      field("plan_interval", "Billing interval: month or year."),
      field("unit_amount_cents", "List price per seat per month, integer cents."),
      field("quantity", "Seats, integer."),
      field("percent_off", "Discount in percent (0-100); empty when none. "
          + "MRR = unit_amount_cents x quantity x (1 - percent_off/100) / 100."),
      field("cancel_at_period_end", "true when the customer cancelled (the subscription ended "
          + "in churn), else false; the inverse of auto-renew."),
      field("discount_end", "Day the discount stops applying, epoch seconds at 00:00 UTC, set when a "
          + "time-limited discount (an introductory offer) is granted; empty for no discount or one "
          + "without an end."));

  /**
   * Billing invoices export ({@code billing_invoices/}): each invoice as it stands at the extract
   * cutoff; void rows are legitimate drafts, rows with a negative amount credit notes (refunds).
   */
  public static final StructType BILLING_INVOICES = schema(
      field("id", "Invoice id (in_…)."),
      field("customer_ref", "Account id (crm_accounts.Id)."),
      field("created", "Issue time, epoch seconds UTC."),
      field("amount_due", "Invoiced amount, integer cents (MRR x billing-period months); "
          + "negative for a credit note, dated when the refund was issued."),
      field("status", "State at the extract: open (issued, not paid yet), paid, payment_failed "
          + "(a payment attempt failed and nothing was collected yet), refunded (paid, then "
          + "refunded by a credit note) or void (a voided draft, not a real invoice)."),
      field("paid_at", "Payment time, epoch seconds UTC, possibly weeks after issue; empty unless "
          + "paid or refunded."));

  /** Product analytics events export ({@code product_events/}). */
  public static final StructType PRODUCT_EVENTS = schema(
      field("message_id", "Event id, unique unless the exporter duplicated the row."),
      field("timestamp", "Event time, epoch milliseconds UTC."),
      field("event", "Feature used, an intent event (pricing_page, upgrade_click), or an error "
          + "event of a failing integration (sync_error, integration_disconnected)."),
      field("org_id", "Account id (crm_accounts.Id)."),
      field("user_key", "Login that produced the event (u_<account number>_<n>)."),
      field("device", "Device id; a login shared by several people shows many devices."),
      field("qty", "Units of use, integer >= 1 (usually 1)."));

  /** Help-desk tickets export ({@code support_tickets/}). */
  public static final StructType SUPPORT_TICKETS = schema(
      field("ticket_id", "Ticket id."),
      field("organization_external_id", "Account id (crm_accounts.Id)."),
      field("created_at", "Opening time, ISO-8601 UTC (e.g. 2024-03-05T14:07:00Z)."),
      field("solved_at", "Solving time, ISO-8601 UTC; empty while unsolved at the cutoff."),
      field("priority", "low, normal, high or urgent."),
      field("type", "question, incident, problem or task."),
      field("csat_score", "Satisfaction rating 1-5; empty when not rated."));

  /** NPS survey responses export ({@code nps_responses/}). */
  public static final StructType NPS_RESPONSES = schema(
      field("account", "Account id (crm_accounts.Id)."),
      field("survey_date", "Response time, yyyy-MM-dd HH:mm:ss UTC."),
      field("score", "Net-promoter answer, integer 0-10."));

  private static StructType schema(StructField... fields) {
    return new StructType(fields);
  }

  private static StructField field(String name, String comment) {
    return Schemas.field(name, DataTypes.StringType, true, comment);
  }
}
