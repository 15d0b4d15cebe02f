package io.churnducks.features.indicators;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import static io.churnducks.features.indicators.FeatureStory.SETTINGS;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Indicators use only data dated strictly before the as-of date: adding anything dated on or
 * after it to any table (or ending a subscription on or after it) changes no feature, and neither
 * does an extract-time column (invoice status, auto_renew) or a payment made on or after it.
 */
class PointInTimeTest extends SparkTestBase {

  @Test
  void rowsDatedOnOrAfterTheRunDateChangeNoFeature() {
    // The spine holds D and an earlier as-of date; everything added below is dated on or after D.
    Dataset<Row> before = FeatureStory.withAllSources(spark()).features();

    FeatureStory.Tables later = FeatureStory.story();
    // A new account signing up on D (not in the spine yet).
    later.account("a4", "2024-04-01", "Retail", "ads");
    // A subscription starting on D, and end dates set on and after D on open subscriptions.
    later.subscription("s7", "a1", "2024-04-01", null, 500.0, 50, 50.0, "enterprise");
    later.subscription("s8", "a3", "2024-04-01", null, 40.0, 3, 0.0, "starter");
    later.subscriptions.removeIf(r -> r[0].equals("s1") || r[0].equals("s2"));
    later.subscription("s1", "a1", "2024-01-01", "2024-04-01", 100.0, 5, 0.0, "pro");
    later.subscription("s2", "a2", "2024-03-20", "2024-04-11", 30.0, 2, 10.0, "2024-05-20", "starter");
    for (String account : new String[] {"a1", "a2", "a3"}) {
      later.event(account, "2024-04-01T00:00:00", "u1", "d1", "report");
      later.event(account, "2024-04-01T00:00:00", "u9", "d9", "pricing_page");
      later.event(account, "2024-04-01T13:30:00", "u5", "d5", "export");
      later.event(account, "2024-04-20T08:00:00", "u6", "d6", "invite");
      later.invoice("late-" + account + "-1", account, "2024-04-01", "failed");
      later.invoice("late-" + account + "-2", account, "2024-04-15", "failed");
      later.ticket("late-" + account, account, "2024-04-01T00:00:00", 1);
      later.survey(account, "2024-04-01T00:00:00", 0);
      later.survey(account, "2024-05-01T00:00:00", 10);
      later.event(account, "2024-04-01T02:00:00", "u1", "d1", "sync_error");
      later.invoice("credit-" + account, account, "2024-04-01", -30.0, "paid", "2024-04-01");
      later.ticket("urgent-" + account, account, "2024-04-01T01:00:00", null, "urgent", null);
    }
    // A ticket open on D closed after it, and a contraction starting on D.
    later.tickets.stream().filter(t -> t[0].equals("t6")).forEach(t -> t[3] = FeatureStory.ts("2024-04-02T09:00:00"));
    later.subscription("s9", "a2", "2024-04-01", null, 10.0, 1, 0.0, "starter");
    Dataset<Row> after = CustomerFeatures.compute(FeatureStory.storySpine(spark()), later.frames(spark()), SETTINGS)
        .features();

    assertFramesEqual(before, after);
  }

  @Test
  void invoiceStatusPaymentsAndRenewalFlagsChangedAfterTheAsOfDateChangeNoFeature() {
    Dataset<Row> before = FeatureStory.withAllSources(spark()).features();

    FeatureStory.Tables later = FeatureStory.story();
    for (Object[] invoice : later.invoices) {
      switch ((String) invoice[0]) {
        // failed on D-1, paid on D: still unpaid on D
        case "i1" -> set(invoice, "paid", "2024-04-01");
        // paid later than the story says, then refunded
        case "i7" -> set(invoice, "refunded", "2024-04-20");
        // the extract says refunded; the refund's date is unknown, the payment (before D) stands
        case "i4", "i6" -> invoice[4] = "refunded";
        // the extract's status says nothing about when it was reached
        case "i3" -> invoice[4] = "open";
        default -> { }
      }
    }
    // Cancel at period end, flipped at an unknown time: extract-time, never a feature.
    later.subscriptions.forEach(s -> s[s.length - 1] = false);
    Dataset<Row> after = CustomerFeatures.compute(FeatureStory.storySpine(spark()), later.frames(spark()), SETTINGS)
        .features();

    assertFramesEqual(before, after);
  }

  @Test
  void aPaymentBeforeTheAsOfDateDoesChangeThePaymentIndicators() {
    // The control of the test above: the same kind of edit dated before D is seen.
    FeatureStory.Tables earlier = FeatureStory.story();
    earlier.invoices.stream().filter(i -> i[0].equals("i1")).forEach(i -> set(i, "paid", "2024-03-31"));
    Dataset<Row> spine = FeatureStory.spine(spark(), new Object[] {"a1", java.sql.Date.valueOf(FeatureStory.D)});
    Row story = PaymentReliabilityIndicators.apply(spine, FeatureStory.story().frames(spark()).get("invoices")).first();
    Row paid = PaymentReliabilityIndicators.apply(spine, earlier.frames(spark()).get("invoices")).first();

    assertEquals(3L, story.<Long>getAs("unpaid_invoices_90d"));
    assertEquals(2L, paid.<Long>getAs("unpaid_invoices_90d"));
    assertEquals(300.0, paid.<Double>getAs("unpaid_amount"));
  }

  private static void set(Object[] invoice, String status, String paid) {
    invoice[4] = status;
    invoice[5] = FeatureStory.d(paid);
  }
}
