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
 * A bad required value rejects the row; a bad optional value is nulled and recorded.
 */
class QuarantineRulesTest extends SparkTestBase {

  private static final LocalDate EXTRACT = LocalDate.parse("2024-03-31");
  /** The run the day after the extract ends: nothing in the extract is out of scope. */
  private static final LocalDate RUN = EXTRACT.plusDays(1);
  private static final String[] QUARANTINE_COLUMNS = {"source", "rule", "source_column", "raw"};

  private static ConformedSource conform(Dataset<Row> raw, TableContract contract, SourceMapping mapping) {
    return SourceConformer.conform(raw, contract, mapping, "test:" + contract.name(), RUN, EXTRACT);
  }

  private static ConformedSource conform(Dataset<Row> raw, TableContract contract) {
    return conform(raw, contract, SourceMapping.identity(contract.name()));
  }

  private static void assertQuarantined(Dataset<Row> rejected, Object[]... expected) {
    Dataset<Row> actual = rejected.selectExpr(QUARANTINE_COLUMNS);
    assertFramesEqual(frame(actual.schema(), expected), actual);
  }

  /** Asserts the quarantine records as (source, rule, action, source_column, value). */
  static void assertRecords(Dataset<Row> quarantine, Object[]... expected) {
    Dataset<Row> actual = quarantine.select("source", "rule", "action", "source_column", "value");
    assertFramesEqual(frame(actual.schema(), expected), actual);
  }

