package io.churnducks.jobs.generate;

import io.churnducks.jobs.generate.SampleCatalog.Channel;
import io.churnducks.jobs.generate.SampleCatalog.Industry;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything simulated for one account: its firmographics, its hidden latents and its episodes
 * (subscription chains cut by churn, each with its hidden drivers). Built by
 * {@link AccountSimulator}; the source renderers and the truth read it. Days are epoch days
 * (UTC).
 *
 * <p>The monthly churn hazard ({@link #hazard}) multiplies persona, industry, acquisition channel
 * and early key-feature adoption with moderate effects of the account's latents (falling engagement,
 * payment risk, satisfaction, a discount that ended) and with the episode's drivers. Each
 * source sees these factors only through some noisy trace, and no single one explains most of
 * the hazard.
 */
final class AccountHistory {

  /** Hazard multiplier of a discount hunter in the two months after its discount ended. */
  static final double DISCOUNT_END_HAZARD_MULTIPLIER = 5.0;
  /** Largest hazard multiplier of falling engagement. */
  static final double MAX_DECLINE_MULTIPLIER = 2.5;
  /** Largest monthly hazard. */
  static final double MAX_HAZARD = 0.9;
  /** Average days per month, for months since signup. */
  static final double DAYS_PER_MONTH = 30.4375;

  final long index;
  final String accountId;
  final String name;
  final Persona persona;
  final Industry industry;
  final Channel channel;
  final String country;
  final String csmOwner;
  final int employees;
  final long acquisitionCostCents;
  final int signup;
  /** Latent onboarding propensity: expected key-feature uses in the first 14 days. */
  final double onboardingPropensity;
  /** Key-feature events in the first 14 days (a Poisson draw of the propensity). */
  final int earlyKeyFeatureUses;
  /** Whether {@link #earlyKeyFeatureUses} reached {@link SampleCatalog#EARLY_ADOPTION_MIN_USES}. */
  final boolean earlyAdopter;
  /** Probability that a given invoice payment fails. */
  final double paymentRisk;
  /** Log change of engagement per month since signup. */
  final double engagementSlope;
  /** Expected events per active weekday at signup. */
  final double eventsPerDay;
  /** Latent satisfaction, roughly standard normal around the persona mean. */
  final double satisfaction;
  final double ticketsPerMonth;
  /** People sharing each login; 1 except for seat sharers. */
  final int peoplePerLogin;
  final List<Episode> episodes;

  AccountHistory(long index, String name, Persona persona, Industry industry, Channel channel,
      String country, String csmOwner, int employees, long acquisitionCostCents, int signup,
      double onboardingPropensity, int earlyKeyFeatureUses, double paymentRisk, double engagementSlope, double eventsPerDay,
      double satisfaction, double ticketsPerMonth, int peoplePerLogin, List<Episode> episodes) {
    this.index = index;
    this.accountId = accountId(index);
    this.name = name;
    this.persona = persona;
    this.industry = industry;
    this.channel = channel;
    this.country = country;
    this.csmOwner = csmOwner;
    this.employees = employees;
    this.acquisitionCostCents = acquisitionCostCents;
    this.signup = signup;
    this.onboardingPropensity = onboardingPropensity;
    this.earlyKeyFeatureUses = earlyKeyFeatureUses;
    this.earlyAdopter = earlyKeyFeatureUses >= SampleCatalog.EARLY_ADOPTION_MIN_USES;
    this.paymentRisk = paymentRisk;
    this.engagementSlope = engagementSlope;
    this.eventsPerDay = eventsPerDay;
    this.satisfaction = satisfaction;
    this.ticketsPerMonth = ticketsPerMonth;
    this.peoplePerLogin = peoplePerLogin;
    this.episodes = List.copyOf(episodes);
  }

  /** The CRM id of account {@code index}: {@code ACC-} and the 1-based number on 7 digits. */
  static String accountId(long index) {
    return "ACC-" + zeroPadded(index + 1, 7);
  }

  /** The 7-digit number of account {@code index}, used inside other ids. */
  String number() {
    return accountId.substring(4);
  }

  /** {@code value} left-padded with zeros to {@code width} digits. */
  static String zeroPadded(long value, int width) {
    String s = Long.toString(value);
    return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
  }

  /** Engagement relative to signup, {@code e(t) / e0 = exp(slope × months since signup)}. */
  double engagementRatio(int day) {
    return StrictMath.exp(engagementSlope * (day - signup) / DAYS_PER_MONTH);
  }

  /**
   * The churn hazard of the month starting {@code monthStart} in {@code episode}: the
   * probability that the account churns on a day in {@code (monthStart, next month start]}
   * given it has not churned before. Zero for months starting on or before the episode start.
   *
   * <p>{@code base(persona) × industry × (0.45 if early adopter) × min(2.5, (e(t)/e0)^-0.6)
   * × (1 + 1.5 × payment risk) × exp(−0.2 × satisfaction) × (5 in the two months after a
   * discount ended) × Π drivers}, each driver weighted by the share of the month it affects,
   * capped at {@link #MAX_HAZARD}.
   */
  double hazard(Episode episode, LocalDate monthStart) {
    int m = (int) monthStart.toEpochDay();
    if (m <= episode.start) {
      return 0;
    }
    int next = (int) monthStart.plusMonths(1).toEpochDay();
    double decline = Math.min(MAX_DECLINE_MULTIPLIER, StrictMath.pow(engagementRatio(m), -0.6));
    double discount = 1.0;
    if (episode.discountEnd >= 0 && m >= episode.discountEnd
        && m < LocalDate.ofEpochDay(episode.discountEnd).plusMonths(2).toEpochDay()) {
      discount = DISCOUNT_END_HAZARD_MULTIPLIER;
    }
    double drivers = 1.0;
    for (Driver d : episode.drivers) {
      drivers *= d.hazardFactor(m, next);
    }
    double h = persona.baseHazard
        * industry.hazardMultiplier()
        * channel.hazardMultiplier()
        * (earlyAdopter ? SampleCatalog.EARLY_ADOPTER_HAZARD_MULTIPLIER : 1.0)
        * decline
        * (1 + 1.5 * paymentRisk)
        * StrictMath.exp(-0.2 * satisfaction)
        * discount
        * drivers;
    return Math.max(0, Math.min(MAX_HAZARD, h));
  }

  /** All subscriptions that really ran, in start order. */
  List<Subscription> subscriptions() {
    List<Subscription> all = new ArrayList<>();
    for (Episode e : episodes) {
      all.addAll(e.subscriptions());
    }
    return all;
  }

  /** Drivers of every episode that came before that episode's churn, in episode order. */
  List<Driver> drivers() {
    List<Driver> all = new ArrayList<>();
    for (Episode e : episodes) {
      all.addAll(e.driversBeforeChurn());
    }
    return all;
  }

  /** The episode whose subscriptions cover {@code day}, or null when the account is inactive. */
  Episode episodeActiveOn(int day) {
    for (Episode e : episodes) {
      if (e.activeOn(day)) {
        return e;
      }
    }
    return null;
  }
}
