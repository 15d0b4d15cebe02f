package io.churnducks.features.validation;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.TableContract;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * Applies the cross-row and cross-table rules to conformed sources: account references are
 * resolved and checked against the clean accounts, then keys are de-duplicated. Returns every
 * table with its rows marked, from which the clean tables and the quarantine are read.
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
    Dataset<Row> rejected = null;
    Map<String, Dataset<Row>> checked = new LinkedHashMap<>();
    Dataset<Row> accountIds = null;
    Dataset<Row> subscriptions = null;
    for (TableContract t : InputContract.ALL) {
      ConformedSource source = conformed.get(t.name());
      if (source == null) {
        continue;
      }
      rejected = rejected == null ? source.rejected() : rejected.unionByName(source.rejected());
      Dataset<Row> rows = ReferenceChecks.unmarked(source.clean());
      if (t.oneOfRequired().contains("subscription_id") && source.sourceColumns().containsKey("subscription_id")) {
        rows = ReferenceChecks.resolveAccountThroughSubscription(rows, subscriptions,
            source.sourceColumn("subscription_id"));
      }
      if (t.accountRequired()) {
        rows = ReferenceChecks.markUnknownAccounts(rows, accountIds, source.sourceColumn("account_id"));
      }
      if (t.keyColumn().isPresent()) {
        String key = t.keyColumn().get();
        rows = ReferenceChecks.markDuplicates(rows, key, source.sourceColumn(key));
      }
      checked.put(t.name(), rows);
      Dataset<Row> passed = rows.where(col(ReferenceChecks.PROBLEM).isNull());
      if (t == InputContract.ACCOUNTS) {
        accountIds = passed.select("account_id");
      } else if (t == InputContract.SUBSCRIPTIONS) {
        subscriptions = passed.select("subscription_id", "account_id");
      }
    }
    return new ValidatedInputs(checked, rejected);
  }
}
