package io.churnducks.jobs.generate;

/**
 * A hidden event in a customer episode that raises the churn hazard from its onset: the
 * champion leaves, an integration breaks, the budget is cut, the team trials a competitor. No
 * source records it; it leaves only indirect, noisy traces (one user fewer, error events and
 * incident tickets, a contraction at the next renewal, narrower usage and more pricing-page
 * views), and {@code truth/drivers} lists it so tests can explain a miss.
 *
 * @param kind  what happened
 * @param onset first affected day (epoch day, UTC)
 * @param end   first day no longer affected; {@link #OPEN} when it never ends
 */
record Driver(Kind kind, int onset, int end) {

  /** {@link #end} of a driver that lasts for the rest of the episode. */
  static final int OPEN = Integer.MAX_VALUE;

  /** Months over which the extra hazard of a departed champion halves. */
  static final double CHAMPION_HALF_LIFE_MONTHS = 6.0;

  /**
   * The kinds of drivers, their peak hazard multiplier and their base onset rate per month of
   * an episode (multiplied by a persona factor, {@link #rateFactor}).
   */
  enum Kind {
    /** The heaviest user (login 1) leaves: their events stop; the extra hazard then fades. */
    CHAMPION_LEFT("champion_left", 2.5, 0.012),
    /** An integration breaks: error events, fewer integration and automation events, incidents. */
    INTEGRATION_BROKEN("integration_broken", 2.0, 0.012),
    /** The budget is cut: the account contracts at its next renewal and checks the pricing page. */
    BUDGET_CUT("budget_cut", 1.8, 0.009),
    /** The team trials a competitor for about two months: narrower use, more pricing and exports. */
    COMPETITOR_TRIAL("competitor_trial", 2.2, 0.012);

    final String id;
    final double hazardMultiplier;
    final double monthlyRate;

    Kind(String id, double hazardMultiplier, double monthlyRate) {
      this.id = id;
      this.hazardMultiplier = hazardMultiplier;
      this.monthlyRate = monthlyRate;
    }

    /** The id written to {@code truth/drivers.driver}. */
    String id() {
      return id;
    }

    /** Mild persona dependence of the onset rate: who relies on what, who shops around. */
    double rateFactor(Persona p) {
      return switch (this) {
        case CHAMPION_LEFT -> p == Persona.POWER_COLLABORATOR || p == Persona.EXPANDER ? 1.3 : 1.0;
        case INTEGRATION_BROKEN -> switch (p) {
          case POWER_COLLABORATOR, EXPANDER -> 1.6;
          case STALLED_ONBOARDER, SEAT_SHARER -> 0.4;
          default -> 1.0;
        };
        case BUDGET_CUT -> switch (p) {
          case DISCOUNT_HUNTER -> 1.6;
          case EXPANDER, QUIET_LOYALIST -> 0.6;
          default -> 1.0;
        };
        case COMPETITOR_TRIAL -> switch (p) {
          case DISCOUNT_HUNTER, SUPPORT_HEAVY -> 1.5;
          case POWER_COLLABORATOR, QUIET_LOYALIST -> 0.6;
          default -> 1.0;
        };
      };
    }
  }

  /** Whether the driver affects {@code day}. */
  boolean activeOn(int day) {
    return onset <= day && day < end;
  }

  /**
   * The driver's multiplier on the hazard of the month of churn days {@code (monthStart,
   * nextMonthStart]}: its multiplier weighted by the share of those days it affects, so a
   * driver starting or ending mid-month counts in part. A departed champion's extra hazard
   * halves every {@link #CHAMPION_HALF_LIFE_MONTHS} months after the onset.
   */
  double hazardFactor(int monthStart, int nextMonthStart) {
    int from = Math.max(onset, monthStart + 1);
    int to = end == OPEN ? nextMonthStart + 1 : Math.min(end, nextMonthStart + 1);
    if (to <= from) {
      return 1.0;
    }
    double share = (to - from) / (double) (nextMonthStart - monthStart);
    double extra = kind.hazardMultiplier - 1;
    if (kind == Kind.CHAMPION_LEFT) {
      double months = Math.max(0, monthStart - onset) / AccountHistory.DAYS_PER_MONTH;
      extra *= StrictMath.pow(0.5, months / CHAMPION_HALF_LIFE_MONTHS);
    }
    return 1 + extra * share;
  }
}
