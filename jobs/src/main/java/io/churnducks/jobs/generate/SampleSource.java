package io.churnducks.jobs.generate;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.validation.Quarantine;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/**
 * The six generated sources: output folder, the canonical table it maps onto, its schema, the
 * contract rules messy mode injects into it, and how an account's history renders into it.
 */
public enum SampleSource {
  /** CRM accounts. */
  CRM_ACCOUNTS("crm_accounts", InputContract.ACCOUNTS.name(), SampleSourceSchemas.CRM_ACCOUNTS,
      List.of(Quarantine.MISSING_REQUIRED, Quarantine.UNPARSEABLE_DATE)),
  /** Billing subscriptions. */
  BILLING_SUBSCRIPTIONS("billing_subscriptions", InputContract.SUBSCRIPTIONS.name(),
      SampleSourceSchemas.BILLING_SUBSCRIPTIONS,
      List.of(Quarantine.NEGATIVE_VALUE, Quarantine.WRONG_TYPE)),
  /** Billing invoices. */
  BILLING_INVOICES("billing_invoices", InputContract.INVOICES.name(),
      SampleSourceSchemas.BILLING_INVOICES,
      List.of(Quarantine.UNPARSEABLE_DATE, Quarantine.UNKNOWN_ACCOUNT)),
  /** Product analytics events. */
  PRODUCT_EVENTS("product_events", InputContract.USAGE_EVENTS.name(),
      SampleSourceSchemas.PRODUCT_EVENTS,
      List.of(Quarantine.MISSING_REQUIRED, Quarantine.WRONG_TYPE, Quarantine.UNKNOWN_ACCOUNT,
          Quarantine.DUPLICATE_KEY, Quarantine.AFTER_CUTOFF)),
  /** Help-desk tickets. */
  SUPPORT_TICKETS("support_tickets", InputContract.SUPPORT_TICKETS.name(),
      SampleSourceSchemas.SUPPORT_TICKETS, List.of()),
  /** NPS survey responses. */
  NPS_RESPONSES("nps_responses", InputContract.SURVEYS.name(), SampleSourceSchemas.NPS_RESPONSES,
      List.of());

  private final String directory;
  private final String canonicalTable;
  private final StructType schema;
  private final List<String> rules;

  SampleSource(String directory, String canonicalTable, StructType schema, List<String> rules) {
    this.directory = directory;
    this.canonicalTable = canonicalTable;
    this.schema = schema;
    this.rules = rules;
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

  /** Index of a column of this source. */
  int column(String name) {
    return schema.fieldIndex(name);
  }

  /** The clean rows of one account, in the column order of {@link #schema()}. */
  List<String[]> render(AccountHistory h, GeneratorOptions o) {
    return switch (this) {
      case CRM_ACCOUNTS -> SourceRenderer.crmAccounts(h);
      case BILLING_SUBSCRIPTIONS -> SourceRenderer.subscriptions(h, o);
      case BILLING_INVOICES -> SourceRenderer.invoices(h, o);
      case PRODUCT_EVENTS -> UsageEventRenderer.render(h, o);
      case SUPPORT_TICKETS -> SourceRenderer.supportTickets(h, o);
      case NPS_RESPONSES -> SourceRenderer.npsResponses(h, o);
    };
  }
}
