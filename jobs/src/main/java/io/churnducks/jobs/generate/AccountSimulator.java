package io.churnducks.jobs.generate;

import io.churnducks.jobs.generate.SampleCatalog.Channel;
import io.churnducks.jobs.generate.SampleCatalog.Industry;
import io.churnducks.jobs.generate.Subscription.Tier;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Simulates one account's life from its own random stream: latents at signup, a planned
 * subscription chain per episode, monthly churn draws against the hazard, and win-backs.
 * Runs until {@link GeneratorOptions#simulationEnd()} so every as-of outcome is known.
 */
final class AccountSimulator {

  /** Share of churned accounts that come back. */
  static final double WIN_BACK_PROBABILITY = 0.15;
  /** Longest non-churn renewal gap, days (kept below the grace period). */
  static final int MAX_RENEWAL_GAP_DAYS = 20;

  private final GeneratorOptions options;
  private final SplittableRandom rng;
  private final int horizonEnd;
  private final int maxGap;
  private int subscriptionCount;

  private AccountSimulator(GeneratorOptions options, long index) {
    this.options = options;
    this.rng = Randoms.forAccount(options.seed(), index, Randoms.Stream.LIFECYCLE);
    this.horizonEnd = (int) options.simulationEnd().toEpochDay();
    this.maxGap = Math.min(MAX_RENEWAL_GAP_DAYS, options.graceDays() - 1);
  }

  /** The simulated history of account {@code index}; the same for the same options and index. */
  static AccountHistory simulate(GeneratorOptions options, long index) {
    return new AccountSimulator(options, index).run(index);
  }

  private AccountHistory run(long index) {
    Persona persona = Persona.values()[Randoms.pick(rng, Persona.shares())];
    Industry industry = SampleCatalog.INDUSTRIES.get(rng.nextInt(SampleCatalog.INDUSTRIES.size()));
    Channel channel = SampleCatalog.CHANNELS.get(
        Randoms.pick(rng, SampleCatalog.channelWeights(persona)));
    String country = Randoms.oneOf(rng, SampleCatalog.COUNTRIES);
    String csm = Randoms.oneOf(rng, SampleCatalog.CSM_OWNERS);
    String name = Randoms.oneOf(rng, SampleCatalog.NAME_FIRST) + " "
        + Randoms.oneOf(rng, SampleCatalog.NAME_SECOND) + " "
        + Randoms.oneOf(rng, SampleCatalog.NAME_SUFFIX);
    int[] range = SampleCatalog.employeeRange(persona);
    int employees = (int) Math.round(StrictMath.exp(
        Randoms.uniform(rng, StrictMath.log(range[0]), StrictMath.log(range[1]))));
    long cacCents = Math.round(channel.acquisitionCost() * Randoms.logNormal(rng, 0.25) * 100);

    int first = (int) options.start().toEpochDay();
    int lastSignup = (int) options.cutoff().minusDays(30).toEpochDay();
    int signup = first + rng.nextInt(lastSignup - first);

    boolean adopter = rng.nextDouble() < persona.earlyAdoption;
    double slope = persona.slopeMean + 0.04 * rng.nextGaussian();
    double eventsPerDay = persona.eventsPerDay * Randoms.logNormal(rng, 0.35);
    double risk = Randoms.beta(rng, persona.riskA, persona.riskB);
    double satisfaction = persona.satisfactionMean + 0.8 * rng.nextGaussian();
    double tickets = persona.ticketsPerMonth * StrictMath.exp(-0.25 * satisfaction);
    int peoplePerLogin = 1;
    int sharerSeats = 0;
    if (persona == Persona.SEAT_SHARER) {
      sharerSeats = Randoms.between(rng, persona.seatsMin, persona.seatsMax);
      int people = Randoms.between(rng, 5, 15);
      peoplePerLogin = Math.max(2, Math.round((float) people / sharerSeats));
    }

    // Planning and churn read only the latents, so they run against a history without episodes.
    AccountHistory latents = new AccountHistory(index, name, persona, industry, channel, country,
        csm, employees, cacCents, signup, adopter, risk, slope, eventsPerDay, satisfaction,
        tickets, peoplePerLogin, List.of());
    List<Episode> episodes = new ArrayList<>();
    int episodeStart = signup;
    while (episodeStart < horizonEnd) {
      Episode episode = plan(latents, episodes.size(), episodeStart, sharerSeats);
      episodes.add(episode);
      int churnDay = drawChurn(latents, episode);
      if (churnDay == Episode.NO_CHURN) {
        break;
      }
      episode.churn(churnDay);
      if (rng.nextDouble() >= WIN_BACK_PROBABILITY) {
        break;
      }
      int lo = Math.max(60, options.graceDays() + 1);
      episodeStart = churnDay + Randoms.between(rng, lo, Math.max(240, lo + 180));
    }
    return new AccountHistory(index, name, persona, industry, channel, country, csm, employees,
        cacCents, signup, adopter, risk, slope, eventsPerDay, satisfaction, tickets,
        peoplePerLogin, episodes);
  }

  /**
   * Draws churn month by month (months starting after the episode start): in a month with
   * hazard h the account churns with probability h, on a uniform day of
   * {@code (monthStart, nextMonthStart]}, moved back to the previous subscription's end when it
   * falls in a renewal gap.
   */
  private int drawChurn(AccountHistory history, Episode episode) {
    LocalDate month = LocalDate.ofEpochDay(episode.start).withDayOfMonth(1);
    if (month.toEpochDay() <= episode.start) {
      month = month.plusMonths(1);
    }
    for (; month.toEpochDay() < horizonEnd; month = month.plusMonths(1)) {
      double h = history.hazard(episode, month);
      if (rng.nextDouble() < h) {
        int day = (int) month.toEpochDay() + 1 + rng.nextInt(month.lengthOfMonth());
        return episode.effectiveChurnDay(day);
      }
    }
    return Episode.NO_CHURN;
  }

  /** Plans the subscription chain of an episode as if the account never churned. */
  private Episode plan(AccountHistory h, int ordinal, int start, int sharerSeats) {
    Persona p = h.persona;
    List<Subscription> subs = new ArrayList<>();
    Tier tier = Tier.values()[Randoms.pick(rng, p.tierWeights())];
    int seats = p == Persona.SEAT_SHARER
        ? sharerSeats : Randoms.between(rng, p.seatsMin, p.seatsMax);
    int day = start;
    int discountEnd = -1;
    if (p == Persona.DISCOUNT_HUNTER && ordinal == 0) {
      int end = plusMonths(day, Randoms.between(rng, 3, 6));
      subs.add(subscription(h, day, end, tier, false, seats, Randoms.between(rng, 30, 50)));
      discountEnd = end;
      day = end + (rng.nextDouble() < 0.6 ? Randoms.between(rng, 1, maxGap) : 0);
    }
    boolean yearly = rng.nextDouble() < p.yearlyShare;
    int percentOff = 0;
    if (p != Persona.DISCOUNT_HUNTER) {
      double dealShare = yearly ? 0.3 : 0.08;
      percentOff = rng.nextDouble() < dealShare ? 5 * Randoms.between(rng, 2, 4) : 0;
    }
    if (yearly) {
      while (true) {
        int end = plusMonths(day, 12);
        subs.add(subscription(h, day, end, tier, true, seats, percentOff));
        if (end >= horizonEnd) {
          break;
        }
        if (p == Persona.EXPANDER && h.engagementRatio(end) >= 1.05) {
          seats = grow(seats);
          tier = rng.nextDouble() < 0.35 ? tier.up() : tier;
        }
        day = end + (rng.nextDouble() < 0.3 ? Randoms.between(rng, 1, maxGap) : 0);
      }
    } else if (p == Persona.EXPANDER) {
      // An expansion ends the running subscription and starts a bigger one the same day.
      for (int check = plusMonths(day, Randoms.between(rng, 4, 8)); check < horizonEnd;
          check = plusMonths(check, Randoms.between(rng, 4, 8))) {
        if (h.engagementRatio(check) >= 1.05) {
          subs.add(subscription(h, day, check, tier, false, seats, percentOff));
          seats = grow(seats);
          tier = rng.nextDouble() < 0.35 ? tier.up() : tier;
          day = check;
        }
      }
      subs.add(subscription(h, day, Subscription.OPEN, tier, false, seats, percentOff));
    } else {
      subs.add(subscription(h, day, Subscription.OPEN, tier, false, seats, percentOff));
    }
    return new Episode(ordinal, start, subs, discountEnd);
  }

  private Subscription subscription(AccountHistory h, int start, int end, Tier tier,
      boolean yearly, int seats, int percentOff) {
    int users = switch (h.persona) {
      case SEAT_SHARER -> seats;
      case POWER_COLLABORATOR -> (int) Math.ceil(seats * Randoms.uniform(rng, 0.75, 1.0));
      default -> (int) Math.ceil(seats * Randoms.uniform(rng, 0.4, 0.9));
    };
    return new Subscription(++subscriptionCount, start, end, tier, yearly, seats, percentOff,
        Math.max(1, users), false);
  }

  private int grow(int seats) {
    return (int) Math.ceil(seats * Randoms.uniform(rng, 1.15, 1.5));
  }

  private static int plusMonths(int day, int months) {
    return (int) LocalDate.ofEpochDay(day).plusMonths(months).toEpochDay();
  }
}
