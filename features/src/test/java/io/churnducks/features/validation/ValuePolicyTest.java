package io.churnducks.features.validation;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.SourceMapping;
import io.churnducks.features.contract.TableContract;
import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.churnducks.features.testing.RawSources.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Validation is per value: a bad optional value is nulled and recorded while the row and its
 * customer stay; a rejected account takes its dependent rows with it, and they say why.
 */
class ValuePolicyTest extends SparkTestBase {

  private static final LocalDate EXTRACT = LocalDate.parse("2024-03-31");
  private static final LocalDate RUN = EXTRACT.plusDays(1);

  private static ConformedSource conform(Dataset<Row> raw, TableContract contract, SourceMapping mapping) {
    return SourceConformer.conform(raw, contract, mapping, "test:" + contract.name(), RUN, EXTRACT);
  }

  private static ConformedSource conform(Dataset<Row> raw, TableContract contract) {
    return conform(raw, contract, SourceMapping.identity(contract.name()));
  }

  private static List<String> ids(Dataset<Row> clean, String column) {
    return clean.select(column).orderBy(column).as(Encoders.STRING()).collectAsList();
  }

  private static Dataset<Row> subscriptions(Object[]... rows) {
    return frame(text("subscription_id", "account_id", "start_date", "mrr"), rows);
  }

  private static Dataset<Row> events(Object[]... rows) {
    return frame(text("event_id", "event_time", "feature", "account_id"), rows);
  }

  private static Dataset<Row> invoices(Object[]... rows) {
    return frame(text("invoice_id", "account_id", "issued_date", "amount"), rows);
  }

  @Test
  void badOptionalValueKeepsTheRowTheAccountAndItsDependents() {
    Map<String, ConformedSource> sources = new LinkedHashMap<>();
    sources.put("accounts", conform(frame(text("Id", "CreatedDate", "NumberOfEmployees", "Industry"),
        new Object[] {"a1", "2024-01-01", "many", "Retail"},
        new Object[] {"a2", "2024-01-02", "12", "Retail"}), InputContract.ACCOUNTS, new SourceMapping("accounts",
        Map.of("account_id", "Id", "signup_date", "CreatedDate", "employee_count", "NumberOfEmployees",
            "industry", "Industry"), Map.of(), Map.of(), Optional.empty())));
    sources.put("subscriptions", conform(subscriptions(
        new Object[] {"s1", "a1", "2024-01-01", "10"},
        new Object[] {"s2", "a2", "2024-01-02", "20"}), InputContract.SUBSCRIPTIONS));
    sources.put("usage_events", conform(events(new Object[] {"e1", "2024-03-01T10:00:00Z", "report", "a1"}),
        InputContract.USAGE_EVENTS));
    sources.put("invoices", conform(invoices(new Object[] {"i1", "a1", "2024-03-01", "10"}), InputContract.INVOICES));

    ValidatedInputs v = ContractValidator.validate(sources);

    Dataset<Row> accounts = v.require("accounts").select("account_id", "employee_count", "industry");
    assertFramesEqual(frame(accounts.schema(), new Object[] {"a1", null, "Retail"}, new Object[] {"a2", 12, "Retail"}),
        accounts);
    assertEquals(List.of("s1", "s2"), ids(v.require("subscriptions"), "subscription_id"));
    assertEquals(List.of("e1"), ids(v.require("usage_events"), "event_id"));
    assertEquals(List.of("i1"), ids(v.require("invoices"), "invoice_id"));
    Dataset<Row> quarantine = v.quarantine().select("source", "rule", "action", "source_column", "value", "raw");
    assertFramesEqual(frame(quarantine.schema(), new Object[] {"accounts", "wrong_type", "value_nulled",
            "NumberOfEmployees", "many",
            "{\"Id\":\"a1\",\"CreatedDate\":\"2024-01-01\",\"NumberOfEmployees\":\"many\",\"Industry\":\"Retail\"}"}),
        quarantine);
    ConformedSource a = sources.get("accounts");
    assertEquals(0L, a.checked().agg(a.rejectedCount()).first().getLong(0), "a nulled value rejects no row");
  }

