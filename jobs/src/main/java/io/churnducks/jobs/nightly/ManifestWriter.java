package io.churnducks.jobs.nightly;

import io.churnducks.jobs.io.Warehouse;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.apache.spark.sql.functions.col;

/** Writes the run date's {@code run_manifest} partition from the entries the run recorded. */
final class ManifestWriter {

  private ManifestWriter() {}

  /** Writes the run date's manifest: tonight's entries, and the earlier entries of stages not run now. */
  static void write(Night night, Set<NightlyJob.Stage> stages) {
    List<String> rerun = new ArrayList<>(List.of("run"));
    stages.forEach(s -> rerun.addAll(s.manifestStages));
    Dataset<Row> rows = night.manifest.toFrame(night.spark);
    if (stages.size() < NightlyJob.Stage.values().length
        && night.warehouse.runDates("run_manifest").contains(night.runDate)) {
      // A handful of bookkeeping rows, read before their partition is replaced.
      List<Row> kept = night.warehouse.read("run_manifest", night.runDate).drop(Warehouse.RUN_DATE)
          .where(col("stage").isin(rerun.toArray()).unary_$bang()).collectAsList();
      rows = night.spark.createDataFrame(kept, RunManifest.SCHEMA).unionByName(rows);
    }
    night.warehouse.write("run_manifest", rows, RunManifest.SCHEMA, night.runDate);
  }

  /** Writes the run date's manifest of tonight's entries only (a backfill's). */
  static void writeAll(Night night) {
    night.warehouse.write("run_manifest", night.manifest.toFrame(night.spark), RunManifest.SCHEMA, night.runDate);
  }
}
