package io.churnducks.features.validation;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.TableContract;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Applies the cross-row and cross-table rules to conformed sources: account references are
 * resolved and checked against the clean accounts, then keys are de-duplicated.
 *
 * <p>Each table can be validated on its own, one source slice at a time (e.g. the usage events of
 * a batch of event dates): {@link #validateAccounts} first, then {@link #validateDependent} for
 * any other table given the clean account ids, the rejected accounts and the clean subscriptions.
 * {@link #validate(Map)} does the same for every configured source at once.
 */
public final class ContractValidator {

  private ContractValidator() {}

  /**
   * Validates every configured source, accounts first, then subscriptions, then the rest; each
   * table's duplicates are scoped by its contract's {@link TableContract#duplicateScope()}.
   *
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
    Map<String, ValidatedTable> validated = new LinkedHashMap<>();
    ValidatedTable accounts = validateAccounts(conformed.get(InputContract.ACCOUNTS.name()));
    validated.put(accounts.table(), accounts);
    Dataset<Row> accountIds = accounts.clean().select("account_id");
    Dataset<Row> rejectedAccounts = accounts.rejectedKeys();
    Dataset<Row> subscriptions = null;
    for (TableContract t : InputContract.ALL) {
      ConformedSource source = conformed.get(t.name());
      if (source == null || t == InputContract.ACCOUNTS) {
        continue;
      }
      ValidatedTable table = validateDependent(source, accountIds, rejectedAccounts, subscriptions,
          t.duplicateScope().toArray(String[]::new));
      validated.put(t.name(), table);
      if (t == InputContract.SUBSCRIPTIONS) {
        subscriptions = table.clean().select("subscription_id", "account_id");
      }
    }
    return new ValidatedInputs(validated);
  }

  /**
   * Validates the accounts: duplicate account ids (the copy with the latest signup_date is kept).
   * Read the clean ids from {@code clean().select("account_id")} and the rejected accounts from
   * {@link ValidatedTable#rejectedKeys()}.
   */
  public static ValidatedTable validateAccounts(ConformedSource accounts) {
    if (!accounts.table().equals(InputContract.ACCOUNTS.name())) {
      throw new ContractException("Cannot validate " + accounts.table() + " as accounts (use validateDependent)");
    }
    return new ValidatedTable(accounts, deduplicated(ReferenceChecks.unmarked(accounts.clean()), accounts,
        InputContract.ACCOUNTS, InputContract.ACCOUNTS.duplicateScope().toArray(String[]::new)));
  }

  /**
   * Validates one table (or one slice of it) that refers to accounts: account ids are resolved
   * through subscriptions where the row names only a subscription, checked against the clean
   * accounts ({@code rejected_account} naming the account's rejection, else {@code unknown_account}),
   * then the key is de-duplicated within {@code duplicateScope}.
   *
   * @param source             the conformed table or slice
   * @param cleanAccountIds    clean accounts: column {@code account_id}
   * @param rejectedAccounts   rejected accounts without a clean copy: columns {@code account_id, reason}
   *                           (see {@link ValidatedTable#rejectedKeys()}); null: none
   * @param cleanSubscriptions clean subscriptions: columns {@code subscription_id, account_id}; may
   *                           be null unless the source maps {@code subscription_id} and its table
   *                           resolves accounts through it (usage events)
   * @param duplicateScope     Spark SQL expressions over the canonical columns within which the key
   *                           must be unique, e.g. {@code to_date(event_time)} (the contract's
   *                           {@link TableContract#duplicateScope()}); none: the whole slice
   * @return the table's marked rows, from which its clean rows and quarantine are read
   */
  public static ValidatedTable validateDependent(ConformedSource source, Dataset<Row> cleanAccountIds,
      Dataset<Row> rejectedAccounts, Dataset<Row> cleanSubscriptions, String... duplicateScope) {
    return validateDependent(source, ReferenceChecks.unmarked(source.clean()), cleanAccountIds, rejectedAccounts,
        cleanSubscriptions, duplicateScope);
  }

  /**
   * As {@link #validateDependent(ConformedSource, Dataset, Dataset, Dataset, String...)}, but the
   * returned table's {@link ValidatedTable#checked()} also holds the row-level rejects (marked, see
   * {@link ConformedSource#marked()}): its {@link ValidatedTable#crossRowQuarantine} is the whole
   * quarantine, so a large source is read, and can be staged, once. Use
   * {@link ValidatedTable#crossRowQuarantine} for the quarantine of such a table, not
   * {@link ValidatedTable#quarantine()}.
   */
  public static ValidatedTable validateDependentInOnePass(ConformedSource source, Dataset<Row> cleanAccountIds,
      Dataset<Row> rejectedAccounts, Dataset<Row> cleanSubscriptions, String... duplicateScope) {
    return validateDependent(source, source.marked(), cleanAccountIds, rejectedAccounts, cleanSubscriptions,
        duplicateScope);
  }

  private static ValidatedTable validateDependent(ConformedSource source, Dataset<Row> rows,
      Dataset<Row> cleanAccountIds, Dataset<Row> rejectedAccounts, Dataset<Row> cleanSubscriptions,
      String... duplicateScope) {
    TableContract t = InputContract.table(source.table());
    if (t.oneOfRequired().contains("subscription_id") && source.sourceColumns().containsKey("subscription_id")) {
      if (cleanSubscriptions == null) {
        throw new ContractException("Cannot validate " + t.name() + ": rows may name only a subscription and no "
            + "clean subscriptions were given (validate subscriptions first and pass their clean rows)");
      }
      rows = ReferenceChecks.resolveAccountThroughSubscription(rows, cleanSubscriptions,
          source.sourceColumn("subscription_id"));
    }
    if (t.accountRequired()) {
      rows = ReferenceChecks.markAccounts(rows, cleanAccountIds, rejectedAccounts, source.sourceColumn("account_id"));
    }
    return new ValidatedTable(source, deduplicated(rows, source, t, duplicateScope));
  }

  private static Dataset<Row> deduplicated(Dataset<Row> rows, ConformedSource source, TableContract t,
      String[] scope) {
    if (t.keyColumn().isEmpty()) {
      return rows;
    }
    String key = t.keyColumn().get();
    return ReferenceChecks.markDuplicates(rows, key, source.sourceColumn(key), t.recencyColumn().orElse(null), scope);
  }
}
