package io.churnducks.features.validation;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.SourceMapping;
import io.churnducks.features.contract.TableContract;
import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;

import static io.churnducks.features.testing.RawSources.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configuration mistakes stop the run with one clear message naming the source and the fix. */
class ContractErrorsTest extends SparkTestBase {

  private static final LocalDate EXTRACT = LocalDate.parse("2024-03-31");
  /** The run the day after the extract ends: nothing in the extract is out of scope. */
  private static final LocalDate RUN = EXTRACT.plusDays(1);

  private static String failure(Dataset<Row> raw, TableContract contract, SourceMapping mapping) {
    return assertThrows(ContractException.class,
        () -> SourceConformer.conform(raw, contract, mapping, "billing/subscriptions.csv", RUN, EXTRACT)).getMessage();
  }

  private static SourceMapping columns(String table, Map<String, String> columns) {
    return new SourceMapping(table, columns, Map.of(), Map.of(), Optional.empty());
  }

  private static void assertContains(String message, String... parts) {
    for (String p : parts) {
      assertTrue(message.contains(p), () -> "expected '" + p + "' in: " + message);
    }
  }

  @Test
  void aFormatOrValueMappingForNoCanonicalColumnOrAFormatThatReadsNothingIsRefused() {
    Dataset<Row> raw = frame(text("id", "customer", "created", "mrr"), new Object[] {"s1", "a1", "01/02/2024", "$9"});
    Map<String, String> columns = Map.of("subscription_id", "id", "account_id", "customer", "start_date", "created");

    assertEquals("Cannot map source subscriptions (billing/subscriptions.csv): formats 'start' is not a canonical "
        + "column (canonical columns: " + String.join(", ", InputContract.SUBSCRIPTIONS.columnNames()) + ")",
        failure(raw, InputContract.SUBSCRIPTIONS, new SourceMapping("subscriptions", columns,
            Map.of("start", "MM/dd/yyyy"), Map.of(), Optional.empty())));
    assertContains(failure(raw, InputContract.SUBSCRIPTIONS, new SourceMapping("subscriptions", columns, Map.of(),
            Map.of("state", Map.of("on", "active")), Optional.empty())),
        "values 'state' is not a canonical column");
    assertContains(failure(raw, InputContract.SUBSCRIPTIONS, new SourceMapping("subscriptions", columns,
            Map.of("mrr", "#,##0.00"), Map.of(), Optional.empty())),
        "formats 'mrr' = '#,##0.00' is not a number format", "\"1,234.56\", \"1.234,56\"");
    assertContains(failure(raw, InputContract.SUBSCRIPTIONS, new SourceMapping("subscriptions", columns,
            Map.of("subscription_id", "1,234.56"), Map.of(), Optional.empty())),
        "formats 'subscription_id' applies to date, time and number columns only; subscription_id is string");
  }

  @Test
  void missingRequiredColumnNamesTheSourceTheColumnAndTheColumnsFound() {
    Dataset<Row> raw = frame(text("id", "customer", "created"), new Object[] {"s1", "a1", "2024-01-01"});

    String message = failure(raw, InputContract.SUBSCRIPTIONS,
        columns("subscriptions", Map.of("subscription_id", "id", "account_id", "customer", "start_date", "created")));

    assertEquals("Cannot read source subscriptions (billing/subscriptions.csv): missing required column mrr "
        + "(found columns: id, customer, created; fix the column mapping in the config)", message);
  }

  @Test
  void requiredColumnMappedToAnAbsentSourceColumnShowsTheMapping() {
    Dataset<Row> raw = frame(text("id", "customer", "created", "mrr"), new Object[] {"s1", "a1", "2024-01-01", "1"});

    String message = failure(raw, InputContract.SUBSCRIPTIONS, columns("subscriptions",
        Map.of("subscription_id", "id", "account_id", "customer", "start_date", "created_at")));

    assertContains(message, "Cannot read source subscriptions (billing/subscriptions.csv)",
        "missing required column start_date (mapped to 'created_at')", "found columns: id, customer, created, mrr",
        "fix the column mapping");
  }

