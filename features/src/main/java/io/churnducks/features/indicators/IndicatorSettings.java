package io.churnducks.features.indicators;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Parameters of the indicator catalogue: which usage {@code feature} values mean something other
 * than product use, which features are the product's key ("value") features, and what serving a
 * customer costs.
 *
 * @param intentFeatures   purchase-intent events (pricing page, upgrade click): counted as intent,
 *                         never as product usage
 * @param errorFeatures    error or disconnect events the product records (sync failed, integration
 *                         disconnected): counted as errors, never as product usage
 * @param keyFeatures      the product's key features: reaching one is "first value", and their use
 *                         is measured on its own; empty = every product feature counts as value
 * @param costPerUnit      cost to serve one unit ({@code quantity}) of product usage, currency
 * @param featureCosts     cost per unit of usage of a given feature, overriding {@code costPerUnit}
 * @param costPerTicket    cost to serve one support ticket, currency
 * @param maxFeatures      most features kept in a per-feature map column (an account's most used;
 *                         the others still count in the totals)
 * @param activationUses   key-feature uses in the first 14 days that make an account "activated"
 *                         (found by {@code FeatureRetention}); null: unknown, no activation indicator
 */
public record IndicatorSettings(List<String> intentFeatures, List<String> errorFeatures, List<String> keyFeatures,
    double costPerUnit, Map<String, Double> featureCosts, double costPerTicket, int maxFeatures,
    Integer activationUses) {

  public IndicatorSettings {
    intentFeatures = List.copyOf(intentFeatures);
    errorFeatures = List.copyOf(errorFeatures);
    keyFeatures = List.copyOf(keyFeatures);
    featureCosts = Map.copyOf(featureCosts);
    if (costPerUnit < 0 || costPerTicket < 0 || featureCosts.values().stream().anyMatch(c -> c < 0)) {
      throw new IllegalArgumentException("Cannot use negative costs to serve (per unit " + costPerUnit
          + ", per ticket " + costPerTicket + ", per feature " + featureCosts + ")");
    }
    if (maxFeatures < 1) {
      throw new IllegalArgumentException("Cannot keep " + maxFeatures + " features per map: indicators.max-features "
          + "must be at least 1");
    }
  }

  /** Settings with only intent events named; no error or key features, no costs, 40 features per map. */
  public static IndicatorSettings ofIntent(List<String> intentFeatures) {
    return new IndicatorSettings(intentFeatures, List.of(), List.of(), 0.0, Map.of(), 0.0, 40, null);
  }

  /** These settings with {@code keys} as the key features, activated from {@code uses} uses (null: unknown). */
  public IndicatorSettings withKeyFeatures(List<String> keys, Integer uses) {
    return new IndicatorSettings(intentFeatures, errorFeatures, keys, costPerUnit, featureCosts, costPerTicket,
        maxFeatures, uses);
  }

  /** Feature values that are not product usage (intent and error events), sorted. */
  public List<String> nonUsageFeatures() {
    List<String> out = new ArrayList<>(intentFeatures);
    out.addAll(errorFeatures);
    return out.stream().distinct().sorted().toList();
  }

  /** A stable text of every setting, for fingerprints of stored indicator values. */
  public String fingerprint() {
    return "intent=" + intentFeatures.stream().sorted().toList() + "|error=" + errorFeatures.stream().sorted().toList()
        + "|key=" + keyFeatures.stream().sorted().toList() + "|unit=" + costPerUnit + "|features="
        + new TreeMap<>(featureCosts) + "|ticket=" + costPerTicket + "|max=" + maxFeatures + "|activation=" + activationUses;
  }
}
