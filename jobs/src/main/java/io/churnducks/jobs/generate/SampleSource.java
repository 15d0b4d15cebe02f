package io.churnducks.jobs.generate;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.validation.Quarantine;
import org.apache.spark.sql.types.StructType;

import java.util.List;
import java.util.Set;

/**
 * The six generated sources: output folder, the canonical table it maps onto, its schema, the
 * contract rules messy mode injects into it (and whether each rejects the row or only nulls a
 * value), and how an account's history renders into it.
 */
public enum SampleSource {
  /** CRM accounts. */
  CRM_ACCOUNTS("crm_accounts", InputContract.ACCOUNTS.name(), SampleSourceSchemas.CRM_ACCOUNTS,
      List.of(Quarantine.MISSING_REQUIRED, Quarantine.UNPARSEABLE_DATE, Quarantine.WRONG_TYPE),
      Set.of(Quarantine.WRONG_TYPE)),
  /** Billing subscriptions. */
  BILLING_SUBSCRIPTIONS("billing_subscriptions", InputContract.SUBSCRIPTIONS.name(),
      SampleSourceSchemas.BILLING_SUBSCRIPTIONS,
      List.of(Quarantine.NEGATIVE_VALUE, Quarantine.WRONG_TYPE), Set.of()),
  /** Billing invoices. */
  BILLING_INVOICES("billing_invoices", InputContract.INVOICES.name(),
      SampleSourceSchemas.BILLING_INVOICES,
      List.of(Quarantine.UNPARSEABLE_DATE, Quarantine.UNKNOWN_ACCOUNT, Quarantine.REJECTED_ACCOUNT,
          Quarantine.INVALID_VALUE),
      Set.of(Quarantine.INVALID_VALUE)),
  /** Product analytics events. */
  PRODUCT_EVENTS("product_events", InputContract.USAGE_EVENTS.name(),
      SampleSourceSchemas.PRODUCT_EVENTS,
      List.of(Quarantine.MISSING_REQUIRED, Quarantine.WRONG_TYPE, Quarantine.UNKNOWN_ACCOUNT,
          Quarantine.DUPLICATE_KEY, Quarantine.AFTER_CUTOFF),
      Set.of(Quarantine.WRONG_TYPE)),
  /** Help-desk tickets. */
  SUPPORT_TICKETS("support_tickets", InputContract.SUPPORT_TICKETS.name(),
      SampleSourceSchemas.SUPPORT_TICKETS, List.of(Quarantine.ORDER_VIOLATION, Quarantine.OUT_OF_RANGE),
      Set.of(Quarantine.OUT_OF_RANGE)),
  /** NPS survey responses. */
  NPS_RESPONSES("nps_responses", InputContract.SURVEYS.name(), SampleSourceSchemas.NPS_RESPONSES,
      List.of(Quarantine.OUT_OF_RANGE), Set.of());

  private final String directory;
  private final String canonicalTable;
  private final StructType schema;
  private final List<String> rules;
  private final Set<String> nulledRules;

  SampleSource(String directory, String canonicalTable, StructType schema, List<String> rules,
      Set<String> nulledRules) {
    this.directory = directory;
    this.canonicalTable = canonicalTable;
    this.schema = schema;
    this.rules = rules;
    this.nulledRules = nulledRules;
  }

  /** Folder name under the output directory, e.g. {@code product_events}. */
  public String directory() {
    return directory;
  }

  /** The canonical input table this source maps onto, e.g. {@code usage_events}. */
  public String canonicalTable() {
    return canonicalTable;
  }

  /** The source's columns, all strings. */
  public StructType schema() {
    return schema;
  }

  /** Contract rules messy mode injects into this source, in a fixed order. */
  public List<String> injectedRules() {
    return rules;
  }

  /**
   * What the pipeline does with a row injected to break {@code rule}: {@code value_nulled} when
   * the bad value is in an optional column (the row stays), else {@code row_rejected}.
   */
  public String action(String rule) {
    return nulledRules.contains(rule) ? Quarantine.VALUE_NULLED : Quarantine.ROW_REJECTED;
  }

  /** Index of a column of this source. */
  int column(String name) {
    return schema.fieldIndex(name);
  }

  /** The clean rows of one account, in the column order of {@link #schema()}. */
  List<String[]> render(AccountHistory h, GeneratorOptions o) {
    return switch (this) {
      case CRM_ACCOUNTS -> SourceRenderer.crmAccounts(h);
      case BILLING_SUBSCRIPTIONS -> SourceRenderer.subscriptions(h, o);
      case BILLING_INVOICES -> InvoiceRenderer.render(h, o);
      case PRODUCT_EVENTS -> UsageEventRenderer.render(h, o);
      case SUPPORT_TICKETS -> SourceRenderer.supportTickets(h, o);
      case NPS_RESPONSES -> SourceRenderer.npsResponses(h, o);
    };
  }
}
