package io.churnducks.features.indicators;

import java.util.List;

/**
 * Parameters of the indicator catalogue.
 *
 * @param intentFeatures usage {@code feature} values that are purchase-intent events (pricing page,
 *                       upgrade click): counted as intent, never as product usage
 */
public record IndicatorSettings(List<String> intentFeatures) {
  public IndicatorSettings {
    intentFeatures = List.copyOf(intentFeatures);
  }
}
