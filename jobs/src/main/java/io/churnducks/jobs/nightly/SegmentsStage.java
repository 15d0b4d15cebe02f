package io.churnducks.jobs.nightly;

import io.churnducks.features.indicators.CustomerFeatures;
import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.io.Warehouse;
import io.churnducks.jobs.nightly.NightlyJob.SegmentSize;
import io.churnducks.models.churn.ChurnModelSettings;
import io.churnducks.models.segments.CustomerSegments;
import io.churnducks.models.segments.DuckSegmentModel;
import io.churnducks.models.segments.DuckSegments;
import io.churnducks.models.segments.HealthExtremes;
import io.churnducks.models.segments.HealthTemperature;
import io.churnducks.models.segments.SegmentModelStore;
import io.churnducks.models.segments.SegmentProfiles;
import io.churnducks.models.segments.SegmentSettings;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.churnducks.jobs.nightly.Night.populated;
import static io.churnducks.jobs.nightly.Night.secondsSince;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

/** Segments: duck segments, health and temperature (customer_segments, segment_profiles, health_extremes). */
final class SegmentsStage implements NightStage {

  private static final String PREVIOUS_SEGMENT = "_previous_segment_id";

  @Override
  public void run(Night night) {
    LocalDate runDate = night.runDate;
    ChurnConfig config = night.config;
    Warehouse warehouse = night.warehouse;
    long t = System.nanoTime();
    ChurnModelSettings ms = config.model();
    Dataset<Row> features = night.features();
    long active = features.count();
    List<String> populatedTonight = populated(CustomerFeatures.numericIndicators(), features);
    SegmentSettings segmentSettings = config.segments().restrictedTo(populatedTonight);
    SegmentModelStore segmentModels = new SegmentModelStore(night.spark,
        warehouse.root() + "/" + NightlyJob.SEGMENT_MODELS);
    Optional<LocalDate> previousRun = segmentModels.latestBefore(runDate);
    Optional<DuckSegmentModel> previousModel = previousRun.map(segmentModels::load);
    DuckSegments segments = DuckSegments.learn(features, segmentSettings, runDate, previousModel);
    segmentModels.save(runDate, segments.model());
    // Each customer starts from the segment it was in on the previous run (it moves when another is
    // segments.switch-ratio times as likely).
    Dataset<Row> withPrevious = previousRun.map(d -> {
      Dataset<Row> before = warehouse.read("customer_segments", d).select(col("account_id").as("_previous_account"),
          col("segment_id").as(PREVIOUS_SEGMENT));
      return features.join(before, features.col("account_id").equalTo(before.col("_previous_account")), "left")
          .drop("_previous_account");
    }).orElse(features);
    Dataset<Row> segmentRows = segments.model().copy(ParamMap.empty()).setPreviousSegmentCol(PREVIOUS_SEGMENT)
        .transform(withPrevious)
        .join(HealthTemperature.apply(features, config.healthMap().restrictedTo(populatedTonight)), "account_id")
        .select("account_id", "segment_id", "segment_name", "health", "temperature", "quadrant", "play");
    warehouse.write("customer_segments", segmentRows, CustomerSegments.SCHEMA, runDate);
    Dataset<Row> storedSegments = night.keep(warehouse.read("customer_segments", runDate));
    LocalDate churnAsOf = night.asOfDates().stream().filter(d -> !d.plusDays(ms.horizonDays() + ms.graceDays())
        .isAfter(runDate)).reduce((a, b) -> b).orElse(null);
    Optional<Dataset<Row>> recentChurn = Optional.ofNullable(churnAsOf).map(d -> segments.model()
        .transform(night.examples().where(col("as_of_date").equalTo(lit(java.sql.Date.valueOf(d)))))
        .select("segment_id", "churned"));
    Optional<Dataset<Row>> previousSegments = previousRun.map(d -> warehouse.read("customer_segments", d));
    Dataset<Row> segmentsWithMrr = storedSegments.join(features.select("account_id", "mrr"), "account_id");
    warehouse.write("segment_profiles", SegmentProfiles.build(night.spark, segments, segmentsWithMrr, recentChurn,
        Optional.ofNullable(churnAsOf), previousSegments, previousModel), SegmentProfiles.SCHEMA, runDate);
    warehouse.write("health_extremes", HealthExtremes.of(segmentsWithMrr, config.healthExtremes()),
        HealthExtremes.SCHEMA, runDate);
    List<SegmentSize> sizes = new ArrayList<>();
    for (Row r : storedSegments.groupBy("segment_id", "segment_name").agg(count(lit(1)).as("n"))
        .orderBy(col("n").desc()).collectAsList()) {
      int id = r.getInt(0);
      sizes.add(new SegmentSize(id, r.getString(1), segments.model().evidence(segments.centreOf(id)), r.getLong(2)));
    }
    night.out.sizes = sizes;
    night.manifest.record("segments", "customer_segments", "ok", active, active, secondsSince(t), String.format(
        java.util.Locale.ROOT, "%d segments (silhouette %.3f)%s%s%s", sizes.size(), segments.model().silhouette(),
        previousRun.map(d -> segments.model().continues().isPresent() ? "; carried over from " + d
            : "; ids matched to " + d).orElse(""), segments.lineage().vanished().isEmpty() ? ""
            : "; vanished: " + segments.lineage().vanished(), segments.model().challenger().map(c -> "; k=" + c.k()
            + " fits better since " + (c.since() == null ? "tonight" : c.since()) + " (replaces them once that held "
            + config.segments().kConfirmDays() + " days)").orElse("")));
  }
}