  /** Validates a dependent table against the single clean account a1. */
  private static ValidatedTable dependent(ConformedSource source) {
    return ContractValidator.validateDependent(source, frame(text("account_id"), new Object[] {"a1"}), null, null);
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
  void wrongTypeRejectsTheRowInARequiredColumnAndNullsTheValueInAnOptionalOne() {
    Dataset<Row> raw = frame(text("subscription_id", "account_id", "start_date", "mrr", "auto_renew"),
        new Object[] {"s1", "a1", "2024-01-01", "ten", "yes"},
        new Object[] {"s2", "a1", "2024-01-01", "10", "maybe"},
        new Object[] {"s3", "a1", "2024-01-01", "10.5", "no"});
    ConformedSource c = conform(raw, InputContract.SUBSCRIPTIONS);

    assertQuarantined(c.rejected(),
        new Object[] {"subscriptions", "wrong_type", "mrr",
            "{\"subscription_id\":\"s1\",\"account_id\":\"a1\",\"start_date\":\"2024-01-01\",\"mrr\":\"ten\","
                + "\"auto_renew\":\"yes\"}"});
    Dataset<Row> clean = c.clean().select("subscription_id", "auto_renew");
    assertFramesEqual(frame(clean.schema(), new Object[] {"s2", null}, new Object[] {"s3", false}), clean);
    assertRecords(dependent(c).quarantine(),
        new Object[] {"subscriptions", "wrong_type", "row_rejected", "mrr", "ten"},
        new Object[] {"subscriptions", "wrong_type", "value_nulled", "auto_renew", "maybe"});
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

    Dataset<Row> records = dependent(c).quarantine().selectExpr("get_json_object(raw, '$.subscription_id') AS id",
        "rule", "action", "source_column");
    assertFramesEqual(frame(records.schema(),
            new Object[] {"s1", "wrong_type", "value_nulled", "seats"},
            new Object[] {"s2", "wrong_type", "row_rejected", "mrr"},
            new Object[] {"s3", "wrong_type", "row_rejected", "mrr"},
            new Object[] {"s4", "wrong_type", "value_nulled", "seats"}),
        records);
    Dataset<Row> clean = c.clean().select("subscription_id", "seats");
    assertFramesEqual(frame(clean.schema(), new Object[] {"s1", null}, new Object[] {"s4", null},
        new Object[] {"s5", 2}), clean);
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
  void invalidValueOutsideTheAllowedCodesIsNulledAndTheInvoiceStays() {
    Dataset<Row> raw = frame(text("invoice_id", "account_id", "issued_date", "amount", "state"),
        new Object[] {"i1", "a1", "2024-03-01", "10", "void"},
        new Object[] {"i2", "a1", "2024-03-01", "10", "payment_failed"},
        new Object[] {"i3", "a1", "2024-03-01", "10", null});
    ConformedSource c = conform(raw, InputContract.INVOICES, new SourceMapping("invoices",
        Map.of("status", "state"), Map.of(), Map.of("status", Map.of("payment_failed", "failed")), Optional.empty()));

    assertEquals(0L, c.rejected().count());
    Dataset<Row> quarantine = dependent(c).quarantine();
    assertRecords(quarantine, new Object[] {"invoices", "invalid_value", "value_nulled", "state", "void"});
    assertEquals("{\"invoice_id\":\"i1\",\"account_id\":\"a1\",\"issued_date\":\"2024-03-01\",\"amount\":\"10\","
        + "\"state\":\"void\"}", quarantine.select("raw").first().getString(0));
    String reason = reasonOf(quarantine);
    assertTrue(reason.contains("'void'") && reason.contains("paid, failed, refunded, open"), reason);
    Dataset<Row> clean = c.clean().select("invoice_id", "status");
    assertFramesEqual(frame(clean.schema(), new Object[] {"i1", null}, new Object[] {"i2", "failed"},
        new Object[] {"i3", null}), clean);
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
        new Object[] {"subscriptions", "rejected_account", "account_id",
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

  @Test
  void valuesOutsideTheDeclaredRangeRejectARequiredValueAndNullAnOptionalOne() {
    Dataset<Row> surveys = frame(text("account_id", "responded_at", "nps"),
        new Object[] {"a1", "2024-03-01T10:00:00Z", "10"},
        new Object[] {"a1", "2024-03-02T10:00:00Z", "11"},
        new Object[] {"a1", "2024-03-03T10:00:00Z", "-1"},
        new Object[] {"a1", "2024-03-04T10:00:00Z", "0"});
    Dataset<Row> tickets = frame(text("ticket_id", "account_id", "opened_at", "satisfaction"),
        new Object[] {"t1", "a1", "2024-03-01T10:00:00Z", "0"},
        new Object[] {"t2", "a1", "2024-03-01T10:00:00Z", "6"},
        new Object[] {"t3", "a1", "2024-03-01T10:00:00Z", "5"});
    Dataset<Row> subs = frame(text("subscription_id", "account_id", "start_date", "mrr", "discount_pct"),
        new Object[] {"s1", "a1", "2024-01-01", "10", "150"},
        new Object[] {"s2", "a1", "2024-01-01", "10", "100"});

    ConformedSource s = conform(surveys, InputContract.SURVEYS);
    assertRecords(dependent(s).quarantine(),
        new Object[] {"surveys", "out_of_range", "row_rejected", "nps", "11"},
        new Object[] {"surveys", "out_of_range", "row_rejected", "nps", "-1"});
    String reason = reasonOf(s.rejected().where("raw like '%11%'"));
    assertTrue(reason.contains("out of range: 11") && reason.contains("0-10"), reason);
    assertEquals(List.of(0, 10), s.clean().select("nps").orderBy("nps").as(org.apache.spark.sql.Encoders.INT())
        .collectAsList());

    ConformedSource t = conform(tickets, InputContract.SUPPORT_TICKETS);
    assertRecords(dependent(t).quarantine(),
        new Object[] {"support_tickets", "out_of_range", "value_nulled", "satisfaction", "0"},
        new Object[] {"support_tickets", "out_of_range", "value_nulled", "satisfaction", "6"});
    Dataset<Row> cleanTickets = t.clean().select("ticket_id", "satisfaction");
    assertFramesEqual(frame(cleanTickets.schema(), new Object[] {"t1", null}, new Object[] {"t2", null},
        new Object[] {"t3", 5}), cleanTickets);

    // A dropped discount stays null: the default 0 stands for "no discount given", not for "bad".
    ConformedSource d = conform(subs, InputContract.SUBSCRIPTIONS);
    assertRecords(dependent(d).quarantine(),
        new Object[] {"subscriptions", "out_of_range", "value_nulled", "discount_pct", "150"});
    Dataset<Row> cleanSubs = d.clean().select("subscription_id", "discount_pct");
    assertFramesEqual(frame(cleanSubs.schema(), new Object[] {"s1", null}, new Object[] {"s2", 100.0}), cleanSubs);
  }

  @Test
  void rowThatContradictsItselfIsAnOrderViolationNamingBothColumns() {
    Dataset<Row> subs = frame(text("subscription_id", "account_id", "created", "ended", "mrr"),
        new Object[] {"s1", "a1", "2024-02-01", "2024-01-01", "10"},
        new Object[] {"s2", "a1", "2024-02-01", "2024-02-01", "10"},
        new Object[] {"s3", "a1", "2024-02-01", null, "10"});
    Dataset<Row> tickets = frame(text("ticket_id", "account_id", "opened_at", "closed_at"),
        new Object[] {"t1", "a1", "2024-03-01T10:00:00Z", "2024-03-01T09:59:59Z"},
        new Object[] {"t2", "a1", "2024-03-01T10:00:00Z", "2024-03-01T10:00:01Z"});
    Dataset<Row> invoices = frame(text("invoice_id", "account_id", "issued_date", "amount", "paid_date"),
        new Object[] {"i1", "a1", "2024-03-05", "10", "2024-03-04"},
        new Object[] {"i2", "a1", "2024-03-05", "10", "2024-03-05"});

    ConformedSource s = conform(subs, InputContract.SUBSCRIPTIONS, new SourceMapping("subscriptions",
        Map.of("start_date", "created", "end_date", "ended"), Map.of(), Map.of(), Optional.empty()));
    assertQuarantined(s.rejected(), new Object[] {"subscriptions", "order_violation", "created|ended",
        "{\"subscription_id\":\"s1\",\"account_id\":\"a1\",\"created\":\"2024-02-01\",\"ended\":\"2024-01-01\","
            + "\"mrr\":\"10\"}"});
    String reason = reasonOf(s.rejected());
    assertTrue(reason.contains("end_date in ended (2024-01-01) is before start_date in created (2024-02-01)"), reason);
    assertEquals(List.of("s2", "s3"), ids(s.clean(), "subscription_id"));

    ConformedSource t = conform(tickets, InputContract.SUPPORT_TICKETS);
    assertRecords(t.rejected(), new Object[] {"support_tickets", "order_violation", "row_rejected",
        "opened_at|closed_at", "2024-03-01T09:59:59Z"});
    assertEquals(List.of("t2"), ids(t.clean(), "ticket_id"));

    ConformedSource i = conform(invoices, InputContract.INVOICES);
    assertRecords(i.rejected(), new Object[] {"invoices", "order_violation", "row_rejected",
        "issued_date|paid_date", "2024-03-04"});
    assertEquals(List.of("i2"), ids(i.clean(), "invoice_id"));
  }

  @Test
  void rowsFromTheRunDateUpToTheExtractDateAreOutOfScopeAndOnlyLaterOnesAreAfterCutoff() {
    Dataset<Row> raw = frame(text("event_id", "event_time", "feature", "account_id"),
        new Object[] {"e1", "2024-03-19T23:59:59Z", "report", "a1"},
        new Object[] {"e2", "2024-03-20T00:00:00Z", "report", "a1"},
        new Object[] {"e3", "2024-03-31T23:59:59Z", "report", "a1"},
        new Object[] {"e4", "2024-03-25T10:00:00Z", null, "a1"},
        new Object[] {"e5", "2024-04-01T00:00:00Z", "report", "a1"},
        new Object[] {"e6", "2024-03-10T00:00:00Z", null, "a1"});
    ConformedSource c = SourceConformer.conform(raw, InputContract.USAGE_EVENTS,
        SourceMapping.identity("usage_events"), "test:usage_events", LocalDate.parse("2024-03-20"), EXTRACT);

    assertEquals(List.of("e1"), ids(c.clean(), "event_id"));
    Dataset<Row> rejected = c.rejected().selectExpr("get_json_object(raw, '$.event_id') AS id", "rule");
    assertFramesEqual(frame(rejected.schema(), new Object[] {"e5", "after_cutoff"},
        new Object[] {"e6", "missing_required"}), rejected);
    Row counts = c.checked().agg(c.outOfScopeCount(), c.rejectedCount()).first();
    assertEquals(3L, counts.getLong(0), "e2, e3 and e4 are out of scope (e4 is checked by a later run)");
    assertEquals(2L, counts.getLong(1));
    assertEquals(0L, dependent(c).quarantine().where("raw like '%e2%' or raw like '%e3%' or raw like '%e4%'").count());
  }
}
