package io.churnducks.jobs.generate;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One customer episode of an account: from signup (or a comeback) to its churn. The
 * subscription chain, its renewals and its hidden drivers are planned first, as if the account
 * never churned; churn then cuts the chain. Keeping the plan lets the truth compute the exact
 * churn probability of any as-of date.
 */
final class Episode {

  /** {@link #churnDay} of an episode that does not churn before the simulation stops. */
  static final int NO_CHURN = Integer.MAX_VALUE;

  final int ordinal;
  final int start;
  final List<Subscription> planned;
  /** End (first uncovered day) of the discounted first subscription, or -1 when none. */
  final int discountEnd;
  /** Hidden drivers of the churn hazard, in onset order of their kinds. */
  final List<Driver> drivers;
  /** Renewals the customer must make, in day order. */
  final List<Renewal> renewals;
  private int churnDay = NO_CHURN;
  private boolean lateRenewal;
  private List<Subscription> actual;

  /**
   * A renewal: the subscription ending on {@code day} has a successor only if the customer
   * renews. With probability {@code lateProbability} the renewal comes later than the grace
   * period, which by the churn definition is churn on {@code day}, followed by a comeback.
   *
   * @param day             end (first uncovered day) of the subscription up for renewal
   * @param lateProbability probability, known when the renewal is planned, that it is late
   */
  record Renewal(int day, double lateProbability) {}

  Episode(int ordinal, int start, List<Subscription> planned, int discountEnd,
      List<Driver> drivers, List<Renewal> renewals) {
    this.ordinal = ordinal;
    this.start = start;
    this.planned = List.copyOf(planned);
    this.discountEnd = discountEnd;
    this.drivers = List.copyOf(drivers);
    this.renewals = List.copyOf(renewals);
    this.actual = this.planned;
  }

  /**
   * The day the account's subscriptions end if churn strikes on {@code day}: the day itself when
   * a subscription covers the day before, else (the draw fell in a renewal gap) the end of the
   * previous subscription, whose successor then never starts.
   */
  int effectiveChurnDay(int day) {
    int lastEnd = Integer.MIN_VALUE;
    for (Subscription s : planned) {
      if (s.start() < day) {
        lastEnd = Math.max(lastEnd, s.end());
      }
    }
    return Math.min(day, lastEnd);
  }

  /**
   * Records churn on the effective day {@code churnDay}: later subscriptions never start.
   * {@code lateRenewal} tells that the churn is a renewal made later than the grace period.
   */
  void churn(int churnDay, boolean lateRenewal) {
    this.churnDay = churnDay;
    this.lateRenewal = lateRenewal;
    List<Subscription> cut = new ArrayList<>();
    for (Subscription s : planned) {
      if (s.start() < churnDay) {
        cut.add(s);
      }
    }
    int last = cut.size() - 1;
    cut.set(last, cut.get(last).churnedOn(churnDay));
    actual = Collections.unmodifiableList(cut);
  }

  /** The churn day (the end of its last subscription), or {@link #NO_CHURN}. */
  int churnDay() {
    return churnDay;
  }

  /** Renewals on a day of {@code (monthStart, next month start]}, in day order. */
  List<Renewal> renewalsIn(LocalDate monthStart) {
    long from = monthStart.toEpochDay();
    long to = monthStart.plusMonths(1).toEpochDay();
    List<Renewal> out = new ArrayList<>(1);
    for (Renewal r : renewals) {
      if (r.day() > from && r.day() <= to) {
        out.add(r);
      }
    }
    return out;
  }

  /** Whether the episode ended in a renewal later than the grace period. */
  boolean endedInLateRenewal() {
    return lateRenewal;
  }

  /** Drivers whose onset came before the churn day: what the customer really went through. */
  List<Driver> driversBeforeChurn() {
    List<Driver> out = new ArrayList<>();
    for (Driver d : drivers) {
      if (d.onset() < churnDay) {
        out.add(d);
      }
    }
    return out;
  }

  /** The driver of kind {@code kind} whose onset came before the churn day, or null. */
  Driver driver(Driver.Kind kind) {
    for (Driver d : drivers) {
      if (d.kind() == kind && d.onset() < churnDay) {
        return d;
      }
    }
    return null;
  }

  /** The subscriptions that really ran (the plan, cut at churn). */
  List<Subscription> subscriptions() {
    return actual;
  }

  /** Whether some subscription that really ran covers {@code day}. */
  boolean activeOn(int day) {
    for (Subscription s : actual) {
      if (s.covers(day)) {
        return true;
      }
    }
    return false;
  }
}
