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
 * Renders an {@link AccountHistory} as rows of the CRM, billing subscriptions, help-desk and
 * survey sources, in the column order of {@link SampleSourceSchemas} (invoices:
 * {@link InvoiceRenderer}; usage: {@link UsageEventRenderer}). Only what happens strictly before
 * the cutoff is rendered: a subscription still running then is open, a ticket solved after it is
 * unsolved.
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
  /** Priority weights (low, normal, high, urgent) of an incident about a broken integration. */
  private static final double[] INCIDENT_PRIORITIES = {0.0, 0.2, 0.5, 0.3};

  /** Incident tickets per month while an integration is broken. */
  static final double INCIDENTS_PER_MONTH = 1.5;

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
    for (Episode e : h.episodes) {
      for (Subscription s : e.subscriptions()) {
        if (s.start() < cutoff) {
          rows.add(subscription(h, e, s, cutoff));
        }
      }
    }
    return rows;
  }

  /**
   * One billing_subscriptions row. A discount granted for a limited time (the discount hunter's
   * introductory offer) states when it ends, as a billing system's coupon does from the day it is
   * granted; a discount for the whole subscription states no end.
   */
  private static String[] subscription(AccountHistory h, Episode e, Subscription s, int cutoff) {
    boolean ended = s.end() < cutoff;
    boolean offerEnds = s.percentOff() > 0 && e.discountEnd >= 0 && s.start() < e.discountEnd;
    return new String[] {
        subscriptionId(h, s),
        h.accountId,
        Long.toString(s.start() * DAY_SECONDS),
        ended ? Long.toString(s.end() * DAY_SECONDS) : null,
        s.tier().label + (s.yearly() ? " Annual" : " Monthly"),
        s.yearly() ? "year" : "month",
        Integer.toString(s.tier().unitCents),
        Integer.toString(s.seats()),
        s.percentOff() > 0 ? Integer.toString(s.percentOff()) : null,
        Boolean.toString(ended && s.endedByChurn()),
        offerEnds ? Long.toString((long) e.discountEnd * DAY_SECONDS) : null};
  }

  /**
   * Help-desk tickets opened while the account was active, a Poisson process of the account's
   * ticket rate; resolution takes hours to days (longer for support-heavy accounts) and about
   * 45% of solved tickets are rated, the rating following latent satisfaction. While an
   * integration is broken, incidents come on top at {@link #INCIDENTS_PER_MONTH} a month, mostly
   * of high or urgent priority.
   */
  static List<String[]> supportTickets(AccountHistory h, GeneratorOptions o) {
    SplittableRandom rng = Randoms.forAccount(o.seed(), h.index, Randoms.Stream.TICKETS);
    int cutoff = cutoffDay(o);
    long cutoffSeconds = cutoff * DAY_SECONDS;
    boolean heavy = h.persona == Persona.SUPPORT_HEAVY;
    double[] priorityWeights = heavy ? new double[] {0.15, 0.40, 0.30, 0.15}
        : new double[] {0.30, 0.45, 0.18, 0.07};
    double medianHours = heavy ? 20 : 8;
    // Each ticket: its opening second, and 1 when it is an integration incident.
    List<long[]> opened = new ArrayList<>();
    for (Episode e : h.episodes) {
      Driver broken = e.driver(Driver.Kind.INTEGRATION_BROKEN);
      for (Subscription s : e.subscriptions()) {
        int end = Math.min(s.end(), cutoff);
        open(rng, opened, s.start(), end, h.ticketsPerMonth, 0);
        if (broken != null) {
          open(rng, opened, Math.max(s.start(), broken.onset()), Math.min(end, broken.end()),
              INCIDENTS_PER_MONTH, 1);
        }
      }
    }
    opened.sort(Comparator.comparingLong(t -> t[0]));
    List<String[]> rows = new ArrayList<>();
    for (int i = 0; i < opened.size(); i++) {
      long created = opened.get(i)[0];
      boolean incident = opened.get(i)[1] == 1;
      int priority = Randoms.pick(rng, incident ? INCIDENT_PRIORITIES : priorityWeights);
      String type = incident ? "incident"
          : TICKET_TYPES[Randoms.pick(rng, new double[] {0.45, 0.25, 0.15, 0.15})];
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

  /** Adds Poisson({@code perMonth}) tickets of {@code kind} opened on days {@code [from, to)}. */
  private static void open(SplittableRandom rng, List<long[]> opened, int from, int to,
      double perMonth, int kind) {
    int days = to - from;
    if (days <= 0) {
      return;
    }
    int n = Randoms.poisson(rng, perMonth * days / AccountHistory.DAYS_PER_MONTH);
    for (int i = 0; i < n; i++) {
      long minute = Randoms.between(rng, 6 * 60, 22 * 60 - 1);
      opened.add(new long[] {(from + rng.nextInt(days)) * DAY_SECONDS + minute * 60, kind});
    }
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
