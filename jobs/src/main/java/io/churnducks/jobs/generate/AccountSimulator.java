package io.churnducks.jobs.generate;

import io.churnducks.jobs.generate.SampleCatalog.Channel;
import io.churnducks.jobs.generate.SampleCatalog.Industry;
import io.churnducks.jobs.generate.Subscription.Tier;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Simulates one account's life from its own random stream: latents at signup, then per
 * episode a planned subscription chain with its renewals and hidden drivers, monthly churn
 * draws against the hazard, late renewals, and win-backs. Runs until
 * {@link GeneratorOptions#simulationEnd()} so every as-of outcome is known.
 *
 * <p>Churn is drawn month by month, the months being the churn days {@code (M_k, M_k+1]}: first
 * the hazard (churn on a uniform day of the month), then each renewal falling in the month,
 * which is late with its known probability. A renewal is a yearly plan's end or the end of a
 * discount hunter's discounted start. A late renewal comes back
 * {@code grace + 1 … grace + 45} days after the subscription ended, so it is churn on that end
 * day followed by a comeback; an on-time renewal starts the same day or within a gap of at most
 * {@link #MAX_RENEWAL_GAP_DAYS} days. Other churned accounts come back with probability
 * {@link #WIN_BACK_PROBABILITY} two to eight months later.
 *
 * <p>Drivers have an exponential onset (from day 14 of the episode) at their kind's rate; an
 * episode may get none, one or several. A departed champion needs two users; a budget cut needs
 * room to contract (more than one seat or a tier above Starter) and takes effect at the first
 * billing-period boundary on or after its onset, as a new subscription on at most 50–80% of
 * the seats it had (and one tier down for 40%, or whenever only the tier can drop); later
 * subscriptions of the episode stay within that cap.
 */
final class AccountSimulator {

  /** Share of churned accounts that come back. */
  static final double WIN_BACK_PROBABILITY = 0.15;
  /** Longest non-churn renewal gap, days (kept below the grace period). */
  static final int MAX_RENEWAL_GAP_DAYS = 20;
  /** Probability that a yearly renewal comes later than the grace period. */
  static final double LATE_YEARLY_RENEWAL_PROBABILITY = 0.10;
  /** Probability that a discount hunter renews later than the grace period when its discount ends. */
  static final double LATE_DISCOUNT_RENEWAL_PROBABILITY = 0.15;
  /** Longest delay of a late renewal beyond the grace period, days. */
  static final int MAX_LATE_RENEWAL_EXTRA_DAYS = 45;
  /** Shape of the gamma onboarding propensity (early key-feature uses are Poisson-gamma). */
  static final int ONBOARDING_SHAPE = 3;
  /** Share of broken integrations that are never fixed. */
  static final double INTEGRATION_NEVER_FIXED = 0.3;

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

    double propensity = persona.earlyKeyUsesMean * Randoms.gamma(rng, ONBOARDING_SHAPE);
    int earlyKeyUses = Randoms.poisson(rng, propensity);
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
        csm, employees, cacCents, signup, propensity, earlyKeyUses, risk, slope, eventsPerDay,
        satisfaction, tickets, peoplePerLogin, List.of());
    List<Episode> episodes = new ArrayList<>();
    int episodeStart = signup;
    int grace = options.graceDays();
    while (episodeStart < horizonEnd) {
      Episode episode = plan(latents, episodes.size(), episodeStart, sharerSeats);
      episodes.add(episode);
      Churn churn = drawChurn(latents, episode);
      if (churn == null) {
        break;
      }
      episode.churn(churn.day, churn.lateRenewal);
      if (churn.lateRenewal) {
        episodeStart = churn.day + Randoms.between(rng, grace + 1,
            grace + MAX_LATE_RENEWAL_EXTRA_DAYS);
        continue;
      }
      if (rng.nextDouble() >= WIN_BACK_PROBABILITY) {
        break;
      }
      int lo = Math.max(60, grace + 1);
      episodeStart = churn.day + Randoms.between(rng, lo, Math.max(240, lo + 180));
    }
    return new AccountHistory(index, name, persona, industry, channel, country, csm, employees,
        cacCents, signup, propensity, earlyKeyUses, risk, slope, eventsPerDay, satisfaction,
        tickets, peoplePerLogin, episodes);
  }

  /** A churn event: its effective day, and whether it is a renewal later than the grace period. */
  private record Churn(int day, boolean lateRenewal) {}

  /**
   * Draws churn month by month: in a month with hazard h the account churns with probability
   * h, on a uniform day of {@code (monthStart, nextMonthStart]}, moved back to the previous
   * subscription's end when it falls in a renewal gap; otherwise each renewal ending in the
   * month is late with its probability. Null when the episode outlives the simulation.
   */
  private Churn drawChurn(AccountHistory history, Episode episode) {
    LocalDate month = LocalDate.ofEpochDay(episode.start).withDayOfMonth(1);
    for (; month.toEpochDay() < horizonEnd; month = month.plusMonths(1)) {
      double h = history.hazard(episode, month);
      if (h > 0 && rng.nextDouble() < h) {
        int day = (int) month.toEpochDay() + 1 + rng.nextInt(month.lengthOfMonth());
        return new Churn(episode.effectiveChurnDay(day), false);
      }
      for (Episode.Renewal r : episode.renewalsIn(month)) {
        if (rng.nextDouble() < r.lateProbability()) {
          return new Churn(r.day(), true);
        }
      }
    }
    return null;
  }

  /** Plans the subscriptions, renewals and drivers of an episode as if it never churned. */
  private Episode plan(AccountHistory h, int ordinal, int start, int sharerSeats) {
    Persona p = h.persona;
    List<Subscription> subs = new ArrayList<>();
    List<Episode.Renewal> renewals = new ArrayList<>();
    Tier tier = Tier.values()[Randoms.pick(rng, p.tierWeights())];
    int seats = p == Persona.SEAT_SHARER
        ? sharerSeats : Randoms.between(rng, p.seatsMin, p.seatsMax);
    int day = start;
    int discountEnd = -1;
    if (p == Persona.DISCOUNT_HUNTER && ordinal == 0) {
      int end = plusMonths(day, Randoms.between(rng, 3, 6));
      subs.add(subscription(h, day, end, tier, false, seats, Randoms.between(rng, 30, 50)));
      discountEnd = end;
      renewals.add(new Episode.Renewal(end, LATE_DISCOUNT_RENEWAL_PROBABILITY));
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
        renewals.add(new Episode.Renewal(end, LATE_YEARLY_RENEWAL_PROBABILITY));
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
    List<Driver> drivers = drawDrivers(p, start, subs);
    for (int i = 0; i < subs.size(); i++) {
      subs.set(i, subs.get(i).numbered(++subscriptionCount));
    }
    return new Episode(ordinal, start, subs, discountEnd, drivers, renewals);
  }

  /**
   * Draws each kind of driver once for the episode starting {@code start}; a budget cut
   * contracts {@code subs} in place. Drivers with an onset after the simulation are dropped.
   */
  private List<Driver> drawDrivers(Persona p, int start, List<Subscription> subs) {
    List<Driver> drivers = new ArrayList<>();
    for (Driver.Kind kind : Driver.Kind.values()) {
      double rate = kind.monthlyRate * kind.rateFactor(p);
      double months = -StrictMath.log(1.0 - rng.nextDouble()) / rate;
      double onsetDay = start + 14 + months * AccountHistory.DAYS_PER_MONTH;
      int end = switch (kind) {
        case CHAMPION_LEFT, BUDGET_CUT -> Driver.OPEN;
        case INTEGRATION_BROKEN -> rng.nextDouble() < INTEGRATION_NEVER_FIXED
            ? Driver.OPEN : 7 * Randoms.between(rng, 2, 16);
        case COMPETITOR_TRIAL -> Randoms.between(rng, 45, 75);
      };
      if (onsetDay >= horizonEnd) {
        continue;
      }
      int onset = (int) onsetDay;
      boolean possible = switch (kind) {
        case CHAMPION_LEFT -> subs.stream().allMatch(s -> s.users() >= 2);
        case BUDGET_CUT -> contract(subs, onset);
        default -> true;
      };
      if (possible) {
        drivers.add(new Driver(kind, onset, end == Driver.OPEN ? Driver.OPEN : onset + end));
      }
    }
    return drivers;
  }

  /**
   * Contracts {@code subs} from the first billing-period boundary on or after {@code onset}
   * (splitting the subscription it falls in), or returns false when the account cannot spend
   * less or has no boundary before the simulation ends.
   */
  private boolean contract(List<Subscription> subs, int onset) {
    int i = 0;
    while (i < subs.size() && subs.get(i).end() <= onset) {
      i++;
    }
    if (i == subs.size()) {
      return false;
    }
    Subscription s = subs.get(i);
    int boundary = s.start();
    while (boundary < onset) {
      boundary = plusMonths(boundary, s.periodMonths());
    }
    if (boundary >= s.end()) {
      i++;
      if (i == subs.size()) {
        return false;
      }
      s = subs.get(i);
      boundary = s.start();
    }
    // What the account had just before the boundary is what it cuts down from.
    Subscription current = boundary > s.start() ? s : subs.get(i - 1);
    if (boundary >= horizonEnd || (current.seats() == 1 && current.tier() == Tier.STARTER)) {
      return false;
    }
    double keep = Randoms.uniform(rng, 0.5, 0.8);
    boolean down = current.tier() != Tier.STARTER
        && (current.seats() == 1 || rng.nextDouble() < 0.4);
    int maxSeats = Math.max(1, (int) (current.seats() * keep));
    Tier maxTier = down ? current.tier().down() : current.tier();
    if (boundary > s.start()) {
      subs.set(i, s.between(s.start(), boundary));
      subs.add(i + 1, s.between(boundary, s.end()));
      i++;
    }
    for (; i < subs.size(); i++) {
      Subscription later = subs.get(i);
      Tier tier = later.tier().compareTo(maxTier) < 0 ? later.tier() : maxTier;
      subs.set(i, later.contracted(Math.min(later.seats(), maxSeats), tier));
    }
    return true;
  }

  private Subscription subscription(AccountHistory h, int start, int end, Tier tier,
      boolean yearly, int seats, int percentOff) {
    int users = switch (h.persona) {
      case SEAT_SHARER -> seats;
      case POWER_COLLABORATOR -> (int) Math.ceil(seats * Randoms.uniform(rng, 0.75, 1.0));
      default -> (int) Math.ceil(seats * Randoms.uniform(rng, 0.4, 0.9));
    };
    return new Subscription(0, start, end, tier, yearly, seats, percentOff, Math.max(1, users),
        false);
  }

  private int grow(int seats) {
    return (int) Math.ceil(seats * Randoms.uniform(rng, 1.15, 1.5));
  }

  private static int plusMonths(int day, int months) {
    return (int) LocalDate.ofEpochDay(day).plusMonths(months).toEpochDay();
  }
}
