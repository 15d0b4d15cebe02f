package io.churnducks.models.segments;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.Optional;

/**
 * Tonight's duck segments, end to end: clusters the customers ({@link DuckSegmentation}, carrying
 * the previous run's segments over unless a fresh segmentation keeps beating them), profiles each
 * segment against the population ({@link SegmentProfile}), keeps ids ({@link SegmentLineage}) and
 * names the segments ({@link SegmentNaming}).
 *
 * @param model   the labelled model (ids and names); saved by the caller for the next run
 * @param profile what distinguishes each centre, by centre number
 * @param lineage ids kept, new and vanished
 * @param names   names, evidence, plays and where each name came from, by centre number
 */
public record DuckSegments(DuckSegmentModel model, SegmentProfile profile, SegmentLineage lineage,
    SegmentNaming.Names names) {

  /**
   * @param runDate  the date the segments are for (a challenger's winning streak is counted in days)
   * @param previous the previous run's model, whose segments are carried over
   */
  public static DuckSegments learn(Dataset<Row> customers, SegmentSettings s, java.time.LocalDate runDate,
      Optional<DuckSegmentModel> previous) {
    DuckSegmentation estimator = new DuckSegmentation()
        .setInputCols(s.indicators())
        .setInputWeights(s.weights())
        .setLogScaledCols(s.logScaled().stream().filter(s.indicators()::contains).toList())
        .setKRange(s.minK(), s.maxK())
        .setMinSegmentShare(s.minShare())
        .setCriterion(s.criterion())
        .setOverClusters(s.overClusters())
        .setRestarts(s.restarts())
        .setRefineIter(s.refineIter())
        .setCovarianceRidge(s.covarianceRidge())
        .setSeed(s.seed())
        .setKSwitchMargin(s.kSwitchMargin())
        .setKConfirmDays(s.kConfirmDays())
        .setRunDate(runDate);
    previous.ifPresent(estimator::setPrevious);
    DuckSegmentModel fitted = estimator.fit(customers);
    // Described unweighted: a name's evidence is in the population's plain standard deviations.
    SegmentProfile profile = SegmentProfile.measure(fitted, customers, s.described(), s.logScaled());
    SegmentLineage lineage = previous.map(p -> SegmentLineage.align(fitted, p, s.maxMatchDistance()))
        .orElseGet(() -> SegmentLineage.first(fitted.k()));
    SegmentNaming.Names names = SegmentNaming.name(profile, lineage.ids(), lineage.kept(), s.rules(),
        s.minDistinction(), s.overrides());
    return new DuckSegments(fitted.labelled(lineage.ids(), names.names(), names.evidence())
        .setSwitchRatio(s.switchRatio()), profile, lineage, names);
  }

  /** Centre number of segment {@code id}, or -1. */
  public int centreOf(int id) {
    for (int j = 0; j < model.k(); j++) {
      if (model.id(j) == id) {
        return j;
      }
    }
    return -1;
  }
}
