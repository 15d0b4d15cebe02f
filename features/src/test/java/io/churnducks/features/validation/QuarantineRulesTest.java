package io.churnducks.features.validation;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.SourceMapping;
import io.churnducks.features.contract.TableContract;
import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.churnducks.features.testing.RawSources.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every quarantine rule: the exact rule code, the source column named, and the raw row kept as
 * read. Clean rows never reach quarantine, and a row with several problems is quarantined once.
 */
class QuarantineRulesTest extends SparkTestBase {

  private static final LocalDate EXTRACT = LocalDate.parse("2024-03-31");
  private static final String[] QUARANTINE_COLUMNS = {"source", "rule", "source_column", "raw"};

  private static ConformedSource conform(Dataset<Row> raw, TableContract contract, SourceMapping mapping) {
    return SourceConformer.conform(raw, contract, mapping, "test:" + contract.name(), EXTRACT);
  }

  private static ConformedSource conform(Dataset<Row> raw, TableContract contract) {
    return conform(raw, contract, SourceMapping.identity(contract.name()));
  }

  private static void assertQuarantined(Dataset<Row> rejected, Object[]... expected) {
    Dataset<Row> actual = rejected.selectExpr(QUARANTINE_COLUMNS);
    assertFramesEqual(frame(actual.schema(), expected), actual);
  }

  private static List<String> ids(Dataset<Row> clean, String column) {
    return clean.select(column).orderBy(column).as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
  }

  private static String reasonOf(Dataset<Row> rejected) {
    List<Row> rows = rejected.select("reason").collectAsList();
    assertEquals(1, rows.size(), "one rejected row expected");
    return rows.get(0).getString(0);
  }

  private static Dataset<Row> accounts(Object[]... rows) {
    return frame(text("account_id", "signup_date"), rows);
  }

  private static Dataset<Row> subscriptions(Object[]... rows) {
    return frame(text("subscription_id", "account_id", "start_date", "mrr"), rows);
  }

  @Test
  void missingRequiredValueNamesTheMappedSourceColumn() {
    Dataset<Row> raw = frame(text("id", "signup"),
        new Object[] {"a1", "2024-01-01"},
        new Object[] {"a2", "  "},
        new Object[] {null, "2024-01-01"});
    ConformedSource c = conform(raw, InputContract.ACCOUNTS, new SourceMapping("accounts",
        Map.of("account_id", "id", "signup_date", "signup"), Map.of(), Map.of(), Optional.empty()));

    assertQuarantined(c.rejected(),
        new Object[] {"accounts", "missing_required", "signup", "{\"id\":\"a2\",\"signup\":\"  \"}"},
        new Object[] {"accounts", "missing_required", "id", "{\"id\":null,\"signup\":\"2024-01-01\"}"});
    assertEquals(List.of("a1"), ids(c.clean(), "account_id"));
  }

  @Test
  void usageEventWithoutAccountOrSubscriptionIsMissingRequired() {
    Dataset<Row> raw = frame(text("event_time", "feature", "account_id", "subscription_id"),
        new Object[] {"2024-03-01T10:00:00Z", "report", "a1", null},
        new Object[] {"2024-03-01T11:00:00Z", "report", null, "s1"},
        new Object[] {"2024-03-01T12:00:00Z", "report", null, ""});
    ConformedSource c = conform(raw, InputContract.USAGE_EVENTS);

    Dataset<Row> rejected = c.rejected();
    assertQuarantined(rejected, new Object[] {"usage_events", "missing_required", "account_id|subscription_id",
        "{\"event_time\":\"2024-03-01T12:00:00Z\",\"feature\":\"report\",\"account_id\":null,\"subscription_id\":\"\"}"});
    assertTrue(reasonOf(rejected).contains("account_id or subscription_id"), reasonOf(rejected));
    assertEquals(2L, c.clean().count());
  }

