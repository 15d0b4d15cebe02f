package io.churnducks.features.indicators;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How a churn reason reads on the risk list: one template per numeric indicator, filled with the
 * account's value and the population's typical value. A template is a phrase with placeholders:
 * <ul>
 *   <li>{@code {v}} the value, {@code {t}} the typical value (whole numbers without decimals,
 *       money to the cent, otherwise one decimal);</li>
 *   <li>{@code {pct}} a ratio as a signed percentage ({@code +12 %}, {@code -60 %});</li>
 *   <li>{@code {share}} a ratio as a plain percentage ({@code 40 %});</li>
 *   <li>{@code {trend}} a log ratio as a signed percentage change;</li>
 *   <li>{@code {signed}} the value with its sign.</li>
 * </ul>
 * A flag (0/1) has one phrase per direction: {@code name:high} and {@code name:low}.
 */
public final class ReasonPhrases implements Serializable {

  /** Every numeric indicator's phrase (a test checks that none is missing). */
  public static final Map<String, String> TEMPLATES = templates();

  /** Indicators in money (the catalogue's unit is a currency), shown to the cent. */
  private static final Set<String> MONEY = CustomerFeatures.COLUMNS.stream()
      .filter(i -> i.unit().startsWith("currency")).map(CustomerFeatures.Indicator::name)
      .collect(Collectors.toUnmodifiableSet());

  private ReasonPhrases() {}

  private static Map<String, String> templates() {
    Map<String, String> t = new LinkedHashMap<>();
    t.put("employee_count", "{v} employees (typical {t})");
    t.put("first_mrr", "started at {v} a month (typical {t})");
    t.put("first_seats", "started with {v} seats (typical {t})");
    t.put("first_discount_pct", "started on a {v} % discount");
    t.put("early_events_14d", "{v} events in the first 14 days (typical {t})");
    t.put("early_active_days_14d", "active on {v} of the first 14 days (typical {t})");
    t.put("early_features_14d", "used {v} features in the first 14 days (typical {t})");
    t.put("early_key_feature_events_14d", "{v} key-feature uses in the first 14 days (typical {t})");
    t.put("activated_14d:low", "did not reach the key-feature threshold in the first 14 days");
    t.put("activated_14d:high", "reached the key-feature threshold in the first 14 days");
    t.put("days_to_first_value", "{v} days to first value (typical {t})");
    t.put("value_reached:low", "has not reached first value");
    t.put("value_reached:high", "reached first value");
    t.put("tenure_days", "customer for {v} days");
    t.put("mrr", "pays {v} a month (typical {t})");
    t.put("seats", "{v} seats (typical {t})");
    t.put("seats_unknown:high", "seat count not known");
    t.put("seats_unknown:low", "seat count known");
    t.put("discount_pct", "on a {v} % discount");
    t.put("billing_period_months", "billed every {v} months");
    t.put("days_to_renewal", "renewal in {v} days");
    t.put("days_to_term_renewal", "contract renewal in {v} days");
    t.put("price_change_since_signup", "price {pct} since signup");
    t.put("mrr_change_90d", "MRR {pct} in 90 days");
    t.put("seats_change_90d", "seats {signed} in 90 days");
    t.put("upgrades_90d", "{v} upgrades in 90 days");
    t.put("downgrades_90d", "{v} downgrades in 90 days");
    t.put("discount_ended_90d:high", "discount ended in the last 90 days");
    t.put("discount_ended_90d:low", "no discount ended in the last 90 days");
    t.put("days_since_discount_end", "discount ended {v} days ago");
    t.put("days_to_discount_end", "discount ends in {v} days");
    t.put("active_users_28d", "{v} active users in 28 days (typical {t})");
    t.put("active_users_prev_28d", "{v} active users in the 28 days before (typical {t})");
    t.put("lost_users_28d", "{v} users stopped using the product in the last 28 days");
    t.put("lost_users_90d", "{v} users active 1-3 months ago not seen in the last 28 days");
    t.put("lost_user_share_90d", "users behind {share} of the account's earlier activity have gone quiet");
    t.put("devices_per_user_28d", "{v} devices per user (typical {t})");
    t.put("active_days_28d", "active on {v} of the last 28 days (typical {t})");
    t.put("active_days_90d", "active on {v} of the last 90 days (typical {t})");
    t.put("events_28d", "{v} events in 28 days (typical {t})");
    t.put("events_prev_28d", "{v} events in the 28 days before (typical {t})");
    t.put("events_90d", "{v} events in 90 days (typical {t})");
    t.put("usage_trend_28d", "usage {trend} vs the previous 28 days");
    t.put("usage_vs_first_14d", "usage {trend} vs its first two weeks");
    t.put("usage_vs_history", "usage {trend} vs its usual month");
    t.put("events_per_active_user_28d", "{v} events per active user in 28 days (typical {t})");
    t.put("features_used_28d", "used {v} features in 28 days (typical {t})");
    t.put("key_feature_events_28d", "{v} key-feature uses in 28 days (typical {t})");
    t.put("key_feature_share_90d", "{share} of the last 90 days' use in the key features (typical {tshare})");
    t.put("lifetime_events", "{v} product events so far (typical {t})");
    t.put("lifetime_key_feature_events", "{v} key-feature events so far (typical {t})");
    t.put("key_feature_share_lifetime", "{share} of all use so far in the key features (typical {tshare})");
    t.put("intent_events_28d", "{v} purchase-intent events in 28 days");
    t.put("error_events_28d", "{v} errors or disconnects in 28 days");
    t.put("days_since_last_activity", "last active {v} days ago");
    t.put("seat_utilisation", "{share} of seats in use (typical {tshare})");
    t.put("never_used:high", "never used the product");
    t.put("never_used:low", "has used the product");
    t.put("unpaid_invoices_90d", "{v} unpaid invoices");
    t.put("late_payments_90d", "{v} late payments in 90 days");
    t.put("unpaid_amount", "{v} unpaid");
    t.put("oldest_unpaid_days", "oldest unpaid invoice {v} days old");
    t.put("refunds_90d", "{v} refunds in 90 days");
    t.put("slow_payment_share_365d", "{share} of the year's invoices not paid within a week (typical {tshare})");
    t.put("tickets_90d", "{v} support tickets in 90 days (typical {t})");
    t.put("urgent_tickets_90d", "{v} urgent tickets in 90 days");
    t.put("open_tickets", "{v} open tickets");
    t.put("avg_hours_to_close_90d", "tickets took {v} hours to close (typical {t})");
    t.put("avg_csat_90d", "ticket satisfaction {v} of 5 (typical {t})");
    t.put("tickets_365d", "{v} support tickets in a year (typical {t})");
    t.put("avg_csat_365d", "ticket satisfaction {v} of 5 over the year (typical {t})");
    t.put("has_rated_ticket_90d:low", "no rated ticket in 90 days");
    t.put("has_rated_ticket_90d:high", "rated a ticket in 90 days");
    t.put("last_nps", "last NPS answer {v} of 10");
    t.put("avg_nps_365d", "NPS answers average {v} of 10 over the year (typical {t})");
    t.put("nps_change", "NPS {signed} points since the answer before");
    t.put("nps_answered:low", "never answered the NPS survey");
    t.put("nps_answered:high", "answered the NPS survey");
    t.put("usage_cost_28d", "usage cost {v} in 28 days (typical {t})");
    t.put("cost_to_serve_monthly", "costs {v} a month to serve (typical {t})");
    return Map.copyOf(t);
  }

