package io.churnducks.jobs.generate;

import io.churnducks.features.validation.Quarantine;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Messy mode: adds corrupted extra rows to a source, never touching the original rows, so the
 * clean data and the truth stay the same. Each extra row breaks exactly one contract rule.
 *
 * <p>For every clean row a hash of (seed, source, account, row number) picks each rule with
 * probability {@code messy}, at most once, so a source with R rules gets about {@code messy × rows}
 * extra rows per rule: at most one per clean row while {@code R × messy <= 1}, more above (at
 * {@code messy = 1} every row gets every rule, and R of every R + 1 rows are bad). The first
 * eligible row of the first account gets every rule of its source, so each (source, rule) pair
 * occurs at least once whenever {@code messy > 0} and that account has a row in the source. Extra rows carry fresh ids (the original id plus {@code -x<n>}), except the
 * exact duplicates of {@code duplicate_key} and survey responses (which have no id). Voided
 * invoices, which the pipeline filters out, are never copied.
 *
 * <p>Some rules only null a value ({@link SampleSource#action}): a bad optional value (employee
 * count, event quantity, invoice status, ticket satisfaction) leaves a clean extra row and one
 * {@code value_nulled} record. A {@code rejected_account} invoice names the first account's
 * rejected copy ({@link #rejectedAccountId()}).
 */
final class ContractViolations {

  /** Account id prefix of {@code unknown_account} rows: eight digits, never a real account. */
  static final String UNKNOWN_ACCOUNT_PREFIX = "ACC-9";

  private ContractViolations() {}

  /**
   * The account's rows for {@code source} with any injected rows after their original, each
   * row followed by one extra value: the rule the row breaks, or null for a clean row.
   */
  static List<Row> withViolations(SampleSource source, List<String[]> clean, AccountHistory h,
      GeneratorOptions o) {
    List<String> rules = source.injectedRules();
    List<Row> out = new ArrayList<>(clean.size() + 8);
    boolean everyRulePending = h.index == 0;
    for (int i = 0; i < clean.size(); i++) {
      String[] row = clean.get(i);
      out.add(tagged(row, null));
      if (o.messy() == 0 || rules.isEmpty() || !eligible(source, row)) {
        continue;
      }
      if (everyRulePending) {
        for (String rule : rules) {
          out.add(tagged(violate(source, rule, row, h, o, i), rule));
        }
        everyRulePending = false;
        continue;
      }
      // The rules lie end to end, each messy long; the points u, u + 1, u + 2, ... pick the rules
      // whose span holds one: each rule with probability messy, at most once per row. While
      // rules x messy <= 1 only u can fall on a rule, so a row gets at most one extra row.
      double u = Randoms.unitHash(o.seed(), source.ordinal(), h.index, i);
      for (int t = 0; ; t++) {
        int k = (int) ((u + t) / o.messy());
        if (k >= rules.size()) {
          break;
        }
        String rule = rules.get(k);
        out.add(tagged(violate(source, rule, row, h, o, i), rule));
      }
    }
    return out;
  }

  private static boolean eligible(SampleSource source, String[] row) {
    return source != SampleSource.BILLING_INVOICES
        || !"void".equals(row[source.column("status")]);
  }

  /** A copy of {@code row} that breaks {@code rule} and nothing else. */
  private static String[] violate(SampleSource source, String rule, String[] row,
      AccountHistory h, GeneratorOptions o, int rowNumber) {
    String[] copy = Arrays.copyOf(row, row.length);
    if (rule.equals(Quarantine.DUPLICATE_KEY)) {
      return copy;
    }
    if (source != SampleSource.NPS_RESPONSES) {
      // A fresh id, so the extra row never duplicates its original (survey responses have no id).
      int key = 0;
      copy[key] = row[key] + "-x" + (source.injectedRules().indexOf(rule) + 1);
    }
    double variant = Randoms.unitHash(o.seed(), source.ordinal(), h.index, rowNumber, 1);
    String unknownAccount = UNKNOWN_ACCOUNT_PREFIX + h.number();
    switch (source) {
      case CRM_ACCOUNTS -> {
        switch (rule) {
          case Quarantine.MISSING_REQUIRED -> copy[source.column("Id")] = null;
          case Quarantine.UNPARSEABLE_DATE ->
              copy[source.column("CreatedDate")] = variant < 0.5 ? "13/45/2021" : "n/a";
          case Quarantine.WRONG_TYPE -> copy[source.column("NumberOfEmployees")] = "many";
          default -> throw unknownRule(source, rule);
        }
      }
      case BILLING_SUBSCRIPTIONS -> {
        switch (rule) {
          case Quarantine.NEGATIVE_VALUE -> copy[source.column("unit_amount_cents")] =
              "-" + row[source.column("unit_amount_cents")];
          // Seats and the mrr expression both read quantity: the row is rejected (mrr missing)
          // under the parse failure that explains it.
          case Quarantine.WRONG_TYPE -> copy[source.column("quantity")] = "ten";
          default -> throw unknownRule(source, rule);
        }
      }
      case BILLING_INVOICES -> {
        switch (rule) {
          case Quarantine.UNPARSEABLE_DATE -> copy[source.column("created")] = "N/A";
          case Quarantine.UNKNOWN_ACCOUNT -> copy[source.column("customer_ref")] = unknownAccount;
          case Quarantine.REJECTED_ACCOUNT -> copy[source.column("customer_ref")] = rejectedAccountId();
          case Quarantine.INVALID_VALUE -> copy[source.column("status")] = "chargeback";
          default -> throw unknownRule(source, rule);
        }
      }
      case PRODUCT_EVENTS -> {
        switch (rule) {
          case Quarantine.MISSING_REQUIRED -> copy[source.column("org_id")] = null;
          case Quarantine.WRONG_TYPE -> copy[source.column("qty")] = "lots";
          case Quarantine.UNKNOWN_ACCOUNT -> copy[source.column("org_id")] = unknownAccount;
          case Quarantine.AFTER_CUTOFF -> {
            int ts = source.column("timestamp");
            long dayMillis = 86_400_000L;
            long days = 1 + (long) (variant * 30);
            long cutoffMillis = o.cutoff().toEpochDay() * dayMillis;
            long timeOfDay = Math.floorMod(Long.parseLong(row[ts]), dayMillis);
            copy[ts] = Long.toString(cutoffMillis + days * dayMillis + timeOfDay);
          }
          default -> throw unknownRule(source, rule);
        }
      }
      case SUPPORT_TICKETS -> {
        switch (rule) {
          case Quarantine.ORDER_VIOLATION -> {
            long opened = LocalDateTime.parse(row[source.column("created_at")], SourceRenderer.ISO_SECONDS)
                .toEpochSecond(ZoneOffset.UTC);
            copy[source.column("solved_at")] = SourceRenderer.isoSeconds(opened - 60 * (1 + (long) (variant * 600)));
          }
          case Quarantine.OUT_OF_RANGE -> copy[source.column("csat_score")] = variant < 0.5 ? "0" : "9";
          default -> throw unknownRule(source, rule);
        }
      }
      case NPS_RESPONSES -> {
        if (!rule.equals(Quarantine.OUT_OF_RANGE)) {
          throw unknownRule(source, rule);
        }
        copy[source.column("score")] = variant < 0.5 ? "11" : "-1";
      }
      default -> throw unknownRule(source, rule);
    }
    return copy;
  }

  /**
   * The id of an account the pipeline rejects: the first account's copy with an unparseable signup
   * date, which messy mode always injects (the first account gets every rule of its source).
   */
  static String rejectedAccountId() {
    return AccountHistory.accountId(0) + "-x"
        + (SampleSource.CRM_ACCOUNTS.injectedRules().indexOf(Quarantine.UNPARSEABLE_DATE) + 1);
  }

  private static IllegalStateException unknownRule(SampleSource source, String rule) {
    return new IllegalStateException("Cannot inject " + rule + " into " + source.directory()
        + ": not one of its rules " + source.injectedRules());
  }

  private static Row tagged(String[] row, String rule) {
    Object[] values = Arrays.copyOf(row, row.length + 1, Object[].class);
    values[row.length] = rule;
    return RowFactory.create(values);
  }
}