  @Test
  void unparseableDateNamesTheSourceColumnAndTheExpectedFormat() {
    Dataset<Row> raw = frame(text("subscription_id", "account_id", "created", "mrr"),
        new Object[] {"s1", "a1", "2024-02-29", "10"},
        new Object[] {"s2", "a1", "2023-02-29", "10"},
        new Object[] {"s3", "a1", "yesterday", "10"});
    ConformedSource c = conform(raw, InputContract.SUBSCRIPTIONS, new SourceMapping("subscriptions",
        Map.of("start_date", "created"), Map.of(), Map.of(), Optional.empty()));

    assertQuarantined(c.rejected(),
        new Object[] {"subscriptions", "unparseable_date", "created",
            "{\"subscription_id\":\"s2\",\"account_id\":\"a1\",\"created\":\"2023-02-29\",\"mrr\":\"10\"}"},
        new Object[] {"subscriptions", "unparseable_date", "created",
            "{\"subscription_id\":\"s3\",\"account_id\":\"a1\",\"created\":\"yesterday\",\"mrr\":\"10\"}"});
    assertEquals(List.of("s1"), ids(c.clean(), "subscription_id"));
    String reason = reasonOf(c.rejected().where("raw like '%yesterday%'"));
    assertTrue(reason.contains("'yesterday'") && reason.contains("created"), reason);
  }

  @Test
  void unparseableDateWithAPatternNamesThePattern() {
    Dataset<Row> raw = accounts(new Object[] {"a1", "2024-03-05"});
    ConformedSource c = conform(raw, InputContract.ACCOUNTS, new SourceMapping("accounts",
        Map.of(), Map.of("signup_date", "MM/dd/yyyy"), Map.of(), Optional.empty()));

    assertQuarantined(c.rejected(), new Object[] {"accounts", "unparseable_date", "signup_date",
        "{\"account_id\":\"a1\",\"signup_date\":\"2024-03-05\"}"});
    assertTrue(reasonOf(c.rejected()).contains("MM/dd/yyyy"), reasonOf(c.rejected()));
  }

  @Test
  void wrongTypeForNumberOrBooleanText() {
    Dataset<Row> raw = frame(text("subscription_id", "account_id", "start_date", "mrr", "auto_renew"),
        new Object[] {"s1", "a1", "2024-01-01", "ten", "yes"},
        new Object[] {"s2", "a1", "2024-01-01", "10", "maybe"},
        new Object[] {"s3", "a1", "2024-01-01", "10.5", "no"});
    ConformedSource c = conform(raw, InputContract.SUBSCRIPTIONS);

    assertQuarantined(c.rejected(),
        new Object[] {"subscriptions", "wrong_type", "mrr",
            "{\"subscription_id\":\"s1\",\"account_id\":\"a1\",\"start_date\":\"2024-01-01\",\"mrr\":\"ten\","
                + "\"auto_renew\":\"yes\"}"},
        new Object[] {"subscriptions", "wrong_type", "auto_renew",
            "{\"subscription_id\":\"s2\",\"account_id\":\"a1\",\"start_date\":\"2024-01-01\",\"mrr\":\"10\","
                + "\"auto_renew\":\"maybe\"}"});
    assertEquals(List.of("s3"), ids(c.clean(), "subscription_id"));
  }

  @Test
  void fractionsInIntegerColumnsAndNonFiniteNumbersAreWrongType() {
    Dataset<Row> raw = frame(text("subscription_id", "account_id", "start_date", "mrr", "seats"),
        new Object[] {"s1", "a1", "2024-01-01", "10", "2.5"},
        new Object[] {"s2", "a1", "2024-01-01", "NaN", "2"},
        new Object[] {"s3", "a1", "2024-01-01", "Infinity", "2"},
        new Object[] {"s4", "a1", "2024-01-01", "10", "99999999999"},
        new Object[] {"s5", "a1", "2024-01-01", "10", "2.0"});
    ConformedSource c = conform(raw, InputContract.SUBSCRIPTIONS);

    Dataset<Row> rejected = c.rejected().selectExpr("regexp_extract(raw, '\"(s[0-9])\"', 1) AS id", "rule",
        "source_column");
    assertFramesEqual(frame(rejected.schema(),
            new Object[] {"s1", "wrong_type", "seats"},
            new Object[] {"s2", "wrong_type", "mrr"},
            new Object[] {"s3", "wrong_type", "mrr"},
            new Object[] {"s4", "wrong_type", "seats"}),
        rejected);
    assertEquals(List.of("s5"), ids(c.clean(), "subscription_id"));
  }

