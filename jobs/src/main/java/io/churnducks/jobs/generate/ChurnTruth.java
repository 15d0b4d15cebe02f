package io.churnducks.jobs.generate;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The hidden churn truth of one account: for every first-of-month as-of date from
 * {@code start + 1 month} to the cutoff on which the account is active, the exact probability
 * that it churns within the horizon, and what really happened.
 *
 * <p>The simulation draws churn month by month (days {@code (M_k, M_k+1]}): first the hazard
 * {@code h_k}, striking on a uniform day whose effective churn day is known from the plan,
 * then each renewal {@code r} ending in the month, late (churn on its end day) with probability
 * {@code q_r}. The first event ends the episode, so P is summed in the same order: month k adds
 * {@code S · h_k · frac_k} for the hazard, then each renewal r inside the window adds
 * {@code S · q_r}, where {@code S} is the probability that no event came before and
 * {@code frac_k} the share of month k's days whose effective churn day falls in
 * {@code (asOf, asOf + horizon]} (a day in a renewal gap counts at the end of the previous
 * subscription). Months are followed past the window end for as long as a renewal gap can map a
 * day back into it.
 *
 * <p>The probability conditions on the planned path: the persona and latents, the subscription
 * plan and the episode's drivers with their onsets (what the customer knows of itself: a
 * champion about to leave, a budget about to be cut). What is still chance at the as-of date,
 * the monthly churn draws and whether each renewal is late, enters only through its
 * probability. Given the path the draws are independent, so the probability is calibrated.
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
    int simulationEnd = (int) options.simulationEnd().toEpochDay();
    for (LocalDate asOf = options.start().plusMonths(1); !asOf.isAfter(options.cutoff());
        asOf = asOf.plusMonths(1)) {
      int day = (int) asOf.toEpochDay();
      Episode episode = history.episodeActiveOn(day);
      if (episode == null) {
        continue;
      }
      int windowEnd = day + options.horizonDays();
      // A renewal gap is shorter than the grace period, so no later day maps into the window.
      int lastMonth = Math.min(simulationEnd, windowEnd + options.graceDays());
      double survival = 1.0;
      double probability = 0.0;
      for (LocalDate month = asOf; month.toEpochDay() < lastMonth; month = month.plusMonths(1)) {
        double hazard = history.hazard(episode, month);
        if (hazard > 0) {
          probability += survival * hazard * shareInWindow(episode, month, day, windowEnd);
          survival *= 1 - hazard;
        }
        for (Episode.Renewal r : episode.renewalsIn(month)) {
          if (r.day() <= windowEnd) {
            probability += survival * r.lateProbability();
          }
          survival *= 1 - r.lateProbability();
        }
      }
      int churnDay = episode.churnDay();
      boolean churned = churnDay > day && churnDay <= windowEnd;
      out.add(new Outcome(day, probability, churned, churned ? churnDay : Episode.NO_CHURN));
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
