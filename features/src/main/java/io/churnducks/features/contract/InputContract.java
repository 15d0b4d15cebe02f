package io.churnducks.features.contract;

import io.churnducks.features.contract.ColumnSpec.Case;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

/**
 * The input contract: the six canonical tables every source is mapped onto (README.md, "Configuration"; docs/architecture.md).
 * Only {@link #ACCOUNTS} and {@link #SUBSCRIPTIONS} are required; the indicators that need an
 * optional table are absent (null) when it is not configured.
 */
public final class InputContract {

  private InputContract() {}

  public static final TableContract ACCOUNTS = new TableContract(
      "accounts",
      "CRM: one row per customer account.",
      true,
      List.of(
          ColumnSpec.required("account_id", StringType, "Account identifier shared by all sources."),
          ColumnSpec.required("signup_date", DateType, "Day the account signed up (UTC)."),
          ColumnSpec.optional("account_name", StringType, "Account display name (PII)."),
          ColumnSpec.optional("industry", StringType, "Industry as recorded in the CRM, title case (Financial Services).")
              .category(Case.TITLE),
          ColumnSpec.optional("employee_count", IntegerType, "Number of employees.").mustBeNonNegative(),
          ColumnSpec.optional("country", StringType, "Billing country, upper case (US).").category(Case.UPPER),
          ColumnSpec.optional("acquisition_channel", StringType, "Channel that acquired the account, lower case "
              + "(paid_search).").category(Case.LOWER),
          ColumnSpec.optional("acquisition_cost", DoubleType, "Cost to acquire the account, currency units.").mustBeNonNegative(),
          ColumnSpec.optional("csm_owner", StringType, "Customer-success manager who owns the account.")),
      Optional.of("account_id"),
      Optional.empty(),
      false,
      List.of(),
      Optional.of("signup_date"),
      List.of(),
      List.of());

  public static final TableContract SUBSCRIPTIONS = new TableContract(
      "subscriptions",
      "Billing: subscription periods, one row per period at one price (a plan or seat change is a new row, not an "
          + "in-place edit); an account is active on a day some subscription covers.",
      true,
      List.of(
          ColumnSpec.required("subscription_id", StringType, "Subscription identifier."),
          ColumnSpec.required("account_id", StringType, "Account that holds the subscription."),
          ColumnSpec.required("start_date", DateType, "First day covered (inclusive)."),
          ColumnSpec.optional("end_date", DateType, "First day no longer covered (exclusive); null = open. An end "
              + "after a given day was not known on it (scheduled end), so point-in-time uses an end only from that day on."),
          ColumnSpec.required("mrr", DoubleType, "Monthly recurring revenue after discount, currency units.").mustBeNonNegative(),
          ColumnSpec.optional("plan", StringType, "Plan name, title case (Team Monthly).").category(Case.TITLE),
          ColumnSpec.optional("billing_period_months", IntegerType, "Months per billing period (1 = monthly, 12 = yearly).").mustBeNonNegative(),
          ColumnSpec.optional("seats", IntegerType, "Licensed seats.").mustBeNonNegative(),
          ColumnSpec.optional("discount_pct", DoubleType, "Discount in percent (0-100).").between(0, 100).withDefault("0.0"),
          ColumnSpec.optional("discount_end_date", DateType, "First day the discount no longer applies, for a "
              + "time-limited discount (a coupon's end, set when it was granted); null = no discount or no end."),
          ColumnSpec.optional("auto_renew", BooleanType, "Renews automatically at period end (inverse of "
              + "cancel-at-period-end). Extract-time: the state when exported, with no date of change, so no "
              + "point-in-time indicator uses it.")),
      Optional.of("subscription_id"),
      Optional.empty(),
      true,
      List.of(),
      Optional.of("start_date"),
      List.of(),
      List.of(new OrderRule("start_date", "end_date")));