  @Test
  void epochBeyondTheYear9999IsUnparseableInsteadOfFailingTheRun() {
    Dataset<Row> raw = frame(text("event_id", "event_time", "feature", "account_id"),
        new Object[] {"e1", "99999999999999999", "report", "a1"},
        new Object[] {"e2", "soon", "report", "a1"},
        new Object[] {"e3", "1709647620", "report", "a1"});
    ConformedSource c = conform(raw, InputContract.USAGE_EVENTS, new SourceMapping("usage_events", Map.of(),
        Map.of("event_time", "epoch_seconds"), Map.of(), Optional.empty()));

    Dataset<Row> rejected = c.rejected().selectExpr("get_json_object(raw, '$.event_id') AS id", "rule",
        "source_column");
    assertFramesEqual(frame(rejected.schema(),
            new Object[] {"e1", "unparseable_date", "event_time"},
            new Object[] {"e2", "unparseable_date", "event_time"}),
        rejected);
    assertEquals(List.of("e3"), ids(c.clean(), "event_id"));
  }

  @Test
  void negativeValueInANonNegativeColumn() {
    Dataset<Row> raw = subscriptions(
        new Object[] {"s1", "a1", "2024-01-01", "-5"},
        new Object[] {"s2", "a1", "2024-01-01", "0"});
    ConformedSource c = conform(raw, InputContract.SUBSCRIPTIONS);

    assertQuarantined(c.rejected(), new Object[] {"subscriptions", "negative_value", "mrr",
        "{\"subscription_id\":\"s1\",\"account_id\":\"a1\",\"start_date\":\"2024-01-01\",\"mrr\":\"-5\"}"});
    assertTrue(reasonOf(c.rejected()).contains("-5"), reasonOf(c.rejected()));
    assertEquals(List.of("s2"), ids(c.clean(), "subscription_id"));
  }

  @Test
  void invalidValueOutsideTheAllowedCodes() {
    Dataset<Row> raw = frame(text("invoice_id", "account_id", "issued_date", "amount", "state"),
        new Object[] {"i1", "a1", "2024-03-01", "10", "void"},
        new Object[] {"i2", "a1", "2024-03-01", "10", "payment_failed"},
        new Object[] {"i3", "a1", "2024-03-01", "10", null});
    ConformedSource c = conform(raw, InputContract.INVOICES, new SourceMapping("invoices",
        Map.of("status", "state"), Map.of(), Map.of("status", Map.of("payment_failed", "failed")), Optional.empty()));

    assertQuarantined(c.rejected(), new Object[] {"invoices", "invalid_value", "state",
        "{\"invoice_id\":\"i1\",\"account_id\":\"a1\",\"issued_date\":\"2024-03-01\",\"amount\":\"10\","
            + "\"state\":\"void\"}"});
    String reason = reasonOf(c.rejected());
    assertTrue(reason.contains("'void'") && reason.contains("paid, failed, refunded, open"), reason);
    assertEquals(List.of("i2", "i3"), ids(c.clean(), "invoice_id"));
  }

  @Test
  void rowDatedAfterTheExtractDateIsAfterCutoff() {
    Dataset<Row> raw = frame(text("event_id", "event_time", "feature", "account_id"),
        new Object[] {"e1", "2024-03-31T23:59:59Z", "report", "a1"},
        new Object[] {"e2", "2024-04-01T00:00:00Z", "report", "a1"});
    ConformedSource c = conform(raw, InputContract.USAGE_EVENTS);

    assertQuarantined(c.rejected(), new Object[] {"usage_events", "after_cutoff", "event_time",
        "{\"event_id\":\"e2\",\"event_time\":\"2024-04-01T00:00:00Z\",\"feature\":\"report\",\"account_id\":\"a1\"}"});
    assertTrue(reasonOf(c.rejected()).contains("2024-03-31"), reasonOf(c.rejected()));
    assertEquals(List.of("e1"), ids(c.clean(), "event_id"));
  }

