package io.churnducks.jobs.bench;

import io.churnducks.features.testing.SparkTestBase;
import io.churnducks.jobs.generate.EventsByDate;
import io.churnducks.jobs.generate.GeneratorOptions;
import io.churnducks.jobs.generate.SampleDataGenerator;
import io.churnducks.jobs.io.SparkSessions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The smallest rung of {@code churn bench} (5,000 accounts, 12 months) runs end to end: both nights, the
 * indicator stage and DuckDB, and DuckDB's plain SQL agrees with the product's usage indicators on
 * every account; the duck segments recover the generator's hidden personas (adjusted Rand index ≥ 0.8) and
 * every persona with a segment of its own (at least 80 % of it) finds it named for its motivation. Times are
 * reported, never asserted.
 */
class BenchSmokeTest extends SparkTestBase {

  @TempDir
  Path tmp;

  @Test
  void theSmallestRungRunsAndDuckDbAgreesOnEveryAccount() {
    SparkSessions.configure(spark(), 4);
    spark().conf().set("spark.sql.codegen.wholeStage", "true");
    spark().conf().set("spark.sql.codegen.factoryMode", "FALLBACK");
    Benchmark.Options options = new Benchmark.Options(List.of(5000), tmp.toString(), 12, Benchmark.DEFAULT_SEED,
        new File("../conf/demo.conf"), List.of("model.training-months=6", "model.backtest-folds=1",
        "model.candidates=[{type=logistic-regression}]"));

    List<Benchmark.Rung> rungs = new Benchmark(spark(), options).run();

    Benchmark.Rung r = rungs.get(0);
    assertTrue(r.events() > 100_000, "events generated: " + r.events());
    assertTrue(r.compared() > 1000, "accounts compared with DuckDB: " + r.compared());
    assertEquals(r.compared(), r.agreeing(), "accounts whose 28-day usage indicators DuckDB computes alike");
    assertTrue(r.nextNight().containsKey("features/usage_indicators"), r.nextNight().toString());
    // Heap pools only: what -Xmx bounds (metaspace and the code cache are reported by a collection too).
    assertTrue(r.heapAfterGcBytes() > 0 && r.heapAfterGcBytes() <= Runtime.getRuntime().maxMemory(),
        "driver heap after GC " + r.heapAfterGcBytes() + " within the heap limit " + Runtime.getRuntime().maxMemory());
    assertTrue(r.model().model().examples() > 1000, "accounts scored against the truth: " + r.model().describe());
    assertTrue(r.model().aucRatio() > 0.8, "the scores rank churn: " + r.model().describe());
    // 5,000 accounts (about 3,700 active) hold enough customers for the segments to find the personas.
    System.out.println("bench smoke segments: " + r.segments().describe());
    assertTrue(r.segments().ari() >= 0.8, r.segments().describe());
    assertTrue(r.segments().leading().size() >= 6, "personas leading a segment: " + r.segments().describe());
    assertTrue(r.segments().purity().values().stream().filter(x -> x >= 0.8).count() >= 5,
        "personas with a segment of their own: " + r.segments().describe());
    assertEquals(List.of(), r.segments().misnamed(0.8), "personas whose segment's name does not say what they are");
    assertEquals(List.of(), r.segments().notNamedForTheirMotivation(),
        "personas whose majority segment is not named for their motivation: " + r.segments().describe());
    System.out.println("bench smoke health: " + r.health().describe());
    assertEquals(0, r.health().rises(), "the true churn probability falls decile by decile as health rises: "
        + r.health().describe());
    String report = BenchmarkReport.markdown(rungs, 12, Benchmark.DEFAULT_SEED, "test machine",
        "bin/churn bench --max-accounts 5000", "today");
    assertTrue(report.contains("| 5,000 | "), report);
    assertTrue(report.contains("AUC ratio"), report);
    assertTrue(report.contains("Duck segments"), report);
  }

  @Test
  void aCompanyGeneratedOtherwiseIsNotMeasuredAsTheBenchsOwn() {
    String data = tmp.resolve("data-40").toString();
    GeneratorOptions flat = new GeneratorOptions(40, LocalDate.of(2024, 1, 1), 3, Benchmark.DEFAULT_SEED, data,
        "parquet", 0.0, 90, 30);
    SampleDataGenerator.run(spark(), flat);

    // Events in one folder: every night would read them whole.
    assertEquals(Optional.of("its usage events are not laid out by event date (no product_events/"
        + "event_date=YYYY-MM-DD folders)"), Benchmark.whyNotReusable(spark(), data, flat));
    EventsByDate.rewrite(spark(), flat);
    assertEquals(Optional.empty(), Benchmark.whyNotReusable(spark(), data, flat));
    GeneratorOptions longer = new GeneratorOptions(40, LocalDate.of(2024, 1, 1), 4, 8L, data, "parquet", 0.0, 90, 30);
    assertEquals(Optional.of("it was generated with seed 7 (the bench needs 8), months 3 (the bench needs 4)"),
        Benchmark.whyNotReusable(spark(), data, longer));
  }
}