  @Test
  void dependentRowsOfARejectedAccountNameTheAccountsRejection() {
    Map<String, ConformedSource> sources = new LinkedHashMap<>();
    sources.put("accounts", conform(frame(text("account_id", "signup_date"),
        new Object[] {"a1", "not a date"},
        new Object[] {"a2", "2024-01-02"}), InputContract.ACCOUNTS));
    sources.put("subscriptions", conform(subscriptions(
        new Object[] {"s1", "a1", "2024-01-01", "10"},
        new Object[] {"s2", "a2", "2024-01-02", "20"},
        new Object[] {"s3", "a9", "2024-01-02", "20"}), InputContract.SUBSCRIPTIONS));
    sources.put("invoices", conform(invoices(new Object[] {"i1", "a1", "2024-03-01", "10"}), InputContract.INVOICES));

    ValidatedInputs v = ContractValidator.validate(sources);

    Dataset<Row> q = v.quarantine().selectExpr("source", "rule", "action", "source_column", "value", "reason");
    assertFramesEqual(frame(q.schema(),
            new Object[] {"accounts", "unparseable_date", "row_rejected", "signup_date", "not a date",
                "unparseable date in signup_date: 'not a date' (expected ISO-8601)"},
            new Object[] {"subscriptions", "rejected_account", "row_rejected", "account_id", "a1",
                "account 'a1' in account_id was rejected: unparseable date in signup_date: 'not a date' "
                    + "(expected ISO-8601)"},
            new Object[] {"subscriptions", "unknown_account", "row_rejected", "account_id", "a9",
                "unknown account in account_id: 'a9' is not in accounts"},
            new Object[] {"invoices", "rejected_account", "row_rejected", "account_id", "a1",
                "account 'a1' in account_id was rejected: unparseable date in signup_date: 'not a date' "
                    + "(expected ISO-8601)"}),
        q);
    assertEquals(List.of("s2"), ids(v.require("subscriptions"), "subscription_id"));
  }

  @Test
  void oneSliceOfEventsIsValidatedAgainstAccountsValidatedBefore() {
    ValidatedTable accounts = ContractValidator.validateAccounts(conform(frame(text("account_id", "signup_date"),
        new Object[] {"a1", "2024-01-01"},
        new Object[] {"a2", "2024-01-02"},
        new Object[] {"a2", "2023-13-01"},
        new Object[] {"a3", null}), InputContract.ACCOUNTS));
    ValidatedTable subscriptions = ContractValidator.validateDependent(conform(subscriptions(
            new Object[] {"s1", "a1", "2024-01-01", "10"}), InputContract.SUBSCRIPTIONS),
        accounts.clean().select("account_id"), accounts.rejectedKeys(), null);
    Dataset<Row> slice = frame(text("event_id", "event_time", "feature", "account_id", "subscription_id"),
        new Object[] {"e1", "2024-03-01T10:00:00Z", "report", "a2", null},
        new Object[] {"e2", "2024-03-01T10:00:00Z", "report", "a3", null},
        new Object[] {"e3", "2024-03-01T10:00:00Z", "report", null, "s1"},
        new Object[] {"e4", "2024-03-01T10:00:00Z", "report", "a4", null});

    ValidatedTable events = ContractValidator.validateDependent(conform(slice, InputContract.USAGE_EVENTS),
        accounts.clean().select("account_id"), accounts.rejectedKeys(),
        subscriptions.clean().select("subscription_id", "account_id"),
        InputContract.USAGE_EVENTS.duplicateScope().toArray(String[]::new));

    // a2 has a clean copy, so its rejected copy does not reject its events.
    Dataset<Row> clean = events.clean().select("event_id", "account_id");
    assertFramesEqual(frame(clean.schema(), new Object[] {"e1", "a2"}, new Object[] {"e3", "a1"}), clean);
    Dataset<Row> q = events.quarantine().selectExpr("get_json_object(raw, '$.event_id') AS id", "rule", "reason");
    assertFramesEqual(frame(q.schema(),
            new Object[] {"e2", "rejected_account",
                "account 'a3' in account_id was rejected: missing required signup_date in signup_date"},
            new Object[] {"e4", "unknown_account", "unknown account in account_id: 'a4' is not in accounts"}),
        q);
  }
}
