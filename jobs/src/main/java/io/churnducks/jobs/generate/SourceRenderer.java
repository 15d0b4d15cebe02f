package io.churnducks.jobs.generate;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Renders an {@link AccountHistory} as rows of the CRM, billing, help-desk and survey sources,
 * in the column order of {@link SampleSourceSchemas}. Only what happens strictly before the
 * cutoff is rendered: a subscription still running then is open, an invoice paid after it is
 * open, a ticket solved after it is unsolved.
 */
final class SourceRenderer {

  private static final DateTimeFormatter CRM_DATE = DateTimeFormatter.ofPattern("MM/dd/yyyy");
  static final DateTimeFormatter ISO_SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");
  private static final DateTimeFormatter SURVEY_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final long DAY_SECONDS = 86_400L;
  private static final String[] PRIORITIES = {"low", "normal", "high", "urgent"};
  private static final String[] TICKET_TYPES = {"question", "incident", "problem", "task"};

  private SourceRenderer() {}

  /** The account's CRM row. */
  static List<String[]> crmAccounts(AccountHistory h) {
    return List.<String[]>of(new String[] {
        h.accountId,
        h.name,
        LocalDate.ofEpochDay(h.signup).format(CRM_DATE),
        h.industry.name(),
        Integer.toString(h.employees),
        h.country,
        h.channel.id(),
        dollars(h.acquisitionCostCents),
        h.csmOwner});
  }

  /** Subscriptions that started before the cutoff; those running at the cutoff are open. */
  static List<String[]> subscriptions(AccountHistory h, GeneratorOptions o) {
    int cutoff = cutoffDay(o);
    List<String[]> rows = new ArrayList<>();
    for (Subscription s : h.subscriptions()) {
      if (s.start() >= cutoff) {
        continue;
      }
      boolean ended = s.end() < cutoff;
      rows.add(new String[] {
          subscriptionId(h, s),
          h.accountId,
          Long.toString(s.start() * DAY_SECONDS),
          ended ? Long.toString(s.end() * DAY_SECONDS) : null,
          s.tier().label + (s.yearly() ? " Annual" : " Monthly"),
          s.yearly() ? "year" : "month",
          Integer.toString(s.tier().unitCents),
          Integer.toString(s.seats()),
          s.percentOff() > 0 ? Integer.toString(s.percentOff()) : null,
          Boolean.toString(ended && s.endedByChurn())});
    }
    return rows;
  }

  /**
   * One invoice per billing period issued before the cutoff. A failed payment (probability =
   * payment risk) is retried three to seven days later as a second invoice; about 1% of periods
   * also carry a voided draft, and a few paid invoices are refunded.
   */
  static List<String[]> invoices(AccountHistory h, GeneratorOptions o) {
    SplittableRandom rng = Randoms.forAccount(o.seed(), h.index, Randoms.Stream.INVOICES);
    long cutoffSeconds = cutoffDay(o) * DAY_SECONDS;
    List<String[]> rows = new ArrayList<>();
    int[] count = {0};
    for (Subscription s : h.subscriptions()) {
      LocalDate period = LocalDate.ofEpochDay(s.start());
      for (; period.toEpochDay() < s.end() && period.toEpochDay() * DAY_SECONDS < cutoffSeconds;
          period = period.plusMonths(s.periodMonths())) {
        long amount = s.mrrCents() * s.periodMonths();
        long issued = period.toEpochDay() * DAY_SECONDS + rng.nextInt(6 * 3600);
        if (rng.nextDouble() < 0.01) {
          long drafted = issued - Randoms.between(rng, 60, 3600);
          rows.add(invoice(h, count, drafted, amount, "void", null));
        }
        if (rng.nextDouble() < h.paymentRisk) {
          rows.add(invoice(h, count, issued, amount, "payment_failed", null));
          long retry = issued + Randoms.between(rng, 3, 7) * DAY_SECONDS + rng.nextInt(3600);
          if (retry < cutoffSeconds) {
            rows.add(settled(h, count, rng, retry, amount, cutoffSeconds));
          }
        } else {
          rows.add(settled(h, count, rng, issued, amount, cutoffSeconds));
        }
      }
    }
    return rows;
  }

  private static String[] settled(AccountHistory h, int[] count, SplittableRandom rng, long issued,
      long amount, long cutoffSeconds) {
    long paidAt = issued + (rng.nextDouble() < 0.8
        ? Randoms.between(rng, 30, 3600) : Randoms.between(rng, 3600, 5 * 86_400));
    boolean refunded = rng.nextDouble() < 0.005;
    if (paidAt >= cutoffSeconds) {
      return invoice(h, count, issued, amount, "open", null);
    }
    return invoice(h, count, issued, amount, refunded ? "refunded" : "paid", paidAt);
  }

  private static String[] invoice(AccountHistory h, int[] count, long issued, long amount,
      String status, Long paidAt) {
    return new String[] {
        "in_" + h.number() + "_" + (++count[0]),
        h.accountId,
        Long.toString(issued),
        Long.toString(amount),
        status,
        paidAt == null ? null : Long.toString(paidAt)};
  }