  @Test
  void rowWithSeveralProblemsIsQuarantinedOnceUnderTheFirstRuleWithEveryReason() {
    // Rule order (Quarantine): a parse failure comes first, then a missing value, then a negative one.
    Dataset<Row> raw = frame(text("subscription_id", "account_id", "start_date", "mrr", "seats"),
        new Object[] {"s1", null, "not a date", "-5", "x"});
    ConformedSource c = conform(raw, InputContract.SUBSCRIPTIONS);

    assertQuarantined(c.rejected(), new Object[] {"subscriptions", "unparseable_date", "start_date",
        "{\"subscription_id\":\"s1\",\"account_id\":null,\"start_date\":\"not a date\",\"mrr\":\"-5\",\"seats\":\"x\"}"});
    String reason = reasonOf(c.rejected());
    assertTrue(reason.contains("missing required account_id") && reason.contains("'not a date'")
        && reason.contains("'x'") && reason.contains("-5"), reason);
  }

  @Test
  void missingRequiredComesBeforeANegativeValue() {
    Dataset<Row> raw = subscriptions(new Object[] {"s1", null, "2024-01-01", "-5"});
    ConformedSource c = conform(raw, InputContract.SUBSCRIPTIONS);

    assertQuarantined(c.rejected(), new Object[] {"subscriptions", "missing_required", "account_id",
        "{\"subscription_id\":\"s1\",\"account_id\":null,\"start_date\":\"2024-01-01\",\"mrr\":\"-5\"}"});
  }

  @Test
  void unknownAccountAndUnresolvableSubscriptionAreRejectedByTheValidator() {
    Map<String, ConformedSource> sources = new LinkedHashMap<>();
    sources.put("accounts", conform(accounts(new Object[] {"a1", "2024-01-01"}), InputContract.ACCOUNTS));
    sources.put("subscriptions", conform(subscriptions(
        new Object[] {"s1", "a1", "2024-01-01", "10"},
        new Object[] {"s9", "a9", "2024-01-01", "10"}), InputContract.SUBSCRIPTIONS));
    sources.put("usage_events", conform(frame(text("event_id", "event_time", "feature", "acct", "sub"),
        new Object[] {"e1", "2024-03-01T10:00:00Z", "report", "a1", null},
        new Object[] {"e2", "2024-03-01T10:00:00Z", "report", null, "s1"},
        new Object[] {"e3", "2024-03-01T10:00:00Z", "report", null, "s9"},
        new Object[] {"e4", "2024-03-01T10:00:00Z", "report", "a7", null}), InputContract.USAGE_EVENTS,
        new SourceMapping("usage_events", Map.of("account_id", "acct", "subscription_id", "sub"), Map.of(), Map.of(),
            Optional.empty())));

    ValidatedInputs v = ContractValidator.validate(sources);

    assertQuarantined(v.quarantine(),
        new Object[] {"subscriptions", "unknown_account", "account_id",
            "{\"subscription_id\":\"s9\",\"account_id\":\"a9\",\"start_date\":\"2024-01-01\",\"mrr\":\"10\"}"},
        new Object[] {"usage_events", "unknown_account", "sub",
            "{\"event_id\":\"e3\",\"event_time\":\"2024-03-01T10:00:00Z\",\"feature\":\"report\",\"acct\":null,"
                + "\"sub\":\"s9\"}"},
        new Object[] {"usage_events", "unknown_account", "acct",
            "{\"event_id\":\"e4\",\"event_time\":\"2024-03-01T10:00:00Z\",\"feature\":\"report\",\"acct\":\"a7\","
                + "\"sub\":null}"});
    Dataset<Row> events = v.require("usage_events");
    assertFramesEqual(frame(events.select("event_id", "account_id").schema(),
            new Object[] {"e1", "a1"}, new Object[] {"e2", "a1"}),
        events.select("event_id", "account_id"));
    assertEquals(List.of("s1"), ids(v.require("subscriptions"), "subscription_id"));
  }

