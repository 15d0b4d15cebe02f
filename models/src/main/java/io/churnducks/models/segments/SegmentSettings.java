package io.churnducks.models.segments;

import java.util.List;

/**
 * Settings of the segmentation.
 *
 * @param indicators numeric indicators clustered on (behaviour and motivation, not demographics)
 * @param logScaled  subset of {@code indicators} passed through ln(1 + x) first (heavy-tailed counts)
 * @param k          number of segments (default 6)
 * @param seed       k-means seed, fixed so a rerun gives the same segments (default 42)
 */
public record SegmentSettings(List<String> indicators, List<String> logScaled, int k, long seed) {
  public SegmentSettings {
    indicators = List.copyOf(indicators);
    logScaled = List.copyOf(logScaled);
    if (k < 2) {
      throw new IllegalArgumentException("Cannot segment: k must be at least 2 (got " + k + ")");
    }
    if (!indicators.containsAll(logScaled)) {
      throw new IllegalArgumentException("Cannot segment: log-scaled indicators must be among the indicators");
    }
  }
}
