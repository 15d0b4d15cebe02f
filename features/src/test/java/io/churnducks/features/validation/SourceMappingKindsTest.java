package io.churnducks.features.validation;

import io.churnducks.features.contract.ColumnSpec;
import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.SourceMapping;
import io.churnducks.features.contract.TableContract;
import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.churnducks.features.testing.RawSources.text;
import static io.churnducks.features.testing.RawSources.typed;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every kind of column mapping a source can use (README.md, "Configuration"): renames, SQL expressions, time
 * formats, value mappings, boolean words, row filters, defaults and typed source columns.
 */
class SourceMappingKindsTest extends SparkTestBase {

  private static final LocalDate EXTRACT = LocalDate.parse("2024-12-31");
  /** The run the day after the extract ends: nothing in the extract is out of scope. */
  private static final LocalDate RUN = EXTRACT.plusDays(1);

  private static SourceMapping mapping(String table, Map<String, String> columns, Map<String, String> formats,
      Map<String, Map<String, String>> values, String filter) {
    return new SourceMapping(table, columns, formats, values, Optional.ofNullable(filter));
  }

  private static ConformedSource conform(Dataset<Row> raw, TableContract contract, SourceMapping mapping) {
    return SourceConformer.conform(raw, contract, mapping, "test:" + contract.name(), RUN, EXTRACT);
  }

  /** Asserts nothing was rejected and the clean rows have the canonical types; returns them. */
  private static Dataset<Row> allClean(ConformedSource conformed, TableContract contract) {
    assertEquals(0L, conformed.rejected().count(), () -> "unexpected rejects: "
        + conformed.rejected().collectAsList());
    Dataset<Row> clean = conformed.clean();
    for (ColumnSpec c : contract.columns()) {
      assertEquals(c.type(), clean.schema().apply(c.name()).dataType(), "type of " + c.name());
    }
    return clean;
  }

  /** The expected canonical columns, in the actual frame's schema so only values are compared. */
  private static void assertCanonical(Dataset<Row> clean, String[] columns, Object[]... expectedRows) {
    Dataset<Row> actual = clean.selectExpr(columns);
    assertFramesEqual(frame(actual.schema(), expectedRows), actual);
  }

  @Test
  void plainColumnRenameMatchesSourceColumnsCaseInsensitively() {
    Dataset<Row> raw = frame(text("ACCT_ID", "Signup", "Industry", "unused"),
        new Object[] {"a1", "2024-01-05", "Retail", "x"});
    ConformedSource c = conform(raw, InputContract.ACCOUNTS,
        mapping("accounts", Map.of("account_id", "acct_id", "signup_date", "signup"), Map.of(), Map.of(), null));

    assertCanonical(allClean(c, InputContract.ACCOUNTS), new String[] {"account_id", "signup_date", "industry"},
        new Object[] {"a1", d("2024-01-05"), "Retail"});
    assertEquals("acct_id", c.sourceColumn("account_id"));
  }

  @Test
  void sqlExpressionMappingComputesCanonicalValueFromSeveralSourceColumns() {
    Dataset<Row> raw = frame(text("id", "customer", "created", "unit_amount_cents", "quantity", "interval",
            "cancel_at_period_end"),
        new Object[] {"s1", "a1", "2024-01-01", "1999", "3", "month", "false"},
        new Object[] {"s2", "a2", "2024-02-01", "12000", "1", "year", "true"});
    SourceMapping m = mapping("subscriptions", Map.of(
            "subscription_id", "id",
            "account_id", "customer",
            "start_date", "created",
            "mrr", "unit_amount_cents * quantity / 100.0 / CASE interval WHEN 'year' THEN 12 ELSE 1 END",
            "billing_period_months", "CASE interval WHEN 'month' THEN 1 WHEN 'year' THEN 12 END",
            "seats", "quantity",
            "auto_renew", "cancel_at_period_end = 'false'"),
        Map.of(), Map.of(), null);

    Dataset<Row> clean = allClean(conform(raw, InputContract.SUBSCRIPTIONS, m), InputContract.SUBSCRIPTIONS);

    assertCanonical(clean, new String[] {"subscription_id", "mrr", "billing_period_months", "seats", "auto_renew"},
        new Object[] {"s1", 59.97, 1, 3, true},
        new Object[] {"s2", 10.0, 12, 1, false});
  }

