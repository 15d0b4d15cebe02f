package io.churnducks.jobs.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Renders an account's product usage as {@code product_events} rows (column order of
 * {@link SampleSourceSchemas#PRODUCT_EVENTS}) for the days a subscription covers, before the
 * cutoff.
 *
 * <p>Events per day are Poisson with mean {@code e0 × min(4, exp(slope × months since signup))},
 * halved at weekends, spread over the subscription's logins (lower-numbered logins are heavier:
 * the login is the smaller of two uniform draws) and over features by the persona's mix. In the
 * first 14 days the account makes exactly its drawn number of key-feature events (automations,
 * integrations) and no others; later, key-feature use scales with the onboarding propensity.
 *
 * <p>Drivers show only indirectly: after a champion leaves, login 1 makes no more events and the
 * daily mean drops by its share; while an integration is broken, {@code sync_error} and
 * {@code integration_disconnected} events appear (0.8 a weekday) and key-feature use falls to 30%;
 * for 120 days after a budget cut the pricing page is viewed three times as often; during a
 * competitor trial comments, sharing, API and mobile use fall to 15%, pricing-page views double
 * and report exports rise by half.
 */
final class UsageEventRenderer {

  /** Error events per weekday while an integration is broken. */
  static final double ERROR_EVENTS_PER_DAY = 0.8;
  /** Days after a budget cut during which the pricing page is viewed more. */
  static final int BUDGET_CUT_PRICING_DAYS = 120;

  private static final long DAY_MILLIS = 86_400_000L;
  private static final List<String> ALL_EVENTS = allEvents();
  private static final int ADMIN_SETTINGS = SampleCatalog.EVENTS.indexOf("admin_settings");
  private static final int[] KEY_FEATURES = indexes(SampleCatalog.KEY_FEATURES);
  private static final int[] TRIAL_DROPPED = indexes(List.of("comments", "sharing", "api",
      "mobile_app"));
  private static final int REPORT_EXPORT = SampleCatalog.EVENTS.indexOf("report_export");
  private static final int API = SampleCatalog.EVENTS.indexOf("api");
  private static final int PRICING_PAGE = SampleCatalog.EVENTS.indexOf("pricing_page");
  private static final int SYNC_ERROR = ALL_EVENTS.indexOf("sync_error");
  private static final int DISCONNECTED = ALL_EVENTS.indexOf("integration_disconnected");
  private static final int EARLY = 1;
  private static final int BROKEN = 2;
  private static final int BUDGET = 4;
  private static final int TRIAL = 8;

  private final AccountHistory h;
  private final GeneratorOptions o;
  private final SplittableRandom rng;
  private final List<String[]> rows = new ArrayList<>();
  private final double[][] mixes = new double[16][];
  private long sequence;

  private UsageEventRenderer(AccountHistory h, GeneratorOptions o) {
    this.h = h;
    this.o = o;
    this.rng = Randoms.forAccount(o.seed(), h.index, Randoms.Stream.EVENTS);
  }

  /** The account's events, key-feature events of the early window and the signup event first. */
  static List<String[]> render(AccountHistory h, GeneratorOptions o) {
    return new UsageEventRenderer(h, o).render();
  }

  private List<String[]> render() {
    int cutoff = SourceRenderer.cutoffDay(o);
    int earlyEnd = h.signup + SampleCatalog.EARLY_WINDOW_DAYS;
    Subscription first = h.subscriptions().get(0);

    // Key-feature use in the early window is the drawn count, not a by-product of the mix.
    List<Integer> earlyDays = new ArrayList<>();
    for (int d = h.signup; d < Math.min(earlyEnd, cutoff); d++) {
      if (h.episodeActiveOn(d) != null) {
        earlyDays.add(d);
      }
    }
    for (int i = 0; i < h.earlyKeyFeatureUses; i++) {
      int day = earlyDays.get(rng.nextInt(earlyDays.size()));
      emit(day, KEY_FEATURES[rng.nextInt(KEY_FEATURES.length)], first, false);
    }
    // Every account configures its workspace on signup day.
    emit(h.signup, ADMIN_SETTINGS, first, false);

    for (Episode e : h.episodes) {
      Driver champion = e.driver(Driver.Kind.CHAMPION_LEFT);
      Driver broken = e.driver(Driver.Kind.INTEGRATION_BROKEN);
      Driver budget = e.driver(Driver.Kind.BUDGET_CUT);
      Driver trial = e.driver(Driver.Kind.COMPETITOR_TRIAL);
      for (Subscription s : e.subscriptions()) {
        for (int day = s.start(); day < Math.min(s.end(), cutoff); day++) {
          boolean gone = champion != null && champion.activeOn(day);
          int state = (day < earlyEnd ? EARLY : 0)
              | (broken != null && broken.activeOn(day) ? BROKEN : 0)
              | (budget != null && budget.activeOn(day)
                  && day < budget.onset() + BUDGET_CUT_PRICING_DAYS ? BUDGET : 0)
              | (trial != null && trial.activeOn(day) ? TRIAL : 0);
          double weekday = weekdayFactor(day);
          double mean = h.eventsPerDay * Math.min(4.0, h.engagementRatio(day)) * weekday
              * (gone ? 1 - championShare(s.users()) : 1);
          int n = Randoms.poisson(rng, mean);
          double[] weights = mix(state);
          for (int i = 0; i < n; i++) {
            emit(day, Randoms.pick(rng, weights), s, gone);
          }
          if ((state & BROKEN) != 0 && !(gone && s.users() == 1)) {
            int errors = Randoms.poisson(rng, ERROR_EVENTS_PER_DAY * weekday);
            for (int i = 0; i < errors; i++) {
              emit(day, rng.nextDouble() < 0.7 ? SYNC_ERROR : DISCONNECTED, s, gone);
            }
          }
        }
      }
    }
    return rows;
  }

