package io.churnducks.jobs.generate;

import io.churnducks.features.validation.Quarantine;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Messy mode: adds corrupted extra rows to a source, never touching the original rows, so the
 * clean data and the truth stay the same. Each extra row breaks exactly one contract rule.
 *
 * <p>For every clean row a hash of (seed, source, account, row number) picks at most one rule,
 * each with probability {@code messy}, so a source with R rules gets about {@code messy × rows}
 * extra rows per rule. The first eligible row of the first account gets every rule of its source,
 * so each (source, rule) pair occurs at least once whenever {@code messy > 0}. Extra rows carry
 * fresh ids (the original id plus {@code -x<n>}), except the exact duplicates of
 * {@code duplicate_key}. Voided invoices, which the pipeline filters out, are never copied.
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
      double u = Randoms.unitHash(o.seed(), source.ordinal(), h.index, i);
      int k = (int) (u / o.messy());
      if (k < rules.size()) {
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
    int key = 0;
    copy[key] = row[key] + "-x" + (source.injectedRules().indexOf(rule) + 1);
    double variant = Randoms.unitHash(o.seed(), source.ordinal(), h.index, rowNumber, 1);
    String unknownAccount = UNKNOWN_ACCOUNT_PREFIX + h.number();
    switch (source) {
      case CRM_ACCOUNTS -> {
        if (rule.equals(Quarantine.MISSING_REQUIRED)) {
          copy[source.column("Id")] = null;
        } else {
          copy[source.column("CreatedDate")] = variant < 0.5 ? "13/45/2021" : "n/a";
        }
      }
      case BILLING_SUBSCRIPTIONS -> {
        if (rule.equals(Quarantine.NEGATIVE_VALUE)) {
          copy[source.column("unit_amount_cents")] = "-" + row[source.column("unit_amount_cents")];
        } else {
          copy[source.column("quantity")] = "ten";
        }
      }
      case BILLING_INVOICES -> {
        if (rule.equals(Quarantine.UNPARSEABLE_DATE)) {
          copy[source.column("created")] = "N/A";
        } else {
          copy[source.column("customer_ref")] = unknownAccount;
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
      default -> throw unknownRule(source, rule);
    }
    return copy;
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