  @Test
  void datePatternFormatParsesCustomDates() {
    Dataset<Row> raw = frame(text("account_id", "signup_date"),
        new Object[] {"a1", "03/05/2024"},
        new Object[] {"a2", "12/31/2023"});
    ConformedSource c = conform(raw, InputContract.ACCOUNTS,
        mapping("accounts", Map.of(), Map.of("signup_date", "MM/dd/yyyy"), Map.of(), null));

    assertCanonical(allClean(c, InputContract.ACCOUNTS), new String[] {"account_id", "signup_date"},
        new Object[] {"a1", d("2024-03-05")},
        new Object[] {"a2", d("2023-12-31")});
  }

  @Test
  void timestampPatternFormatParsesDateAndTime() {
    Dataset<Row> raw = frame(text("ticket_id", "account_id", "opened_at", "closed_at"),
        new Object[] {"t1", "a1", "05.03.2024 14:07", "06.03.2024 09:00"});
    ConformedSource c = conform(raw, InputContract.SUPPORT_TICKETS, mapping("support_tickets", Map.of(),
        Map.of("opened_at", "dd.MM.yyyy HH:mm", "closed_at", "dd.MM.yyyy HH:mm"), Map.of(), null));

    assertCanonical(allClean(c, InputContract.SUPPORT_TICKETS), new String[] {"ticket_id", "opened_at", "closed_at"},
        new Object[] {"t1", ts("2024-03-05T14:07:00"), ts("2024-03-06T09:00:00")});
  }

  @Test
  void patternWithQuotedLiteralTextIsAccepted() {
    Dataset<Row> raw = frame(text("event_time", "feature", "account_id"),
        new Object[] {"2024-03-05T14:07:00", "report", "a1"});
    ConformedSource c = conform(raw, InputContract.USAGE_EVENTS,
        mapping("usage_events", Map.of(), Map.of("event_time", "yyyy-MM-dd'T'HH:mm:ss"), Map.of(), null));

    assertCanonical(allClean(c, InputContract.USAGE_EVENTS), new String[] {"event_time"},
        new Object[] {ts("2024-03-05T14:07:00")});
  }

  @Test
  void epochSecondsAndEpochMillisBecomeUtcTimestamps() {
    // 1709647620 s = 2024-03-05T14:07:00Z
    Dataset<Row> events = frame(text("event_time", "feature", "account_id"),
        new Object[] {"1709647620", "report", "a1"});
    Dataset<Row> tickets = frame(text("ticket_id", "account_id", "opened_at"),
        new Object[] {"t1", "a1", "1709647620123"});

    ConformedSource e = conform(events, InputContract.USAGE_EVENTS,
        mapping("usage_events", Map.of(), Map.of("event_time", "epoch_seconds"), Map.of(), null));
    ConformedSource t = conform(tickets, InputContract.SUPPORT_TICKETS,
        mapping("support_tickets", Map.of(), Map.of("opened_at", "epoch_millis"), Map.of(), null));

    assertCanonical(allClean(e, InputContract.USAGE_EVENTS), new String[] {"event_time"},
        new Object[] {ts("2024-03-05T14:07:00")});
    assertCanonical(allClean(t, InputContract.SUPPORT_TICKETS), new String[] {"opened_at"},
        new Object[] {ts("2024-03-05T14:07:00.123")});
  }

