package io.churnducks.features.validation;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.SourceMapping;
import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.churnducks.features.testing.RawSources.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Schema drift the run survives, each told in one line naming the source and the column: an extra
 * source column nothing reads (a warning; the run goes on), and a column whose type changed so
 * that none of its values parse (every row rejected, or every value nulled). Renamed, missing and
 * mis-mapped columns stop the run instead (ContractErrorsTest).
 */
class SchemaDriftTest extends SparkTestBase {

  private static final LocalDate EXTRACT = LocalDate.parse("2024-03-31");
  private static final LocalDate RUN = EXTRACT.plusDays(1);

  @Test
  void anExtraSourceColumnIsNamedInOneWarningLine() {
    Dataset<Row> raw = frame(text("account_id", "signup_date", "Region"), new Object[] {"a1", "2024-01-05", "EMEA"});

    Optional<String> warning = SourceConformer.unusedColumnsWarning(raw, InputContract.ACCOUNTS,
        SourceMapping.identity("accounts"), "crm/accounts.csv");

    assertEquals(Optional.of("Source accounts (crm/accounts.csv) has a column its mapping does not use: Region "
        + "(ignored; map it under sources.accounts.columns to read it)"), warning);
    ConformedSource conformed = SourceConformer.conform(raw, InputContract.ACCOUNTS,
        SourceMapping.identity("accounts"), "crm/accounts.csv", RUN, EXTRACT);
    assertEquals(1, conformed.clean().count(), "the run goes on: the row is clean");
  }

  @Test
  void columnsReadOnlyByTheRowFilterOrAMappingExpressionAreUsed() {
    Dataset<Row> raw = frame(text("id", "customer", "created", "unit_cents", "qty", "is_deleted", "Notes", "Tier"),
        new Object[] {"s1", "a1", "2024-01-05", "1000", "3", "false", "renewal call", "gold"});
    SourceMapping mapping = new SourceMapping("subscriptions", Map.of("subscription_id", "id",
        "account_id", "CUSTOMER", "start_date", "created", "mrr", "unit_cents * qty / 100.0"), Map.of(), Map.of(),
        Optional.of("is_deleted = 'false'"));

    assertEquals(List.of("Notes", "Tier"), SourceConformer.unusedColumns(raw, InputContract.SUBSCRIPTIONS, mapping));
    String warning = SourceConformer.unusedColumnsWarning(raw, InputContract.SUBSCRIPTIONS, mapping,
        "billing/subscriptions.csv").orElseThrow();
    assertEquals("Source subscriptions (billing/subscriptions.csv) has 2 columns its mapping does not use: "
        + "Notes, Tier (ignored; map them under sources.subscriptions.columns to read them)", warning);
    assertEquals(1, warning.lines().count());
  }

  @Test
  void aSourceWhoseColumnsAreAllReadHasNoWarning() {
    Dataset<Row> raw = frame(text("account_id", "signup_date", "industry", "_folder_date"),
        new Object[] {"a1", "2024-01-05", "Retail", "2024-01-05"});

    assertEquals(Optional.empty(), SourceConformer.unusedColumnsWarning(raw, InputContract.ACCOUNTS,
        SourceMapping.identity("accounts"), "crm/accounts.csv", "_folder_date"),
        "a column the reader adds itself is not the source's");
  }

  @Test
  void aRequiredNumericColumnNowHoldingTextRejectsEveryRowUnderOneLine() {
    Dataset<Row> raw = frame(text("subscription_id", "account_id", "start_date", "mrr"),
        new Object[] {"s1", "a1", "2024-01-01", "USD 120.00"},
        new Object[] {"s2", "a2", "2024-01-02", "USD 80.00"},
        new Object[] {"s3", "a3", "2024-01-03", "USD 45.50"});

    ConformedSource conformed = SourceConformer.conform(raw, InputContract.SUBSCRIPTIONS,
        SourceMapping.identity("subscriptions"), "billing/subscriptions.csv", RUN, EXTRACT);
    QuarantineSummary summary = QuarantineSummary.of(conformed.rejected());

    assertEquals(0, conformed.clean().count());
    assertEquals(Map.of("subscriptions", List.of("wrong_type in mrr: 3 rows")), summary.notes());
    String line = summary.failure("subscriptions", 3, 0.05);
    assertEquals("source subscriptions rejected 3 of 3 rows (100.0%, threshold 5.0%): wrong_type in mrr: 3 rows",
        line);
    assertTrue(conformed.rejected().where("reason = \"wrong type in mrr: 'USD 80.00' (expected double)\"").count() == 1,
        "each record shows the value and the type expected");
  }

  @Test
  void anOptionalNumericColumnNowHoldingTextIsNulledWithOneSummaryLine() {
    Dataset<Row> raw = frame(text("Id", "CreatedDate", "NumberOfEmployees"),
        new Object[] {"a1", "2024-01-01", "many"},
        new Object[] {"a2", "2024-01-02", "11-50"},
        new Object[] {"a3", "2024-01-03", "unknown"});
    SourceMapping mapping = new SourceMapping("accounts", Map.of("account_id", "Id", "signup_date", "CreatedDate",
        "employee_count", "NumberOfEmployees"), Map.of(), Map.of(), Optional.empty());

    ConformedSource conformed = SourceConformer.conform(raw, InputContract.ACCOUNTS, mapping, "crm/accounts.csv",
        RUN, EXTRACT);
    ValidatedTable accounts = ContractValidator.validateAccounts(conformed);
    QuarantineSummary summary = QuarantineSummary.of(accounts.quarantine());

    assertEquals(3, accounts.clean().where("employee_count IS NULL").count(), "the rows stay, the values go");
    assertEquals(Map.of("accounts", List.of("wrong_type in NumberOfEmployees: 3 values nulled")), summary.notes());
    assertEquals(0, summary.rejected("accounts"), "nulled values do not count toward the rejected share");
  }
}
