package io.churnducks.jobs.nightly;

import io.churnducks.features.testing.SparkTestBase;
import io.churnducks.features.validation.ContractException;
import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.io.Warehouse;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The lifecycle stage alone: it needs the night's segments and scores and says which stage to run first. */
class LifecycleStageTest extends SparkTestBase {

  @TempDir
  Path tmp;

  @Test
  void withoutTheNightsSegmentsItNamesTheStageToRunFirstAndRecordsTheFailure() {
    LocalDate runDate = LocalDate.of(2026, 1, 1);
    ChurnConfig config = ChurnConfig.load(new File("../conf/demo.conf"), List.of("warehouse=" + tmp.resolve("w")));
    ContractException e = assertThrows(ContractException.class,
        () -> new NightlyJob(spark(), config, runDate).run(EnumSet.of(NightlyJob.Stage.lifecycle)));
    assertEquals("Cannot run the lifecycle stage for 2026-01-01: customer_segments has no rows for it (run `churn "
        + "segments --run-date 2026-01-01` first)", e.getMessage());
    List<Row> manifest = new Warehouse(spark(), config.warehouse()).read("run_manifest", runDate)
        .select("stage", "subject", "status").collectAsList();
    assertEquals(List.of("run", "[lifecycle]", "failed"), List.of(manifest.get(0).getString(0),
        manifest.get(0).getString(1), manifest.get(0).getString(2)), manifest.toString());
  }
}