  @Test
  void epochValuesKeepTheirFractionAndMayBeTyped() {
    Dataset<Row> text = frame(text("event_time", "feature", "account_id"),
        new Object[] {"1709647620.5", "report", "a1"},
        new Object[] {"1.70964762E9", "report", "a1"});
    Dataset<Row> typedMillis = frame(typed("event_time", DataTypes.DoubleType, "feature", DataTypes.StringType,
        "account_id", DataTypes.StringType), new Object[] {1709647620123.0, "report", "a1"});

    assertCanonical(allClean(conform(text, InputContract.USAGE_EVENTS,
            mapping("usage_events", Map.of(), Map.of("event_time", "epoch_seconds"), Map.of(), null)),
            InputContract.USAGE_EVENTS), new String[] {"event_time"},
        new Object[] {ts("2024-03-05T14:07:00.5")},
        new Object[] {ts("2024-03-05T14:07:00")});
    assertCanonical(allClean(conform(typedMillis, InputContract.USAGE_EVENTS,
            mapping("usage_events", Map.of(), Map.of("event_time", "epoch_millis"), Map.of(), null)),
            InputContract.USAGE_EVENTS), new String[] {"event_time"},
        new Object[] {ts("2024-03-05T14:07:00.123")});
  }

  @Test
  void integerColumnsAcceptWholeNumbersWrittenAsDecimals() {
    // Float exports (pandas with missing values) write integer columns as "3.0".
    Dataset<Row> raw = frame(text("subscription_id", "account_id", "start_date", "mrr", "seats",
            "billing_period_months"),
        new Object[] {"s1", "a1", "2024-01-01", "10", "3.0", "12"},
        new Object[] {"s2", "a1", "2024-01-01", "1e1", " 4 ", "1.00"});

    assertCanonical(allClean(conform(raw, InputContract.SUBSCRIPTIONS, SourceMapping.identity("subscriptions")),
            InputContract.SUBSCRIPTIONS), new String[] {"subscription_id", "mrr", "seats", "billing_period_months"},
        new Object[] {"s1", 10.0, 3, 12},
        new Object[] {"s2", 10.0, 4, 1});
  }

  @Test
  void isoStringsWithZoneOffsetOrSpaceOrDateOnlyAreParsed() {
    Dataset<Row> raw = frame(text("event_id", "event_time", "feature", "account_id"),
        new Object[] {"e1", "2024-03-05T14:07:00Z", "report", "a1"},
        new Object[] {"e2", "2024-03-05T16:07:00+02:00", "report", "a1"},
        new Object[] {"e3", "2024-03-05 14:07:00", "report", "a1"},
        new Object[] {"e4", "2024-03-05T14:07:00.250", "report", "a1"},
        new Object[] {"e5", "2024-03-05", "report", "a1"});
    ConformedSource c = conform(raw, InputContract.USAGE_EVENTS,
        mapping("usage_events", Map.of(), Map.of("event_time", "iso"), Map.of(), null));

    assertCanonical(allClean(c, InputContract.USAGE_EVENTS), new String[] {"event_id", "event_time"},
        new Object[] {"e1", ts("2024-03-05T14:07:00")},
        new Object[] {"e2", ts("2024-03-05T14:07:00")},
        new Object[] {"e3", ts("2024-03-05T14:07:00")},
        new Object[] {"e4", ts("2024-03-05T14:07:00.250")},
        new Object[] {"e5", ts("2024-03-05T00:00:00")});
  }

  @Test
  void isoIsTheDefaultFormatAndAnIsoTimestampGivesItsUtcDay() {
    Dataset<Row> raw = frame(text("account_id", "signup_date"),
        new Object[] {"a1", "2024-03-05T23:30:00Z"},
        new Object[] {"a2", "2024-03-05"});
    ConformedSource c = conform(raw, InputContract.ACCOUNTS, SourceMapping.identity("accounts"));

    assertCanonical(allClean(c, InputContract.ACCOUNTS), new String[] {"account_id", "signup_date"},
        new Object[] {"a1", d("2024-03-05")},
        new Object[] {"a2", d("2024-03-05")});
  }