  @Test
  void duplicateKeyKeepsExactlyOneOfTwoIdenticalEvents() {
    Map<String, ConformedSource> sources = new LinkedHashMap<>();
    sources.put("accounts", conform(accounts(new Object[] {"a1", "2024-01-01"}), InputContract.ACCOUNTS));
    sources.put("subscriptions", conform(subscriptions(new Object[] {"s1", "a1", "2024-01-01", "10"}),
        InputContract.SUBSCRIPTIONS));
    Object[] event = {"e1", "2024-03-01T10:00:00Z", "report", "a1"};
    sources.put("usage_events", conform(frame(text("event_id", "event_time", "feature", "account_id"),
        event, event.clone(), new Object[] {"e2", "2024-03-01T10:00:00Z", "report", "a1"},
        new Object[] {null, "2024-03-01T10:00:00Z", "report", "a1"},
        new Object[] {null, "2024-03-01T10:00:00Z", "report", "a1"}), InputContract.USAGE_EVENTS));

    ValidatedInputs v = ContractValidator.validate(sources);

    assertQuarantined(v.quarantine(), new Object[] {"usage_events", "duplicate_key", "event_id",
        "{\"event_id\":\"e1\",\"event_time\":\"2024-03-01T10:00:00Z\",\"feature\":\"report\",\"account_id\":\"a1\"}"});
    Dataset<Row> events = v.require("usage_events");
    assertEquals(2L, events.where("event_id = 'e1' or event_id = 'e2'").count());
    assertEquals(1L, events.where("event_id = 'e1'").count());
    assertEquals(2L, events.where("event_id is null").count(), "events without an id are never duplicates");
  }

  @Test
  void cleanRowsAreNeverQuarantinedAndEveryRowLandsOnExactlyOneSide() {
    Map<String, ConformedSource> sources = new LinkedHashMap<>();
    sources.put("accounts", conform(accounts(
        new Object[] {"a1", "2024-01-01"},
        new Object[] {"a2", "2024-01-02"},
        new Object[] {"a3", "bad"}), InputContract.ACCOUNTS));
    sources.put("subscriptions", conform(subscriptions(
        new Object[] {"s1", "a1", "2024-01-01", "10"},
        new Object[] {"s2", "a2", "2024-01-01", "20"},
        new Object[] {"s3", "a3", "2024-01-01", "30"},
        new Object[] {"s2", "a2", "2024-01-01", "20"}), InputContract.SUBSCRIPTIONS));

    ValidatedInputs v = ContractValidator.validate(sources);

    assertQuarantined(v.quarantine(),
        new Object[] {"accounts", "unparseable_date", "signup_date", "{\"account_id\":\"a3\",\"signup_date\":\"bad\"}"},
        new Object[] {"subscriptions", "unknown_account", "account_id",
            "{\"subscription_id\":\"s3\",\"account_id\":\"a3\",\"start_date\":\"2024-01-01\",\"mrr\":\"30\"}"},
        new Object[] {"subscriptions", "duplicate_key", "subscription_id",
            "{\"subscription_id\":\"s2\",\"account_id\":\"a2\",\"start_date\":\"2024-01-01\",\"mrr\":\"20\"}"});
    assertEquals(List.of("a1", "a2"), ids(v.require("accounts"), "account_id"));
    assertEquals(List.of("s1", "s2"), ids(v.require("subscriptions"), "subscription_id"));
    assertEquals(InputContract.SUBSCRIPTIONS.columnNames(), List.of(v.require("subscriptions").columns()));
    for (org.apache.spark.sql.types.StructField f : InputContract.SUBSCRIPTIONS.schema().fields()) {
      assertEquals(f.dataType(), v.require("subscriptions").schema().apply(f.name()).dataType(), f.name());
    }
    assertEquals(List.of(Quarantine.SCHEMA.fieldNames()), List.of(v.quarantine().columns()));
    for (org.apache.spark.sql.types.StructField f : Quarantine.SCHEMA.fields()) {
      assertEquals(f.dataType(), v.quarantine().schema().apply(f.name()).dataType(), f.name());
    }
  }
}
