package io.churnducks.models.segments;

import java.util.Map;
import java.util.Optional;

/**
 * The words segments are named with: for each indicator, what to call a group that stands out
 * high or low on it. Which word a segment gets is decided by the data (its cluster centre);
 * this table only says how to say it ("if it quacks like a duck, call it a duck").
 */
public final class DuckVocabulary {

  private DuckVocabulary() {}

  /** A pair of names: for groups far above and far below the average. */
  public record Words(String high, String low) {}

  private static final Map<String, Words> WORDS = Map.ofEntries(
      Map.entry("events_28d", new Words("Power Users", "Light Users")),
      Map.entry("active_users_28d", new Words("Team Collaborators", "Solo Users")),
      Map.entry("seat_utilisation", new Words("Seat Sharers", "Empty Seats")),
      Map.entry("devices_per_user_28d", new Words("Shared Logins", "One Device Per User")),
      Map.entry("features_used_28d", new Words("Feature Explorers", "Narrow Users")),
      // How the first 14 days went, whatever the account's age now: "Stalled Onboarders" is the
      // rulebook's, which also asks that the key features are still unused.
      Map.entry("early_features_14d", new Words("Fast Starters", "Slow Starters")),
      Map.entry("early_events_14d", new Words("Fast Starters", "Slow Starters")),
      Map.entry("early_key_feature_events_14d", new Words("Fast Adopters", "Slow Adopters")),
      Map.entry("key_feature_events_28d", new Words("Key Feature Users", "Key Features Unused")),
      Map.entry("key_feature_share_lifetime", new Words("Deep Adopters", "Shallow Adopters")),
      Map.entry("key_feature_share_90d", new Words("Deep Adopters", "Shallow Adopters")),
      Map.entry("usage_trend_28d", new Words("Expanders", "Fading Users")),
      Map.entry("usage_vs_first_14d", new Words("Growing Since Onboarding", "Faded Since Onboarding")),
      Map.entry("usage_vs_history", new Words("Growing Usage", "Fading Usage")),
      Map.entry("discount_pct", new Words("Discount Hunters", "Full-Price Payers")),
      Map.entry("discount_ended_90d", new Words("Discount Ended", "Steady Pricing")),
      Map.entry("tickets_90d", new Words("Support Heavy", "Self-Sufficient")),
      Map.entry("avg_csat_90d", new Words("Happy With Support", "Unhappy With Support")),
      Map.entry("intent_events_28d", new Words("Upgrade Shoppers", "Not Shopping")),
      Map.entry("unpaid_invoices_90d", new Words("Payment Strugglers", "Reliable Payers")),
      Map.entry("late_payments_90d", new Words("Late Payers", "Prompt Payers")),
      Map.entry("unpaid_amount", new Words("Open Balances", "Paid Up")),
      Map.entry("tenure_days", new Words("Veterans", "Newcomers")),
      Map.entry("mrr", new Words("Big Spenders", "Small Accounts")),
      Map.entry("seats", new Words("Large Teams", "Small Teams")),
      Map.entry("last_nps", new Words("Promoters", "Detractors")),
      Map.entry("days_since_last_activity", new Words("Dormant", "Daily Regulars")),
      Map.entry("active_days_28d", new Words("Daily Regulars", "Occasional Visitors")));

  /** The name for a group that stands out on {@code indicator} in the given direction. */
  public static Optional<String> name(String indicator, boolean high) {
    Words w = WORDS.get(indicator);
    return w == null ? Optional.empty() : Optional.of(high ? w.high() : w.low());
  }
}
