package io.churnducks.features.indicators;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Payment indicators as of D = 2024-04-01 read only issued_date, paid_date and amount: an invoice
 * issued before D is unpaid on D when it has no paid_date or was paid on or after D.
 */
class PaymentReliabilityIndicatorsTest extends SparkTestBase {

  private static Object[] invoice(String id, String issued, double amount, String status, String paid) {
    return new Object[] {id, "a1", d(issued), amount, status, paid == null ? null : d(paid)};
  }

  @Test
  void unpaidLateAndOpenBalanceAreJudgedOnTheAsOfDateAlone() {
    Dataset<Row> spine = FeatureStory.spine(spark(), new Object[] {"a1", d("2024-04-01")},
        new Object[] {"a2", d("2024-04-01")});
    Dataset<Row> invoices = frame(InputContract.INVOICES.schema(),
        invoice("p1", "2024-03-31", 1.0, "paid", "2024-03-31"),     // paid the day before D
        invoice("p2", "2024-03-20", 10.0, "paid", "2024-04-01"),    // paid on D: unpaid on D
        invoice("p3", "2024-01-02", 20.0, "open", null),            // D-90: first day of the window
        invoice("p4", "2024-01-01", 40.0, "failed", null),          // D-91: open balance only
        invoice("p5", "2024-02-01", 1.0, "paid", "2024-03-02"),     // exactly 30 days: on time
        invoice("p6", "2024-02-01", 1.0, "paid", "2024-03-03"),     // 31 days: late
        invoice("p7", "2024-01-15", 1.0, "failed", "2024-03-01"),   // status from the extract is ignored: late
        invoice("p8", "2024-02-10", 1.0, "refunded", "2024-02-11"), // refund of unknown date: paid
        invoice("p9", "2024-02-15", 80.0, "paid", "2024-04-15"),    // paid late, but after D: unpaid, not late
        invoice("p10", "2024-04-01", 160.0, null, null),            // issued on D: not yet
        invoice("p11", "2024-03-10", -5.0, "paid", null),           // a credit note: a refund, never unpaid
        invoice("p12", "2024-03-01", 1.0, "paid", "2024-03-08"),    // paid 7 days after issue: prompt
        invoice("p13", "2024-03-01", 1.0, "paid", "2024-03-09"),    // 8 days: slow
        invoice("p14", "2023-04-01", 1.0, "paid", "2023-06-01"),    // D-366: outside the year
        invoice("p15", "2024-03-25", 1.0, null, null));             // 7 days old: too young to judge

    Dataset<Row> actual = PaymentReliabilityIndicators.apply(spine, invoices);

    assertFramesEqual(frame(actual.schema(),
            // p4, issued 91 days before D, is the oldest unpaid invoice; p15 adds 1.0 to the open balance.
            // Judged for promptness: p2 to p9, p12 and p13; only p8 and p12 were paid within 7 days.
            new Object[] {"a1", d("2024-04-01"), 4L, 2L, 151.0, 91, 1L, 8.0 / 10},
            // No invoice: nothing open, and no share to state.
            new Object[] {"a2", d("2024-04-01"), 0L, 0L, 0.0, 0, 0L, null}),
        actual);
  }
}