  /**
   * The phrase of one reason.
   *
   * @param indicator the indicator's name
   * @param high      whether the account's value is above the typical one
   * @param value     the account's value (null: unknown)
   * @param typical   the population's typical value
   */
  public static String phrase(String indicator, boolean high, Double value, double typical) {
    String flag = TEMPLATES.get(indicator + (high ? ":high" : ":low"));
    if (flag != null) {
      return flag;
    }
    String template = TEMPLATES.get(indicator);
    if (template == null || value == null) {
      return indicator.replace('_', ' ') + (high ? " high" : " low");
    }
    boolean money = MONEY.contains(indicator);
    return template
        .replace("{v}", number(value, money))
        .replace("{t}", number(typical, money))
        .replace("{pct}", signedPercent(value))
        .replace("{share}", Math.round(value * 100) + " %")
        .replace("{tshare}", Math.round(typical * 100) + " %")
        .replace("{trend}", signedPercent(Math.exp(value) - 1))
        .replace("{signed}", (value > 0 ? "+" : "") + number(value, false));
  }

  private static String number(double x, boolean money) {
    if (money) {
      return String.format(Locale.ROOT, "%.2f", x);
    }
    if (Math.abs(x - Math.rint(x)) < 1e-9) {
      return String.format(Locale.ROOT, "%d", Math.round(x));
    }
    return String.format(Locale.ROOT, "%.1f", x);
  }

  private static String signedPercent(double ratio) {
    long p = Math.round(ratio * 100);
    return (p > 0 ? "+" : "") + p + " %";
  }
}
