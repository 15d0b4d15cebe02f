package io.churnducks.models.segments;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Settings of the duck segments ({@code segments} in the configuration).
 *
 * @param groups           behaviour group → its motivation indicators, clustered on; each indicator
 *                         weighs 1 / √(size of its group), so every behaviour counts alike (groups in
 *                         name order, so the same settings always give the same segments)
 * @param logScaled        indicators (clustered or describing) passed through ln(1 + x) first (heavy-tailed counts)
 * @param describeWith     further indicators segments are described and named by (not clustered on)
 * @param minK             fewest segments tried (default 4)
 * @param maxK             most segments tried (default 10)
 * @param minShare         smallest share of customers a segment may hold (default 0.03)
 * @param criterion        how k is chosen: mml (default), bic or silhouette
 * @param overClusters     k-means clusters merged into each k (default 20)
 * @param restarts         k-means runs; the lowest cost is kept (default 5)
 * @param refineIter       most classification-EM rounds per k (default 20)
 * @param covarianceRidge  added to each segment's covariance diagonal (default 0.1)
 * @param seed             seed of the first run, fixed so a rerun gives the same segments (default 42)
 * @param kSwitchMargin    criterion gain a fresh segmentation needs over the previous run's segments, and more
 *                         segments over fewer (default 0.02)
 * @param kConfirmDays     days a fresh segmentation must keep winning before it replaces them (default 28)
 * @param minDistinction   standard deviations a segment must stand out by for a name to mention it (default 0.5)
 * @param maxMatchDistance farthest (in standard deviations) a centre may move and keep its id (default 1.5)
 * @param switchRatio      how many times as likely a customer's most likely segment must be than the one it was
 *                         in on the previous run to move it (default 10; 1 = always the most likely)
 * @param rules            the naming rulebook, in order
 * @param overrides        segment id → name given by people
 */
public record SegmentSettings(Map<String, List<String>> groups, List<String> logScaled, List<String> describeWith,
    int minK, int maxK, double minShare, String criterion, int overClusters, int restarts, int refineIter,
    double covarianceRidge, long seed, double kSwitchMargin, int kConfirmDays, double minDistinction,
    double maxMatchDistance, double switchRatio,
    List<SegmentNaming.Rule> rules, Map<Integer, String> overrides) {

  public SegmentSettings {
    Map<String, List<String>> sorted = new TreeMap<>();
    groups.forEach((g, cols) -> {
      if (!cols.isEmpty()) {
        sorted.put(g, List.copyOf(cols));
      }
    });
    groups = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sorted));
    logScaled = List.copyOf(logScaled);
    describeWith = List.copyOf(describeWith);
    rules = List.copyOf(rules);
    overrides = Map.copyOf(overrides);
    if (minK < 2 || maxK < minK) {
      throw new IllegalArgumentException("Cannot segment: the k range must satisfy 2 <= min-k <= max-k (got "
          + minK + ".." + maxK + ")");
    }
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("Cannot segment: segments.groups names no indicator");
    }
    if (!(switchRatio >= 1)) {
      throw new IllegalArgumentException("Cannot segment: segments.switch-ratio must be at least 1 (got " + switchRatio
          + ")");
    }
  }

  /** The clustered indicators, group by group. */
  public List<String> indicators() {
    List<String> out = new ArrayList<>();
    groups.values().forEach(out::addAll);
    return out;
  }

  /** Each clustered indicator's weight: 1 / √(size of its group). */
  public double[] weights() {
    return groups.values().stream().flatMapToDouble(g -> java.util.stream.DoubleStream.generate(
        () -> 1 / Math.sqrt(g.size())).limit(g.size())).toArray();
  }

  /** These settings clustering on {@code available} indicators only (those populated tonight). */
  public SegmentSettings restrictedTo(List<String> available) {
    Map<String, List<String>> kept = new LinkedHashMap<>();
    groups.forEach((g, cols) -> kept.put(g, cols.stream().filter(available::contains).toList()));
    return new SegmentSettings(kept, logScaled, describeWith.stream().filter(available::contains).toList(), minK,
        maxK, minShare, criterion, overClusters, restarts, refineIter, covarianceRidge, seed, kSwitchMargin,
        kConfirmDays, minDistinction, maxMatchDistance, switchRatio, rules, overrides);
  }

  /** Indicators segments are described by: the clustered ones, then the describing ones. */
  public List<String> described() {
    List<String> out = new ArrayList<>(indicators());
    describeWith.stream().filter(c -> !out.contains(c)).forEach(out::add);
    return out;
  }
}
