package io.churnducks.features.validation;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.TableContract;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies the cross-row and cross-table rules to conformed sources: account references are
 * resolved and checked against the clean accounts, then keys are de-duplicated. Returns the
 * clean canonical tables and the union of every rejected row.
 */
public final class ContractValidator {

  private ContractValidator() {}

  /**
   * @param conformed canonical table name → conformed source; must hold accounts and subscriptions
   * @throws ContractException when a required source is not configured
   */
  public static ValidatedInputs validate(Map<String, ConformedSource> conformed) {
    for (TableContract t : InputContract.ALL) {
      if (t.requiredSource() && !conformed.containsKey(t.name())) {
        throw new ContractException("Cannot validate inputs: required source " + t.name()
            + " is not configured (add sources." + t.name() + " to the config)");
      }
    }
    List<Dataset<Row>> rejected = new ArrayList<>();
    Map<String, Dataset<Row>> clean = new LinkedHashMap<>();
    Dataset<Row> accountIds = null;
    Dataset<Row> subscriptions = null;
    for (TableContract t : InputContract.ALL) {
      ConformedSource source = conformed.get(t.name());
      if (source == null) {
        continue;
      }
      rejected.add(source.rejected());
      Dataset<Row> rows = source.clean();
      if (t.oneOfRequired().contains("subscription_id") && source.sourceColumns().containsKey("subscription_id")) {
        ReferenceChecks.Split s = ReferenceChecks.resolveAccountThroughSubscription(
            rows, subscriptions, t.name(), source.sourceColumn("subscription_id"));
        rows = s.passed();
        rejected.add(s.rejected());
      }
      if (t.accountRequired()) {
        ReferenceChecks.Split s = ReferenceChecks.unknownAccounts(
            rows, accountIds, t.name(), source.sourceColumn("account_id"));
        rows = s.passed();
        rejected.add(s.rejected());
      }
      if (t.keyColumn().isPresent()) {
        String key = t.keyColumn().get();
        ReferenceChecks.Split s = ReferenceChecks.duplicates(rows, t.name(), key, source.sourceColumn(key));
        rows = s.passed();
        rejected.add(s.rejected());
      }
      Dataset<Row> canonical = rows.select(t.columnNames().stream()
          .map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new));
      clean.put(t.name(), canonical);
      if (t == InputContract.ACCOUNTS) {
        accountIds = canonical.select("account_id");
      } else if (t == InputContract.SUBSCRIPTIONS) {
        subscriptions = canonical;
      }
    }
    Dataset<Row> quarantine = rejected.get(0);
    for (int i = 1; i < rejected.size(); i++) {
      quarantine = quarantine.unionByName(rejected.get(i));
    }
    return new ValidatedInputs(clean, quarantine);
  }
}