  public static final TableContract INVOICES = new TableContract(
      "invoices",
      "Billing: invoices and their payment outcome.",
      false,
      List.of(
          ColumnSpec.required("invoice_id", StringType, "Invoice identifier."),
          ColumnSpec.required("account_id", StringType, "Invoiced account."),
          ColumnSpec.required("issued_date", DateType, "Day the invoice was issued."),
          ColumnSpec.required("amount", DoubleType, "Invoiced amount, currency units."),
          ColumnSpec.optional("status", StringType, "Payment status when exported, lower case. Extract-time: it has no "
              + "date of change (a failed invoice may be paid later, a paid one refunded), so no point-in-time "
              + "indicator uses it; paid_date tells what was paid when.").allowed("paid", "failed", "refunded", "open"),
          ColumnSpec.optional("paid_date", DateType, "Day the invoice was paid; null = not paid. An invoice is unpaid "
              + "on day D when it has no paid_date or was paid on or after D.")),
      Optional.of("invoice_id"),
      Optional.of("issued_date"),
      true,
      List.of(),
      Optional.of("issued_date"),
      List.of(),
      List.of(new OrderRule("issued_date", "paid_date")));

  public static final TableContract USAGE_EVENTS = new TableContract(
      "usage_events",
      "Usage: product events; one row per event.",
      false,
      List.of(
          ColumnSpec.required("event_time", TimestampType, "When the event happened (UTC)."),
          ColumnSpec.required("feature", StringType, "Product feature (or intent event such as pricing_page)."),
          ColumnSpec.optional("account_id", StringType, "Account of the event (or resolved through subscription_id)."),
          ColumnSpec.optional("subscription_id", StringType, "Subscription of the event, when the source has no account."),
          ColumnSpec.optional("user_id", StringType, "User (login) that produced the event."),
          ColumnSpec.optional("quantity", DoubleType, "Units of use the event stands for.").mustBeNonNegative().withDefault("1.0"),
          ColumnSpec.optional("device_id", StringType, "Device the event came from."),
          ColumnSpec.optional("event_id", StringType, "Event identifier, for de-duplication.")),
      Optional.of("event_id"),
      Optional.of("event_time"),
      true,
      List.of("account_id", "subscription_id"),
      Optional.of("event_time"),
      // Events are validated one event date at a time, so an event id is unique within its day.
      List.of("to_date(event_time)"),
      List.of());

  public static final TableContract SUPPORT_TICKETS = new TableContract(
      "support_tickets",
      "CRM: support tickets.",
      false,
      List.of(
          ColumnSpec.required("ticket_id", StringType, "Ticket identifier."),
          ColumnSpec.required("account_id", StringType, "Account that opened the ticket."),
          ColumnSpec.required("opened_at", TimestampType, "When the ticket was opened (UTC)."),
          ColumnSpec.optional("closed_at", TimestampType, "When the ticket was closed (UTC)."),
          ColumnSpec.optional("priority", StringType, "Ticket priority, lower case (urgent).").category(Case.LOWER),
          ColumnSpec.optional("category", StringType, "Ticket category, lower case (incident).").category(Case.LOWER),
          ColumnSpec.optional("satisfaction", IntegerType, "Customer satisfaction with the ticket (1-5).").between(1, 5)),
      Optional.of("ticket_id"),
      Optional.of("opened_at"),
      true,
      List.of(),
      Optional.of("opened_at"),
      List.of(),
      List.of(new OrderRule("opened_at", "closed_at")));

  public static final TableContract SURVEYS = new TableContract(
      "surveys",
      "Feedback: NPS survey responses.",
      false,
      List.of(
          ColumnSpec.required("account_id", StringType, "Responding account."),
          ColumnSpec.required("responded_at", TimestampType, "When the response was given (UTC)."),
          ColumnSpec.required("nps", IntegerType, "Net-promoter score answer (0-10).").between(0, 10)),
      Optional.empty(),
      Optional.of("responded_at"),
      true,
      List.of(),
      Optional.of("responded_at"),
      List.of(),
      List.of());

  /** All tables, in the order they are validated (accounts first: others refer to it). */
  public static final List<TableContract> ALL =
      List.of(ACCOUNTS, SUBSCRIPTIONS, INVOICES, USAGE_EVENTS, SUPPORT_TICKETS, SURVEYS);

  private static final Map<String, TableContract> BY_NAME =
      ALL.stream().collect(Collectors.toMap(TableContract::name, Function.identity()));

  /** The contract of a canonical table, or an error listing the known names. */
  public static TableContract table(String name) {
    TableContract t = BY_NAME.get(name);
    if (t == null) {
      throw new IllegalArgumentException("Cannot find input table '" + name + "' (known tables: "
          + String.join(", ", BY_NAME.keySet().stream().sorted().toList()) + ")");
    }
    return t;
  }
}
