package io.churnducks.jobs.generate;

import java.util.List;

/**
 * The fixed vocabularies of the generated company: industries (five of which really change the
 * churn hazard), acquisition channels with their cost and churn hazard, product features and error events,
 * countries and CSMs. Public so that demo configuration and acceptance tests can name the same
 * values. Countries, CSM owners, account names and the 19 industries without effect are pure
 * noise by construction ({@code truth/noise_fields}).
 */
public final class SampleCatalog {

  private SampleCatalog() {}

  /**
   * An industry and its multiplier on the monthly churn hazard.
   *
   * @param name             industry as written to {@code crm_accounts.Industry}
   * @param hazardMultiplier 1.0 for the industries that are pure noise
   */
  public record Industry(String name, double hazardMultiplier) {
    /** Whether the industry really changes the churn hazard. */
    public boolean hasEffect() {
      return hazardMultiplier != 1.0;
    }
  }

  /**
   * An acquisition channel.
   *
   * @param id                id as written to {@code crm_accounts.LeadSource}
   * @param acquisitionCost   typical cost to acquire one account through it, US dollars
   * @param hazardMultiplier  multiplier on the monthly churn hazard of the accounts it brings
   *                          (1.0: the channel retains only through its persona mix)
   */
  public record Channel(String id, double acquisitionCost, double hazardMultiplier) {}

  /** 24 industries; exactly five have an effect on churn (0.55, 0.7, 1.5, 1.7, 1.9). */
  public static final List<Industry> INDUSTRIES = List.of(
      new Industry("Software", 1.0),
      new Industry("Financial Services", 1.0),
      new Industry("Healthcare", 0.55),
      new Industry("Education", 0.7),
      new Industry("Retail", 1.5),
      new Industry("Manufacturing", 1.0),
      new Industry("Media", 1.7),
      new Industry("Hospitality", 1.9),
      new Industry("Real Estate", 1.0),
      new Industry("Logistics", 1.0),
      new Industry("Construction", 1.0),
      new Industry("Legal", 1.0),
      new Industry("Consulting", 1.0),
      new Industry("Marketing Services", 1.0),
      new Industry("Nonprofit", 1.0),
      new Industry("Government", 1.0),
      new Industry("Telecommunications", 1.0),
      new Industry("Energy", 1.0),
      new Industry("Insurance", 1.0),
      new Industry("Biotech", 1.0),
      new Industry("Automotive", 1.0),
      new Industry("Agriculture", 1.0),
      new Industry("E-commerce", 1.0),
      new Industry("Travel", 1.0));

  /**
   * Seven acquisition channels with different acquisition costs. Beyond their persona mix, accounts
   * that found the product on their own (organic search) churn less and those bought with ads (paid
   * search) churn more, so the cheapest channel also retains best.
   */
  public static final List<Channel> CHANNELS = List.of(
      new Channel("organic_search", 150, 0.7),
      new Channel("paid_search", 900, 1.2),
      new Channel("partner", 600, 1.0),
      new Channel("outbound_sales", 2500, 1.0),
      new Channel("events", 1800, 1.0),
      new Channel("referral", 300, 1.0),
      new Channel("content", 250, 1.0));

  /** High-retention ("aha") features: accounts that use them early churn far less. */
  public static final List<String> KEY_FEATURES = List.of("automations", "integrations");

  /** Purchase-intent events. */
  public static final List<String> INTENT_EVENTS = List.of("pricing_page", "upgrade_click");

  /** Every product {@code product_events.event} value: eleven features, then the intent events. */
  public static final List<String> EVENTS = List.of(
      "dashboards", "reports", "report_export", "integrations", "automations", "comments",
      "sharing", "api", "mobile_app", "search", "admin_settings", "pricing_page", "upgrade_click");

  /**
   * Error events the product records in {@code product_events.event} when a connected
   * integration fails: not feature use, never part of the normal feature mix.
   */
  public static final List<String> ERROR_EVENTS = List.of("sync_error",
      "integration_disconnected");

  /** Days after signup (day 0 = signup day) in which key-feature use counts as early adoption. */
  public static final int EARLY_WINDOW_DAYS = 14;

  /**
   * Key-feature events within the early window that make an account an early adopter. The
   * count itself is continuous-ish (Poisson-gamma around a latent onboarding propensity); the
   * hazard steps down at exactly this many uses.
   */
  public static final int EARLY_ADOPTION_MIN_USES = 5;

  /** Multiplier on the churn hazard of early key-feature adopters. */
  public static final double EARLY_ADOPTER_HAZARD_MULTIPLIER = 0.45;

  static final String[] COUNTRIES = {"US", "US", "US", "US", "GB", "GB", "DE", "DE", "FR", "CA",
      "AU", "NL", "SE", "ES", "IN", "BR"};

  static final String[] CSM_OWNERS = {"Ada Lovelace", "Grace Hopper", "Alan Turing",
      "Katherine Johnson", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth",
      "Margaret Hamilton"};

  static final String[] NAME_FIRST = {"Blue", "Bright", "North", "Silver", "Green", "Swift",
      "Quiet", "Bold", "Clear", "Golden", "Iron", "Lucky", "Red", "Stone", "Wild", "Urban"};

  static final String[] NAME_SECOND = {"Harbor", "Falcon", "Pine", "River", "Summit", "Maple",
      "Orbit", "Cedar", "Beacon", "Meadow", "Anchor", "Comet", "Willow", "Forge", "Lantern", "Bay"};

  static final String[] NAME_SUFFIX = {"Labs", "Inc", "GmbH", "Ltd", "Group", "Partners",
      "Studio", "Systems", "Co", "Works"};

  /** Channel weights by persona (order of {@link #CHANNELS}): channels depend mildly on persona. */
  static double[] channelWeights(Persona p) {
    return switch (p) {
      case POWER_COLLABORATOR -> new double[] {0.18, 0.12, 0.10, 0.26, 0.12, 0.14, 0.08};
      case SEAT_SHARER -> new double[] {0.30, 0.18, 0.08, 0.08, 0.06, 0.14, 0.16};
      case STALLED_ONBOARDER -> new double[] {0.20, 0.28, 0.10, 0.12, 0.08, 0.08, 0.14};
      case DISCOUNT_HUNTER -> new double[] {0.16, 0.34, 0.16, 0.08, 0.06, 0.08, 0.12};
      case SUPPORT_HEAVY -> new double[] {0.20, 0.18, 0.14, 0.16, 0.10, 0.10, 0.12};
      case QUIET_LOYALIST -> new double[] {0.30, 0.12, 0.08, 0.08, 0.06, 0.14, 0.22};
      case EXPANDER -> new double[] {0.16, 0.12, 0.12, 0.22, 0.14, 0.16, 0.08};
    };
  }

  /** Employee-count range (inclusive, drawn log-uniformly) by persona. */
  static int[] employeeRange(Persona p) {
    return switch (p) {
      case POWER_COLLABORATOR -> new int[] {80, 5000};
      case SEAT_SHARER -> new int[] {2, 40};
      case STALLED_ONBOARDER -> new int[] {5, 300};
      case DISCOUNT_HUNTER -> new int[] {10, 500};
      case SUPPORT_HEAVY -> new int[] {20, 2000};
      case QUIET_LOYALIST -> new int[] {5, 200};
      case EXPANDER -> new int[] {30, 2000};
    };
  }
}
