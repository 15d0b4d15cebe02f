package io.churnducks.jobs.generate;

/**
 * One simulated subscription: covers the days {@code start ≤ d < end} (epoch days, UTC).
 *
 * @param number       per-account sequence number, used in the subscription id
 * @param start        first covered day
 * @param end          first day no longer covered; {@link #OPEN} when it runs past the simulation
 * @param tier         plan tier (sets the per-seat price)
 * @param yearly       billed yearly (else monthly)
 * @param seats        licensed seats
 * @param percentOff   discount in percent, 0–100
 * @param users        logins that use the product while this subscription runs
 * @param endedByChurn the account churned at its end (the customer cancelled)
 */
record Subscription(int number, int start, int end, Tier tier, boolean yearly, int seats,
    int percentOff, int users, boolean endedByChurn) {

  /** End of a subscription that is still running when the simulation stops. */
  static final int OPEN = Integer.MAX_VALUE;

  /** Plan tiers and their list price per seat per month, in cents. */
  enum Tier {
    STARTER("Starter", 1500), TEAM("Team", 3000), BUSINESS("Business", 6000);

    final String label;
    final int unitCents;

    Tier(String label, int unitCents) {
      this.label = label;
      this.unitCents = unitCents;
    }

    /** The next tier up, or this one at the top. */
    Tier up() {
      return this == BUSINESS ? BUSINESS : values()[ordinal() + 1];
    }

    /** The next tier down, or this one at the bottom. */
    Tier down() {
      return this == STARTER ? STARTER : values()[ordinal() - 1];
    }
  }

  /** Whether the subscription covers {@code day}. */
  boolean covers(int day) {
    return start <= day && day < end;
  }

  /** Months per billing period: 12 for yearly plans, else 1. */
  int periodMonths() {
    return yearly ? 12 : 1;
  }

  /** Monthly recurring revenue after discount, in cents (exact: list prices are whole dollars). */
  long mrrCents() {
    return (long) tier.unitCents * seats * (100 - percentOff) / 100;
  }

  /** The same subscription under per-account sequence number {@code number}. */
  Subscription numbered(int number) {
    return new Subscription(number, start, end, tier, yearly, seats, percentOff, users,
        endedByChurn);
  }

  /** The part of this subscription that covers the days {@code from ≤ d < to}. */
  Subscription between(int from, int to) {
    return new Subscription(number, from, to, tier, yearly, seats, percentOff, users,
        endedByChurn);
  }

  /** This subscription on fewer seats or a lower tier; its users shrink with the seats. */
  Subscription contracted(int newSeats, Tier newTier) {
    return new Subscription(number, start, end, newTier, yearly, newSeats, percentOff,
        Math.min(users, newSeats), endedByChurn);
  }

  /** This subscription cut short by churn on {@code day} (or ending naturally on it). */
  Subscription churnedOn(int day) {
    return new Subscription(number, start, Math.min(end, day), tier, yearly, seats, percentOff,
        users, true);
  }
}
