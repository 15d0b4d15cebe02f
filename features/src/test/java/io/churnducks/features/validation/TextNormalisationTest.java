package io.churnducks.features.validation;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.SourceMapping;
import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;

import static io.churnducks.features.testing.RawSources.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Text is trimmed; allowed values are matched ignoring case; free-text categories are one value
 * whatever their spacing and case; identifiers keep their case.
 */
class TextNormalisationTest extends SparkTestBase {

  private static final LocalDate EXTRACT = LocalDate.parse("2024-03-31");
  private static final LocalDate RUN = EXTRACT.plusDays(1);

  @Test
  void allowedValuesAreMatchedIgnoringCaseAndSurroundingSpace() {
    Dataset<Row> raw = frame(text("invoice_id", "account_id", "issued_date", "amount", "status"),
        new Object[] {"i1", "a1", "2024-03-01", "10", "PAID "},
        new Object[] {"i2", "a1", "2024-03-01", "10", " paid"},
        new Object[] {"i3", "a1", "2024-03-01", "10", "Refunded"},
        new Object[] {"i4", "a1", "2024-03-01", "10", " PAYMENT_FAILED "});
    ConformedSource c = SourceConformer.conform(raw, InputContract.INVOICES, new SourceMapping("invoices",
        Map.of(), Map.of(), Map.of("status", Map.of("payment_failed", "failed")), Optional.empty()),
        "test:invoices", RUN, EXTRACT);

    Dataset<Row> clean = c.clean().select("invoice_id", "status");
    assertFramesEqual(frame(clean.schema(),
        new Object[] {"i1", "paid"},
        new Object[] {"i2", "paid"},
        new Object[] {"i3", "refunded"},
        new Object[] {"i4", "failed"}), clean);
    assertEquals(0L, ContractValidator.validateDependent(c, frame(text("account_id"), new Object[] {"a1"}), null,
        null).quarantine().count());
  }

  @Test
  void categoriesAreOneValueWhateverTheirSpacingAndCaseAndIdentifiersAreOnlyTrimmed() {
    Dataset<Row> raw = frame(text("account_id", "signup_date", "industry", "country", "acquisition_channel"),
        new Object[] {"a1", "2024-01-01", "saas", " us", "Paid_Search"},
        new Object[] {" A2 ", "2024-01-01", " SaaS ", "US", "paid_search "},
        new Object[] {"a3", "2024-01-01", "financial   services", "gb", "PAID_SEARCH"},
        new Object[] {"a4", "2024-01-01", "Financial Services", "Gb", "  "});
    ConformedSource c = SourceConformer.conform(raw, InputContract.ACCOUNTS, SourceMapping.identity("accounts"),
        "test:accounts", RUN, EXTRACT);

    Dataset<Row> clean = c.clean().select("account_id", "industry", "country", "acquisition_channel");
    assertFramesEqual(frame(clean.schema(),
        new Object[] {"a1", "Saas", "US", "paid_search"},
        new Object[] {"A2", "Saas", "US", "paid_search"},
        new Object[] {"a3", "Financial Services", "GB", "paid_search"},
        new Object[] {"a4", "Financial Services", "GB", null}), clean);
  }

  @Test
  void planPriorityAndCategoryAreNormalisedToo() {
    Dataset<Row> subs = frame(text("subscription_id", "account_id", "start_date", "mrr", "plan"),
        new Object[] {"s1", "a1", "2024-01-01", "10", " team   MONTHLY "});
    Dataset<Row> tickets = frame(text("ticket_id", "account_id", "opened_at", "priority", "category"),
        new Object[] {"t1", "a1", "2024-03-01T10:00:00Z", "URGENT", " Incident"});

    assertEquals("Team Monthly", SourceConformer.conform(subs, InputContract.SUBSCRIPTIONS,
        SourceMapping.identity("subscriptions"), "test", RUN, EXTRACT).clean().select("plan").first().getString(0));
    Row t = SourceConformer.conform(tickets, InputContract.SUPPORT_TICKETS, SourceMapping.identity("support_tickets"),
        "test", RUN, EXTRACT).clean().select("priority", "category").first();
    assertEquals("urgent", t.getString(0));
    assertEquals("incident", t.getString(1));
  }
}
