package io.churnducks.jobs.generate;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The hidden churn truth of one account: for every first-of-month as-of date from
 * {@code start + 1 month} to the cutoff on which the account is active, the exact probability
 * that it churns within the horizon, and what really happened.
 *
 * <p>Given the hazard path and the planned subscription chain, churn in month k (days
 * {@code (M_k, M_k+1]}) strikes with probability {@code h_k} on a uniform day whose effective
 * churn day is known, so {@code P = 1 − Π_k (1 − h_k · frac_k)}, where {@code frac_k} is the
 * share of month k's days whose effective churn day falls in {@code (asOf, asOf + horizon]}
 * (the share of its days inside the window, except that a day in a renewal gap counts at the
 * end of the previous subscription).
 */
final class ChurnTruth {

  /**
   * One (account, as-of date) outcome.
   *
   * @param asOf        as-of day (epoch day, a first of month)
   * @param probability true probability of a churn event in {@code (asOf, asOf + horizon]}
   * @param churned     whether the simulation churned in that window
   * @param churnDay    the churn day when {@code churned}, else {@link Episode#NO_CHURN}
   */
  record Outcome(int asOf, double probability, boolean churned, int churnDay) {}

  private ChurnTruth() {}

  /** The outcomes of every as-of date on which the account is active. */
  static List<Outcome> outcomes(AccountHistory history, GeneratorOptions options) {
    List<Outcome> out = new ArrayList<>();
    for (LocalDate asOf = options.start().plusMonths(1); !asOf.isAfter(options.cutoff());
        asOf = asOf.plusMonths(1)) {
      int day = (int) asOf.toEpochDay();
      Episode episode = history.episodeActiveOn(day);
      if (episode == null) {
        continue;
      }
      int windowEnd = day + options.horizonDays();
      double survival = 1.0;
      for (LocalDate month = asOf; month.toEpochDay() < windowEnd; month = month.plusMonths(1)) {
        double hazard = history.hazard(episode, month);
        if (hazard > 0) {
          survival *= 1 - hazard * shareInWindow(episode, month, day, windowEnd);
        }
      }
      int churnDay = episode.churnDay();
      boolean churned = churnDay > day && churnDay <= windowEnd;
      out.add(new Outcome(day, 1 - survival, churned, churned ? churnDay : Episode.NO_CHURN));
    }
    return out;
  }

  /** Share of the month's churn days whose effective churn day lies in (asOf, windowEnd]. */
  private static double shareInWindow(Episode episode, LocalDate month, int asOf, int windowEnd) {
    int first = (int) month.toEpochDay() + 1;
    int length = month.lengthOfMonth();
    int inside = 0;
    for (int d = first; d < first + length; d++) {
      int effective = episode.effectiveChurnDay(d);
      if (effective > asOf && effective <= windowEnd) {
        inside++;
      }
    }
    return inside / (double) length;
  }
}