  @Test
  void valueMappingTranslatesSourceCodesAndPassesOthersThrough() {
    Dataset<Row> raw = frame(text("invoice_id", "account_id", "issued_date", "amount", "status"),
        new Object[] {"i1", "a1", "2024-03-01", "10", "payment_failed"},
        new Object[] {"i2", "a1", "2024-03-02", "10", "succeeded"},
        new Object[] {"i3", "a1", "2024-03-03", "10", "refunded"});
    ConformedSource c = conform(raw, InputContract.INVOICES, mapping("invoices", Map.of(), Map.of(),
        Map.of("status", Map.of("payment_failed", "failed", "succeeded", "paid")), null));

    assertCanonical(allClean(c, InputContract.INVOICES), new String[] {"invoice_id", "status"},
        new Object[] {"i1", "failed"},
        new Object[] {"i2", "paid"},
        new Object[] {"i3", "refunded"});
  }

  @Test
  void valueMappingOnATypedSourceColumnGivesTheCanonicalType() {
    Dataset<Row> raw = frame(typed("subscription_id", DataTypes.StringType, "account_id", DataTypes.StringType,
            "start_date", DataTypes.DateType, "mrr", DataTypes.DoubleType, "renew_code", DataTypes.IntegerType),
        new Object[] {"s1", "a1", d("2024-01-01"), 10.0, 7},
        new Object[] {"s2", "a1", d("2024-01-01"), 10.0, 9});
    ConformedSource c = conform(raw, InputContract.SUBSCRIPTIONS, mapping("subscriptions",
        Map.of("auto_renew", "renew_code"), Map.of(), Map.of("auto_renew", Map.of("7", "yes", "9", "no")), null));

    assertCanonical(allClean(c, InputContract.SUBSCRIPTIONS), new String[] {"subscription_id", "auto_renew"},
        new Object[] {"s1", true},
        new Object[] {"s2", false});
  }

  @Test
  void booleanWordsAreReadInAnyCase() {
    Dataset<Row> raw = frame(text("subscription_id", "account_id", "start_date", "mrr", "auto_renew"),
        new Object[] {"s1", "a1", "2024-01-01", "10", "yes"},
        new Object[] {"s2", "a1", "2024-01-01", "10", "N"},
        new Object[] {"s3", "a1", "2024-01-01", "10", "TRUE"},
        new Object[] {"s4", "a1", "2024-01-01", "10", "0"},
        new Object[] {"s5", "a1", "2024-01-01", "10", " t "},
        new Object[] {"s6", "a1", "2024-01-01", "10", "False"},
        new Object[] {"s7", "a1", "2024-01-01", "10", ""});
    ConformedSource c = conform(raw, InputContract.SUBSCRIPTIONS, SourceMapping.identity("subscriptions"));

    assertCanonical(allClean(c, InputContract.SUBSCRIPTIONS), new String[] {"subscription_id", "auto_renew"},
        new Object[] {"s1", true},
        new Object[] {"s2", false},
        new Object[] {"s3", true},
        new Object[] {"s4", false},
        new Object[] {"s5", true},
        new Object[] {"s6", false},
        new Object[] {"s7", null});
  }

  @Test
  void rowFilterSkipsRowsWithoutQuarantiningThem() {
    Dataset<Row> raw = frame(text("invoice_id", "account_id", "issued_date", "amount", "status"),
        new Object[] {"i1", "a1", "2024-03-01", "10", "paid"},
        new Object[] {"i2", "a1", "not a date", "-5", "void"},
        new Object[] {"i3", "a1", "2024-03-03", "10", "open"});
    ConformedSource c = conform(raw, InputContract.INVOICES,
        mapping("invoices", Map.of(), Map.of(), Map.of(), "status <> 'void'"));

    assertCanonical(allClean(c, InputContract.INVOICES), new String[] {"invoice_id"},
        new Object[] {"i1"},
        new Object[] {"i3"});
  }