  /**
   * Help-desk tickets opened while the account was active, a Poisson process of the account's
   * ticket rate; resolution takes hours to days (longer for support-heavy accounts) and about
   * 45% of solved tickets are rated, the rating following latent satisfaction.
   */
  static List<String[]> supportTickets(AccountHistory h, GeneratorOptions o) {
    SplittableRandom rng = Randoms.forAccount(o.seed(), h.index, Randoms.Stream.TICKETS);
    int cutoff = cutoffDay(o);
    long cutoffSeconds = cutoff * DAY_SECONDS;
    boolean heavy = h.persona == Persona.SUPPORT_HEAVY;
    double[] priorityWeights = heavy ? new double[] {0.15, 0.40, 0.30, 0.15}
        : new double[] {0.30, 0.45, 0.18, 0.07};
    double medianHours = heavy ? 20 : 8;
    List<long[]> opened = new ArrayList<>();
    for (Subscription s : h.subscriptions()) {
      int days = Math.min(s.end(), cutoff) - s.start();
      if (days <= 0) {
        continue;
      }
      int n = Randoms.poisson(rng, h.ticketsPerMonth * days / AccountHistory.DAYS_PER_MONTH);
      for (int i = 0; i < n; i++) {
        long minute = Randoms.between(rng, 6 * 60, 22 * 60 - 1);
        opened.add(new long[] {(s.start() + rng.nextInt(days)) * DAY_SECONDS + minute * 60});
      }
    }
    opened.sort(Comparator.comparingLong(t -> t[0]));
    List<String[]> rows = new ArrayList<>();
    for (int i = 0; i < opened.size(); i++) {
      long created = opened.get(i)[0];
      int priority = Randoms.pick(rng, priorityWeights);
      String type = TICKET_TYPES[Randoms.pick(rng, new double[] {0.45, 0.25, 0.15, 0.15})];
      double hours = medianHours * StrictMath.exp(rng.nextGaussian());
      boolean abandoned = rng.nextDouble() < 0.04;
      long solved = created + 60 * Math.max(5, Math.round(hours * 60));
      boolean isSolved = !abandoned && solved < cutoffSeconds;
      String csat = null;
      double rated = rng.nextDouble();
      double noise = rng.nextGaussian();
      if (isSolved && rated < 0.45) {
        double score = 3.9 + 0.8 * h.satisfaction + 0.8 * noise - (priority == 3 ? 0.5 : 0);
        csat = Long.toString(Math.max(1, Math.min(5, Math.round(score))));
      }
      rows.add(new String[] {
          "TCK-" + h.number() + "-" + (i + 1),
          h.accountId,
          isoSeconds(created),
          isSolved ? isoSeconds(solved) : null,
          PRIORITIES[priority],
          type,
          csat});
    }
    return rows;
  }

  /**
   * NPS responses: a survey goes out in the first three weeks of every quarter to accounts
   * active then for at least 30 days, and about 35% answer within ten days; the score follows
   * latent satisfaction.
   */
  static List<String[]> npsResponses(AccountHistory h, GeneratorOptions o) {
    SplittableRandom rng = Randoms.forAccount(o.seed(), h.index, Randoms.Stream.SURVEYS);
    int cutoff = cutoffDay(o);
    List<String[]> rows = new ArrayList<>();
    LocalDate quarter = o.start().withMonth((o.start().getMonthValue() - 1) / 3 * 3 + 1);
    for (; quarter.toEpochDay() < cutoff; quarter = quarter.plusMonths(3)) {
      int sent = (int) quarter.toEpochDay() + Randoms.between(rng, 0, 20);
      boolean answers = rng.nextDouble() < 0.35;
      int responded = sent + Randoms.between(rng, 0, 10);
      long second = Randoms.between(rng, 7 * 3600, 21 * 3600 - 1);
      double noise = rng.nextGaussian();
      boolean eligible = sent - h.signup >= 30 && h.episodeActiveOn(sent) != null;
      if (!answers || !eligible || responded >= cutoff) {
        continue;
      }
      long score = Math.max(0, Math.min(10, Math.round(7.0 + 1.6 * h.satisfaction + 1.2 * noise)));
      rows.add(new String[] {
          h.accountId,
          LocalDateTime.ofEpochSecond(responded * DAY_SECONDS + second, 0, ZoneOffset.UTC)
              .format(SURVEY_TIME),
          Long.toString(score)});
    }
    return rows;
  }

  /** The billing id of a subscription. */
  static String subscriptionId(AccountHistory h, Subscription s) {
    return "sub_" + h.number() + "_" + s.number();
  }

  static int cutoffDay(GeneratorOptions o) {
    return (int) o.cutoff().toEpochDay();
  }

  /** Cents as dollars with two decimals, e.g. 123450 → "1234.50". */
  static String dollars(long cents) {
    long rest = cents % 100;
    return (cents / 100) + "." + (rest < 10 ? "0" : "") + rest;
  }

  static String isoSeconds(long epochSecond) {
    return LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC).format(ISO_SECONDS);
  }
}