  /** Share of events made by login 1 among {@code users}: {@code P(min of two draws = 0)}. */
  private static double championShare(int users) {
    return (2.0 * users - 1) / ((double) users * users);
  }

  /** Feature weights in the given driver state, built once per state. */
  private double[] mix(int state) {
    if (mixes[state] == null) {
      double[] w = featureMix(h.persona);
      double laterKeyUse = Math.min(1.8, 0.25 + h.onboardingPropensity / 6);
      for (int k : KEY_FEATURES) {
        w[k] *= (state & EARLY) != 0 ? 0 : laterKeyUse * ((state & BROKEN) != 0 ? 0.3 : 1);
      }
      if ((state & BUDGET) != 0) {
        w[PRICING_PAGE] *= 3;
      }
      if ((state & TRIAL) != 0) {
        for (int k : TRIAL_DROPPED) {
          w[k] *= 0.15;
        }
        w[PRICING_PAGE] *= 2;
        w[REPORT_EXPORT] *= 1.5;
      }
      mixes[state] = w;
    }
    return mixes[state];
  }

  /** One event of {@code ALL_EVENTS[feature]}; after the champion left, never by login 1. */
  private void emit(int day, int feature, Subscription s, boolean championGone) {
    // Lower-numbered logins are the heavier users.
    int skip = championGone ? 1 : 0;
    int logins = s.users() - skip;
    int user = skip + Math.min(rng.nextInt(logins), rng.nextInt(logins));
    long timeOfDay = rng.nextDouble() < 0.85
        ? 7 * 3_600_000L + (long) (rng.nextDouble() * 13 * 3_600_000L)
        : (long) (rng.nextDouble() * DAY_MILLIS);
    int qty;
    if (feature == REPORT_EXPORT || feature == API) {
      qty = rng.nextDouble() < 0.5 ? Randoms.between(rng, 2, 20) : 1;
    } else {
      qty = rng.nextDouble() < 0.92 ? 1 : Randoms.between(rng, 2, 3);
    }
    rows.add(new String[] {
        "msg_" + h.number() + "_" + (++sequence),
        Long.toString(day * DAY_MILLIS + timeOfDay),
        ALL_EVENTS.get(feature),
        h.accountId,
        "u_" + h.number() + "_" + (user + 1),
        device(user),
        Integer.toString(qty)});
  }

  /** A device of the login: one or two per person, one per person behind a shared login. */
  private String device(int user) {
    int devices = h.peoplePerLogin > 1
        ? h.peoplePerLogin
        : 1 + (int) (Randoms.hash(o.seed(), h.index, user) & 1);
    int k = rng.nextInt(devices);
    long id = Randoms.hash(o.seed(), h.index, user, k);
    return "d-" + Long.toHexString(id | Long.MIN_VALUE).substring(4);
  }

  private static List<String> allEvents() {
    List<String> all = new ArrayList<>(SampleCatalog.EVENTS);
    all.addAll(SampleCatalog.ERROR_EVENTS);
    return List.copyOf(all);
  }

  private static int[] indexes(List<String> events) {
    return events.stream().mapToInt(SampleCatalog.EVENTS::indexOf).toArray();
  }

  private static double weekdayFactor(int epochDay) {
    int dayOfWeek = Math.floorMod(epochDay + 3, 7);
    return dayOfWeek >= 5 ? 0.45 : 1.0;
  }

  /**
   * Feature weights by persona, in the order of {@link SampleCatalog#EVENTS}: dashboards,
   * reports, report_export, integrations, automations, comments, sharing, api, mobile_app,
   * search, admin_settings, pricing_page, upgrade_click.
   */
  static double[] featureMix(Persona p) {
    return switch (p) {
      case POWER_COLLABORATOR -> new double[] {14, 10, 5, 8, 8, 14, 10, 6, 6, 10, 3, 0.5, 0.5};
      case SEAT_SHARER -> new double[] {20, 14, 8, 2, 2, 4, 2, 1, 8, 12, 1, 0.7, 0.3};
      case STALLED_ONBOARDER -> new double[] {25, 10, 3, 1, 1, 3, 3, 0.5, 3, 10, 8, 1.5, 0.2};
      case DISCOUNT_HUNTER -> new double[] {18, 12, 6, 3, 3, 8, 6, 2, 5, 10, 3, 4, 0.8};
      case SUPPORT_HEAVY -> new double[] {16, 12, 6, 4, 4, 8, 6, 3, 4, 14, 6, 1, 0.3};
      case QUIET_LOYALIST -> new double[] {22, 16, 8, 4, 4, 6, 4, 1, 5, 10, 2, 0.3, 0.2};
      case EXPANDER -> new double[] {14, 10, 5, 7, 7, 10, 10, 6, 5, 8, 3, 3, 3};
    };
  }
}