  @Test
  void absentOrBlankOptionalColumnsTakeTheirDefaults() {
    Dataset<Row> events = frame(text("event_time", "feature", "account_id"),
        new Object[] {"2024-03-05T10:00:00Z", "report", "a1"});
    Dataset<Row> blankQuantity = frame(text("event_time", "feature", "account_id", "quantity"),
        new Object[] {"2024-03-05T10:00:00Z", "report", "a1", " "},
        new Object[] {"2024-03-05T11:00:00Z", "report", "a1", "4"});
    Dataset<Row> subs = frame(text("subscription_id", "account_id", "start_date", "mrr"),
        new Object[] {"s1", "a1", "2024-01-01", "10"});

    assertCanonical(allClean(conform(events, InputContract.USAGE_EVENTS, SourceMapping.identity("usage_events")),
            InputContract.USAGE_EVENTS), new String[] {"quantity", "user_id"},
        new Object[] {1.0, null});
    assertCanonical(allClean(conform(blankQuantity, InputContract.USAGE_EVENTS,
            SourceMapping.identity("usage_events")), InputContract.USAGE_EVENTS), new String[] {"quantity"},
        new Object[] {1.0},
        new Object[] {4.0});
    assertCanonical(allClean(conform(subs, InputContract.SUBSCRIPTIONS, SourceMapping.identity("subscriptions")),
            InputContract.SUBSCRIPTIONS), new String[] {"discount_pct", "end_date", "seats"},
        new Object[] {0.0, null, null});
  }

  @Test
  void typedSourceColumnsAreConvertedWithoutTextParsing() {
    StructType accounts = typed("account_id", DataTypes.IntegerType, "signup_date", DataTypes.DateType,
        "employee_count", DataTypes.LongType, "acquisition_cost", new org.apache.spark.sql.types.DecimalType(10, 2));
    Dataset<Row> raw = frame(accounts, new Object[] {42, d("2024-03-05"), 120L, new BigDecimal("1500.50")});

    assertCanonical(allClean(conform(raw, InputContract.ACCOUNTS, SourceMapping.identity("accounts")),
            InputContract.ACCOUNTS), new String[] {"account_id", "signup_date", "employee_count", "acquisition_cost"},
        new Object[] {"42", d("2024-03-05"), 120, 1500.5});
  }

  @Test
  void typedTimestampAndEpochNumberColumnsAreConverted() {
    StructType usage = typed("ts", DataTypes.TimestampType, "epoch_ms", DataTypes.LongType,
        "feature", DataTypes.StringType, "account_id", DataTypes.StringType, "qty", DataTypes.IntegerType);
    Dataset<Row> raw = frame(usage, new Object[] {ts("2024-03-05T14:07:00"), 1709647620000L, "report", "a1", 3});

    ConformedSource viaTimestamp = conform(raw, InputContract.USAGE_EVENTS,
        mapping("usage_events", Map.of("event_time", "ts", "quantity", "qty"), Map.of(), Map.of(), null));
    ConformedSource viaEpoch = conform(raw, InputContract.USAGE_EVENTS,
        mapping("usage_events", Map.of("event_time", "epoch_ms", "quantity", "qty"),
            Map.of("event_time", "epoch_millis"), Map.of(), null));

    assertCanonical(allClean(viaTimestamp, InputContract.USAGE_EVENTS), new String[] {"event_time", "quantity"},
        new Object[] {ts("2024-03-05T14:07:00"), 3.0});
    assertCanonical(allClean(viaEpoch, InputContract.USAGE_EVENTS), new String[] {"event_time", "quantity"},
        new Object[] {ts("2024-03-05T14:07:00"), 3.0});
  }

  @Test
  void typedDateColumnIgnoresATextPatternMeantForCsv() {
    // The same config used to read CSV (pattern) must keep working when the source becomes Parquet.
    Dataset<Row> raw = frame(typed("account_id", DataTypes.StringType, "signup_date", DataTypes.DateType),
        new Object[] {"a1", d("2024-03-05")});
    ConformedSource c = conform(raw, InputContract.ACCOUNTS,
        mapping("accounts", Map.of(), Map.of("signup_date", "MM/dd/yyyy"), Map.of(), null));

    assertCanonical(allClean(c, InputContract.ACCOUNTS), new String[] {"signup_date"},
        new Object[] {d("2024-03-05")});
  }

