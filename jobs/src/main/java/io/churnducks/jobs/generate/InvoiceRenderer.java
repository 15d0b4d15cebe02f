package io.churnducks.jobs.generate;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Renders an account's billing periods as {@code billing_invoices} rows (column order of
 * {@link SampleSourceSchemas#BILLING_INVOICES}), each row as it stands at the extract cutoff.
 *
 * <p>One invoice per billing period issued before the cutoff, issued {@code open}. Its payment:
 * <ul>
 *   <li>the first card attempt fails with the account's payment risk, a few hours after issue;
 *       dunning then collects 55% of these 2–14 days after issue, 30% are paid late, 15–60 days
 *       after issue, on the same invoice, and 15% are never collected;</li>
 *   <li>of the others, a share of {@code 0.03 + 0.5 × payment risk} is paid late, 10–60 days
 *       after issue (bank transfer, purchase-order approval); the rest within minutes (80%) or
 *       up to five days.</li>
 * </ul>
 * At the cutoff an invoice paid before it is {@code paid} with its {@code paid_at}; one paid
 * later is still {@code open}, or {@code payment_failed} once its first attempt failed, without
 * {@code paid_at}. About 1% of paid invoices are refunded 1–60 days after payment: the refund is
 * a credit note, an extra row issued that day with a negative {@code amount_due} (the whole
 * amount, or half of it for 40%), {@code paid} on issue; the refunded invoice shows
 * {@code refunded} when the refund came before the cutoff. About 1% of periods also carry a
 * voided draft.
 */
final class InvoiceRenderer {

  private static final long DAY_SECONDS = 86_400L;

  private final AccountHistory h;
  private final SplittableRandom rng;
  private final long cutoffSeconds;
  private final List<String[]> rows = new ArrayList<>();
  private int count;

  private InvoiceRenderer(AccountHistory h, GeneratorOptions o) {
    this.h = h;
    this.rng = Randoms.forAccount(o.seed(), h.index, Randoms.Stream.INVOICES);
    this.cutoffSeconds = SourceRenderer.cutoffDay(o) * DAY_SECONDS;
  }

  /** The account's invoices and credit notes issued before the cutoff. */
  static List<String[]> render(AccountHistory h, GeneratorOptions o) {
    return new InvoiceRenderer(h, o).render();
  }

  private List<String[]> render() {
    for (Subscription s : h.subscriptions()) {
      LocalDate period = LocalDate.ofEpochDay(s.start());
      for (; period.toEpochDay() < s.end() && period.toEpochDay() * DAY_SECONDS < cutoffSeconds;
          period = period.plusMonths(s.periodMonths())) {
        long amount = s.mrrCents() * s.periodMonths();
        long issued = period.toEpochDay() * DAY_SECONDS + rng.nextInt(6 * 3600);
        if (rng.nextDouble() < 0.01) {
          long drafted = issued - Randoms.between(rng, 60, 3600);
          add(drafted, amount, "void", null);
        }
        bill(issued, amount);
      }
    }
    return rows;
  }

  /** One invoice issued at {@code issued}, with its payment and any refund. */
  private void bill(long issued, long amount) {
    boolean failed = rng.nextDouble() < h.paymentRisk;
    long failedAt = issued + Randoms.between(rng, 600, 4 * 3600);
    long paidAt;
    if (failed) {
      double outcome = rng.nextDouble();
      paidAt = outcome < 0.55 ? issued + days(2, 14)
          : outcome < 0.85 ? issued + days(15, 60) : Long.MAX_VALUE;
    } else if (rng.nextDouble() < 0.03 + 0.5 * h.paymentRisk) {
      paidAt = issued + days(10, 60);
    } else {
      paidAt = issued + (rng.nextDouble() < 0.8
          ? Randoms.between(rng, 30, 3600) : Randoms.between(rng, 3600, 5 * 86_400));
    }
    boolean refunded = rng.nextDouble() < 0.01;
    long refundedAt = paidAt == Long.MAX_VALUE ? Long.MAX_VALUE : paidAt + days(1, 60);
    long refund = rng.nextDouble() < 0.4 ? amount / 2 : amount;
    if (paidAt >= cutoffSeconds) {
      add(issued, amount, failed && failedAt < cutoffSeconds ? "payment_failed" : "open", null);
      return;
    }
    boolean creditNote = refunded && refundedAt < cutoffSeconds;
    add(issued, amount, creditNote ? "refunded" : "paid", paidAt);
    if (creditNote) {
      add(refundedAt, -refund, "paid", refundedAt);
    }
  }

  /** Seconds from {@code lo} to {@code hi} days, at a uniform second of the day. */
  private long days(int lo, int hi) {
    return Randoms.between(rng, lo, hi) * DAY_SECONDS + rng.nextInt((int) DAY_SECONDS);
  }

  private void add(long issued, long amount, String status, Long paidAt) {
    rows.add(new String[] {
        "in_" + h.number() + "_" + (++count),
        h.accountId,
        Long.toString(issued),
        Long.toString(amount),
        status,
        paidAt == null ? null : Long.toString(paidAt)});
  }
}
