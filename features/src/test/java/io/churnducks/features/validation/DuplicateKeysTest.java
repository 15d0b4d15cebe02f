package io.churnducks.features.validation;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.SourceMapping;
import io.churnducks.features.contract.TableContract;
import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.churnducks.features.testing.RawSources.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Duplicate keys: the copy kept is the latest by the table's time column, then by a hash of its
 * values, whatever order the rows arrive in; rows without a key are never duplicates; a scope
 * makes a key unique within e.g. its event date. The raw row is never sorted on nor serialised
 * for clean rows.
 */
class DuplicateKeysTest extends SparkTestBase {

  private static final LocalDate EXTRACT = LocalDate.parse("2024-03-31");
  private static final LocalDate RUN = EXTRACT.plusDays(1);

  private static ConformedSource conform(Dataset<Row> raw, TableContract contract) {
    return SourceConformer.conform(raw, contract, SourceMapping.identity(contract.name()), "test:" + contract.name(),
        RUN, EXTRACT);
  }

  private static Dataset<Row> events(List<Object[]> rows) {
    return frame(text("event_id", "event_time", "feature", "account_id"), rows.toArray(Object[][]::new));
  }

  private static ValidatedTable validateEvents(Dataset<Row> raw, String... scope) {
    return ContractValidator.validateDependent(conform(raw, InputContract.USAGE_EVENTS),
        frame(text("account_id"), new Object[] {"a1"}), null, null, scope);
  }

  private static List<Row> sorted(Dataset<Row> df, String... columns) {
    return df.select(columns[0], Arrays.copyOfRange(columns, 1, columns.length)).orderBy(columns[0], columns)
        .collectAsList();
  }

  @Test
  void theCopyKeptIsTheLatestByEventTime() {
    List<Object[]> rows = List.of(
        new Object[] {"e1", "2024-03-01T10:00:00Z", "early", "a1"},
        new Object[] {"e1", "2024-03-01T12:00:00Z", "latest", "a1"},
        new Object[] {"e1", "2024-03-01T11:00:00Z", "middle", "a1"});

    ValidatedTable v = validateEvents(events(rows));

    assertEquals("latest", v.clean().select("feature").first().getString(0));
    Dataset<Row> q = v.quarantine().selectExpr("rule", "value", "get_json_object(raw, '$.feature') AS feature");
    assertFramesEqual(frame(q.schema(), new Object[] {"duplicate_key", "e1", "early"},
        new Object[] {"duplicate_key", "e1", "middle"}), q);
    assertTrue(v.quarantine().first().getAs("reason").toString().contains("latest event_time"));
  }

  @Test
  void theChoiceBetweenCopiesWithTheSameTimeDoesNotDependOnRowOrderOrPartitioning() {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      rows.add(new Object[] {"e" + (i % 3), "2024-03-01T10:00:00Z", "feature_" + i, "a1"});
    }
    List<Object[]> reversed = new ArrayList<>(rows);
    Collections.reverse(reversed);

    List<Row> first = sorted(validateEvents(events(rows).repartition(3)).clean(), "event_id", "feature");
    List<Row> second = sorted(validateEvents(events(reversed).coalesce(1)).clean(), "event_id", "feature");

    assertEquals(3, first.size());
    assertEquals(first, second);
  }

  @Test
  void accountsKeepTheCopyWithTheLatestSignup() {
    ValidatedTable v = ContractValidator.validateAccounts(conform(frame(text("account_id", "signup_date", "industry"),
        new Object[] {"a1", "2024-02-01", "Retail"},
        new Object[] {"a1", "2024-03-01", "Media"},
        new Object[] {"a1", "2024-01-01", "Energy"}), InputContract.ACCOUNTS));

    assertEquals("Media", v.clean().select("industry").first().getString(0));
    assertEquals(2L, v.quarantine().where("rule = 'duplicate_key'").count());
  }

  @Test
  void eventsWithoutAnIdAreNeverDuplicates() {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      rows.add(new Object[] {null, "2024-03-01T10:00:00Z", "report", "a1"});
    }
    rows.add(new Object[] {"e1", "2024-03-01T10:00:00Z", "report", "a1"});

    ValidatedTable v = validateEvents(events(rows));

    assertEquals(6L, v.clean().count());
    assertEquals(0L, v.quarantine().count());
  }

  @Test
  void anEventIdIsUniqueWithinItsEventDate() {
    List<Object[]> rows = List.of(
        new Object[] {"e1", "2024-03-01T10:00:00Z", "report", "a1"},
        new Object[] {"e1", "2024-03-02T10:00:00Z", "report", "a1"},
        new Object[] {"e2", "2024-03-02T10:00:00Z", "report", "a1"},
        new Object[] {"e2", "2024-03-02T11:00:00Z", "report", "a1"});

    ValidatedTable perDay = validateEvents(events(rows), "to_date(event_time)");
    ValidatedTable whole = validateEvents(events(rows));

    assertEquals(3L, perDay.clean().count());
    assertEquals(List.of("e2"), perDay.quarantine().select("value").as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList());
    assertEquals(2L, whole.clean().count());

    Map<String, ConformedSource> sources = new LinkedHashMap<>();
    sources.put("accounts", conform(frame(text("account_id", "signup_date"), new Object[] {"a1", "2024-01-01"}),
        InputContract.ACCOUNTS));
    sources.put("subscriptions", conform(frame(text("subscription_id", "account_id", "start_date", "mrr"),
        new Object[] {"s1", "a1", "2024-01-01", "10"}), InputContract.SUBSCRIPTIONS));
    sources.put("usage_events", conform(events(rows), InputContract.USAGE_EVENTS));
    assertEquals(3L, ContractValidator.validate(sources).require("usage_events").count(),
        "the full validation scopes event ids by event date, as the per-date validation does");
  }

  @Test
  void cleanTablesNeverSerialiseTheRawRow() {
    Map<String, ConformedSource> sources = new LinkedHashMap<>();
    sources.put("accounts", conform(frame(text("account_id", "signup_date"), new Object[] {"a1", "2024-01-01"}),
        InputContract.ACCOUNTS));
    sources.put("subscriptions", conform(frame(text("subscription_id", "account_id", "start_date", "mrr"),
        new Object[] {"s1", "a1", "2024-01-01", "10"}), InputContract.SUBSCRIPTIONS));
    sources.put("usage_events", conform(events(List.<Object[]>of(
        new Object[] {"e1", "2024-03-01T10:00:00Z", "report", "a1"},
        new Object[] {"e1", "2024-03-01T10:00:00Z", "report", "a1"})), InputContract.USAGE_EVENTS));

    ValidatedInputs v = ContractValidator.validate(sources);

    for (Map.Entry<String, Dataset<Row>> t : v.tables().entrySet()) {
      String plan = t.getValue().queryExecution().optimizedPlan().toString();
      assertFalse(plan.contains("to_json"), t.getKey() + " builds the raw JSON:\n" + plan);
    }
    assertTrue(v.quarantine().queryExecution().optimizedPlan().toString().contains("to_json"));
  }
}