  @Test
  void timeWithoutAZoneIsAlreadyATimeWhateverFormatIsConfigured() {
    // Parquet written by pandas / pyarrow holds naive times, which Spark reads as TIMESTAMP_NTZ.
    StructType usage = typed("ts", DataTypes.TimestampNTZType, "feature", DataTypes.StringType,
        "account_id", DataTypes.StringType);
    Dataset<Row> raw = frame(usage, new Object[] {java.time.LocalDateTime.parse("2024-03-05T14:07:00"), "report", "a1"});

    for (String format : java.util.Arrays.asList(null, "MM/dd/yyyy HH:mm", "epoch_millis")) {
      Map<String, String> formats = format == null ? Map.of() : Map.of("event_time", format);
      ConformedSource c = conform(raw, InputContract.USAGE_EVENTS,
          mapping("usage_events", Map.of("event_time", "ts"), formats, Map.of(), null));
      assertCanonical(allClean(c, InputContract.USAGE_EVENTS), new String[] {"event_time"},
          new Object[] {ts("2024-03-05T14:07:00")});
    }
  }

  @Test
  void moneyWrittenForPeopleIsReadInTheConfiguredNumberFormatAndAnythingElseIsAWrongType() {
    Dataset<Row> raw = frame(text("invoice_id", "account_id", "issued_date", "amount"),
        new Object[] {"i1", "a1", "2024-03-01", "$1,234.50"},
        new Object[] {"i2", "a1", "2024-03-01", "(12.00)"},
        new Object[] {"i3", "a1", "2024-03-01", "1,234,567 USD"},
        new Object[] {"i4", "a1", "2024-03-01", "- 7.5"},
        new Object[] {"i5", "a1", "2024-03-01", "US$99"},
        new Object[] {"i6", "a1", "2024-03-01", "12,34.5"},
        new Object[] {"i7", "a1", "2024-03-01", "(5.00"},
        new Object[] {"i8", "a1", "2024-03-01", "twelve"});
    ConformedSource us = conform(raw, InputContract.INVOICES,
        mapping("invoices", Map.of(), Map.of("amount", "1,234.56"), Map.of(), null));
    assertCanonical(us.clean().orderBy("invoice_id"), new String[] {"invoice_id", "amount"},
        new Object[] {"i1", 1234.5}, new Object[] {"i2", -12.0}, new Object[] {"i3", 1234567.0},
        new Object[] {"i4", -7.5}, new Object[] {"i5", 99.0});
    assertEquals(List.of("wrong type in amount: '(5.00' (expected a number written like 1,234.56)",
            "wrong type in amount: '12,34.5' (expected a number written like 1,234.56)",
            "wrong type in amount: 'twelve' (expected a number written like 1,234.56)"),
        us.rejected().orderBy("reason").select("reason").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());

    // The European way round, with a no-break space as a spreadsheet writes it and the symbol after.
    Dataset<Row> eu = frame(text("invoice_id", "account_id", "issued_date", "amount"),
        new Object[] {"e1", "a1", "2024-03-01", "1\u00a0234,50 \u20ac"},
        new Object[] {"e2", "a1", "2024-03-01", "-0,99"});
    assertCanonical(allClean(conform(eu, InputContract.INVOICES,
            mapping("invoices", Map.of(), Map.of("amount", "1 234,56"), Map.of(), null)), InputContract.INVOICES)
            .orderBy("invoice_id"), new String[] {"invoice_id", "amount"},
        new Object[] {"e1", 1234.5}, new Object[] {"e2", -0.99});
  }

  @Test
  void rawJsonKeepsEverySourceColumnAsRead() {
    Dataset<Row> raw = frame(text("account_id", "signup_date", "Extra Column"),
        new Object[] {"a1", " ", null});

    assertEquals("{\"account_id\":\"a1\",\"signup_date\":\" \",\"Extra Column\":null}",
        conform(raw, InputContract.ACCOUNTS, SourceMapping.identity("accounts")).rejected()
            .select("raw").first().getString(0));
  }
}
