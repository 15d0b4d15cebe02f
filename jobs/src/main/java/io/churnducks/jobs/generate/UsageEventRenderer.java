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
 * halved at weekends, spread over the subscription's logins and over features by the persona's
 * mix. Early adoption is explicit: an early adopter gets at least five key-feature events
 * (automations, integrations) in its first 14 days, a non-adopter at most two, and no other
 * key-feature events are drawn in that window.
 */
final class UsageEventRenderer {

  private static final long DAY_MILLIS = 86_400_000L;
  private static final int ADMIN_SETTINGS = SampleCatalog.EVENTS.indexOf("admin_settings");
  private static final int[] KEY_FEATURES = SampleCatalog.KEY_FEATURES.stream()
      .mapToInt(SampleCatalog.EVENTS::indexOf).toArray();
  private static final int REPORT_EXPORT = SampleCatalog.EVENTS.indexOf("report_export");
  private static final int API = SampleCatalog.EVENTS.indexOf("api");

  private final AccountHistory h;
  private final GeneratorOptions o;
  private final SplittableRandom rng;
  private final List<String[]> rows = new ArrayList<>();
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
    List<Subscription> subs = h.subscriptions();
    Subscription first = subs.get(0);

    // Key-feature use in the early window is set by the adoption latent, not by chance.
    List<Integer> earlyDays = new ArrayList<>();
    for (int d = h.signup; d < Math.min(earlyEnd, cutoff); d++) {
      if (h.episodeActiveOn(d) != null) {
        earlyDays.add(d);
      }
    }
    int keyUses = h.earlyAdopter
        ? SampleCatalog.EARLY_ADOPTION_MIN_USES + Randoms.poisson(rng, 4)
        : Randoms.pick(rng, new double[] {0.7, 0.2, 0.1});
    for (int i = 0; i < keyUses; i++) {
      int day = earlyDays.get(rng.nextInt(earlyDays.size()));
      emit(day, KEY_FEATURES[rng.nextInt(KEY_FEATURES.length)], first);
    }
    // Every account configures its workspace on signup day.
    emit(h.signup, ADMIN_SETTINGS, first);

    double[] mix = featureMix(h.persona);
    double[] earlyMix = mix.clone();
    double[] laterMix = mix.clone();
    for (int k : KEY_FEATURES) {
      earlyMix[k] = 0;
      laterMix[k] *= h.earlyAdopter ? 1.6 : 0.35;
    }
    for (Subscription s : subs) {
      for (int day = s.start(); day < Math.min(s.end(), cutoff); day++) {
        double mean = h.eventsPerDay * Math.min(4.0, h.engagementRatio(day)) * weekdayFactor(day);
        int n = Randoms.poisson(rng, mean);
        double[] weights = day < earlyEnd ? earlyMix : laterMix;
        for (int i = 0; i < n; i++) {
          emit(day, Randoms.pick(rng, weights), s);
        }
      }
    }
    return rows;
  }

  private void emit(int day, int feature, Subscription s) {
    // Lower-numbered logins are the heavier users.
    int user = Math.min(rng.nextInt(s.users()), rng.nextInt(s.users()));
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
        SampleCatalog.EVENTS.get(feature),
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