  @Test
  void aRenamedColumnIsNamedWithItsLikelyNewName() {
    Dataset<Row> raw = frame(text("id", "customer", "CreatedAt", "Monthly_Amounts"),
        new Object[] {"s1", "a1", "2024-01-01", "1"});

    String message = failure(raw, InputContract.SUBSCRIPTIONS, columns("subscriptions",
        Map.of("subscription_id", "id", "account_id", "customer", "start_date", "created_at", "mrr", "monthly_amount")));

    assertContains(message, "missing required columns ", "start_date (mapped to 'created_at') (did you mean 'CreatedAt'?)",
        "mrr (mapped to 'monthly_amount') (did you mean 'Monthly_Amounts'?)");
    assertEquals(1, message.lines().count(), message);
    assertEquals("", SourceConformer.didYouMean("plan", new String[] {"id", "customer", "seats"}),
        "nothing alike, nothing suggested");
  }

  @Test
  void optionalColumnMappingThatDoesNotResolveFailsClearly() {
    Dataset<Row> raw = frame(text("subscription_id", "account_id", "start_date", "mrr", "plan_code"),
        new Object[] {"s1", "a1", "2024-01-01", "1", "pro"});

    String message = failure(raw, InputContract.SUBSCRIPTIONS,
        columns("subscriptions", Map.of("plan", "plan_name", "seats", "quantity * 2")));

    assertContains(message, "Cannot read source subscriptions (billing/subscriptions.csv)",
        "mapping does not resolve for", "plan (mapped to 'plan_name')", "seats (mapped to 'quantity * 2')",
        "found columns: subscription_id, account_id, start_date, mrr, plan_code");
  }

  @Test
  void usageEventsWithNeitherAccountNorSubscriptionColumnFailClearly() {
    Dataset<Row> raw = frame(text("event_time", "feature", "user_id"),
        new Object[] {"2024-03-01T10:00:00Z", "report", "u1"});

    String message = failure(raw, InputContract.USAGE_EVENTS, SourceMapping.identity("usage_events"));

    assertContains(message, "Cannot read source usage_events", "account_id", "subscription_id",
        "found columns: event_time, feature, user_id");
  }

  @Test
  void mappingKeyThatIsNotACanonicalColumnFailsClearly() {
    Dataset<Row> raw = frame(text("account_id", "signup_date"), new Object[] {"a1", "2024-01-01"});

    String message = failure(raw, InputContract.ACCOUNTS, columns("accounts", Map.of("signup", "signup_date")));

    assertContains(message, "Cannot map source accounts", "'signup' is not a canonical column",
        "account_id, signup_date");
  }

  @Test
  void rowFilterOverUnknownColumnsFailsClearly() {
    Dataset<Row> raw = frame(text("account_id", "signup_date"), new Object[] {"a1", "2024-01-01"});

    String message = failure(raw, InputContract.ACCOUNTS,
        new SourceMapping("accounts", Map.of(), Map.of(), Map.of(), Optional.of("is_deleted = false")));

    assertContains(message, "Cannot apply the row filter of source accounts", "is_deleted = false",
        "found columns: account_id, signup_date");
  }

  @Test
  void malformedDatePatternFailsClearly() {
    Dataset<Row> raw = frame(text("account_id", "signup_date"), new Object[] {"a1", "2024-01-01"});

    String message = failure(raw, InputContract.ACCOUNTS,
        new SourceMapping("accounts", Map.of(), Map.of("signup_date", "yyyy-MM-dd {local}"), Map.of(),
            Optional.empty()));

    assertContains(message, "accounts.signup_date", "yyyy-MM-dd {local}", "epoch_seconds");
  }

  @Test
  void patternLetterSparkCannotParseWithFailsBeforeTheRun() {
    Dataset<Row> raw = frame(text("account_id", "signup_date"), new Object[] {"a1", "05.03.2024"});

    String message = failure(raw, InputContract.ACCOUNTS,
        new SourceMapping("accounts", Map.of(), Map.of("signup_date", "dd.MM.YYYY"), Map.of(), Optional.empty()));

    assertContains(message, "accounts.signup_date", "dd.MM.YYYY", "'Y'", "use 'y' for the year");
  }

  @Test
  void missingRequiredSourceFailsClearly() {
    Dataset<Row> accounts = frame(text("account_id", "signup_date"), new Object[] {"a1", "2024-01-01"});
    ConformedSource conformed = SourceConformer.conform(accounts, InputContract.ACCOUNTS,
        SourceMapping.identity("accounts"), "crm/accounts.csv", RUN, EXTRACT);

    String message = assertThrows(ContractException.class,
        () -> ContractValidator.validate(Map.of("accounts", conformed))).getMessage();

    assertEquals("Cannot validate inputs: required source subscriptions is not configured "
        + "(add sources.subscriptions to the config)", message);
  }
}
