package io.churnducks.jobs.generate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One customer episode of an account: from signup (or a win-back) to its churn. The
 * subscription chain is planned first, as if the account never churned; churn then cuts it.
 * Keeping the plan lets the truth compute the exact churn probability of any as-of date.
 */
final class Episode {

  /** {@link #churnDay} of an episode that does not churn before the simulation stops. */
  static final int NO_CHURN = Integer.MAX_VALUE;

  final int ordinal;
  final int start;
  final List<Subscription> planned;
  /** End (first uncovered day) of the discounted first subscription, or -1 when none. */
  final int discountEnd;
  private int churnDay = NO_CHURN;
  private List<Subscription> actual;

  Episode(int ordinal, int start, List<Subscription> planned, int discountEnd) {
    this.ordinal = ordinal;
    this.start = start;
    this.planned = List.copyOf(planned);
    this.discountEnd = discountEnd;
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

  /** Records churn on the effective day {@code churnDay}: later subscriptions never start. */
  void churn(int churnDay) {
    this.churnDay = churnDay;
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
