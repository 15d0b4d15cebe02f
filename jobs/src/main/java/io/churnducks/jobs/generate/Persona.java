package io.churnducks.jobs.generate;

import java.util.Arrays;

/**
 * The latent motivation of a generated account, drawn once at signup and never written to the
 * sources (only to {@code truth/accounts}). Each persona shapes usage, billing, support and the
 * churn hazard; the pipeline's segments should recover them from observable behaviour.
 *
 * <p>Parameters per persona: population share, base usage (events per active day at signup),
 * mean engagement slope (log change per month), base monthly churn hazard, mean onboarding
 * propensity (expected key-feature uses in the first 14 days; the count itself is a
 * Poisson-gamma draw, so about 85%, 50%, 1%, 30%, 40%, 50% and 80% of the personas in
 * declaration order reach the five uses that make an early adopter), seat range, payment-risk
 * Beta(a, b) shape, support tickets per month, mean latent satisfaction, share of yearly plans,
 * and the plan-tier mix (Starter, Team, Business).
 */
public enum Persona {
  /** Large teams living in the product: many seats, broad usage, much early key-feature use. */
  POWER_COLLABORATOR("power_collaborator", 0.14, 6.0, 0.005, 0.012, 12.0, 10, 50, 1, 30, 0.4, 0.4,
      0.30, new double[] {0.1, 0.4, 0.5}),
  /** Few seats, many people behind each login: many distinct devices per user. */
  SEAT_SHARER("seat_sharer", 0.12, 4.5, 0.0, 0.038, 5.5, 1, 3, 1, 20, 0.3, 0.1,
      0.15, new double[] {0.7, 0.3, 0.0}),
  /** Rarely reaches the key features early; usage fades and early hazard is high. */
  STALLED_ONBOARDER("stalled_onboarder", 0.14, 1.0, -0.05, 0.11, 1.0, 2, 8, 1, 15, 0.25, -0.4,
      0.10, new double[] {0.5, 0.4, 0.1}),
  /** Signs up on a 30–50% discount for 3–6 months; hazard spikes when the discount ends. */
  DISCOUNT_HUNTER("discount_hunter", 0.14, 2.5, -0.01, 0.022, 3.5, 3, 10, 2, 12, 0.3, -0.1,
      0.10, new double[] {0.6, 0.35, 0.05}),
  /** Many support tickets, low satisfaction. */
  SUPPORT_HEAVY("support_heavy", 0.12, 2.8, -0.035, 0.06, 4.3, 5, 20, 2, 14, 3.0, -0.9,
      0.20, new double[] {0.3, 0.5, 0.2}),
  /** Low but steady usage and a low hazard. */
  QUIET_LOYALIST("quiet_loyalist", 0.18, 1.2, 0.0, 0.016, 5.5, 2, 6, 1, 40, 0.2, 0.3,
      0.35, new double[] {0.5, 0.4, 0.1}),
  /** Growing usage, adds seats and upgrades, many purchase-intent events. */
  EXPANDER("expander", 0.16, 3.5, 0.045, 0.0085, 10.0, 5, 15, 1, 30, 0.35, 0.5,
      0.20, new double[] {0.3, 0.6, 0.1});

  private final String id;
  final double share;
  final double eventsPerDay;
  final double slopeMean;
  final double baseHazard;
  /** Mean early key-feature uses (first 14 days) of the persona's onboarding propensity. */
  final double earlyKeyUsesMean;
  final int seatsMin;
  final int seatsMax;
  final int riskA;
  final int riskB;
  final double ticketsPerMonth;
  final double satisfactionMean;
  final double yearlyShare;
  private final double[] tierWeights;

  Persona(String id, double share, double eventsPerDay, double slopeMean, double baseHazard,
      double earlyKeyUsesMean, int seatsMin, int seatsMax, int riskA, int riskB,
      double ticketsPerMonth, double satisfactionMean, double yearlyShare, double[] tierWeights) {
    this.id = id;
    this.share = share;
    this.eventsPerDay = eventsPerDay;
    this.slopeMean = slopeMean;
    this.baseHazard = baseHazard;
    this.earlyKeyUsesMean = earlyKeyUsesMean;
    this.seatsMin = seatsMin;
    this.seatsMax = seatsMax;
    this.riskA = riskA;
    this.riskB = riskB;
    this.ticketsPerMonth = ticketsPerMonth;
    this.satisfactionMean = satisfactionMean;
    this.yearlyShare = yearlyShare;
    this.tierWeights = tierWeights;
  }

  /** The persona's string id as written to {@code truth/accounts} (e.g. {@code seat_sharer}). */
  public String id() {
    return id;
  }

  /** Plan-tier weights (Starter, Team, Business); a copy. */
  double[] tierWeights() {
    return tierWeights.clone();
  }

  /** Population shares of all personas, in declaration order. */
  static double[] shares() {
    return Arrays.stream(values()).mapToDouble(p -> p.share).toArray();
  }

  /** The persona with the given id, or an error listing the known ids. */
  public static Persona fromId(String id) {
    for (Persona p : values()) {
      if (p.id.equals(id)) {
        return p;
      }
    }
    throw new IllegalArgumentException("Cannot find persona '" + id + "' (known: "
        + String.join(", ", Arrays.stream(values()).map(Persona::id).toList()) + ")");
  }
}
