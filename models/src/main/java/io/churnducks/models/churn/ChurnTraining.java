package io.churnducks.models.churn;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Trains the churn model of a run: every configured candidate is backtested on the same rolling
 * folds, the best pooled AUC wins (the first listed on a tie, so simpler models are listed first),
 * the winner is refitted on every example and its score calibrated on the winner's fold predictions.
 * When no fold is usable the metrics are undefined, the reason is logged once, and the first
 * candidate is trained unweighted and uncalibrated on whatever examples there are.
 */
public final class ChurnTraining {

  private static final Logger LOG = LoggerFactory.getLogger(ChurnTraining.class);
  /** Examples per partition from which training spreads over more partitions than cores. */
  static final long ROWS_PER_PARTITION = 250_000;

  private ChurnTraining() {}

  /**
   * @param model      the model that scores tonight
   * @param backtests  one per candidate, in configured order
   * @param chosen     the backtest of the candidate that was chosen
   * @param undefined  why the backtest could not measure anything, or null
   */
  public record Trained(ChurnModel model, List<RollingBacktest.Result> backtests, RollingBacktest.Result chosen,
      String undefined) {}

  /**
   * @param examples  labelled examples (indicators, {@code as_of_date}, {@code churned}) of {@code asOfDates}
   */
  public static Trained train(Dataset<Row> examples, List<LocalDate> asOfDates, ChurnModel.Columns columns,
      ChurnModelSettings settings, LocalDate runDate) {
    List<RollingBacktest.Plan> plans = RollingBacktest.plan(asOfDates, settings.backtestFolds(),
        settings.horizonDays(), settings.graceDays());
    List<RollingBacktest.Result> results = new ArrayList<>();
    RollingBacktest.Result best = null;
    Dataset<Row> data = compact(examples);
    try {
      List<RollingBacktest.Split> splits = RollingBacktest.split(data, plans, columns, settings);
      for (Candidate c : settings.candidates()) {
        long t = System.nanoTime();
        RollingBacktest.Result r = RollingBacktest.run(data, splits, c, settings, runDate);
        results.add(r);
        LOG.info(String.format(Locale.ROOT, "Backtest %s: pooled AUC %.3f over %d of %d folds (%.0f s)", c.label(),
            r.auc(), r.usableFolds(), plans.size(), (System.nanoTime() - t) / 1e9));
        if (r.pooled().ranks() && (best == null || r.auc() > best.auc())) {
          best = r;
        }
      }
      if (best == null) {
        String why = results.get(0).folds().stream().map(f -> f.plan().testDate() + ": " + f.skipped())
            .reduce((a, b) -> a + "; " + b).orElse("no fold planned");
        String undefined = "no backtest fold is usable (" + why + "); raise model.training-months, lower "
            + "model.backtest-folds or run on a later date with more churn history";
        LOG.warn("Backtest undefined: {}. Scoring with {} trained on all examples, uncalibrated.", undefined,
            settings.candidates().get(0).label());
        ChurnModel model = ChurnModel.fit(data, columns, settings.candidates().get(0), false,
            Calibration.identity(), settings, runDate);
        return new Trained(model, results, results.get(0), undefined);
      }
      Calibration calibration = Calibration.fit(best.predictions().orElseThrow(), ChurnPipeline.LABEL, ChurnModel.SCORE,
          settings.calibration());
      ChurnModel model = ChurnModel.fit(data, columns, best.candidate(), settings.balanceClasses(), calibration,
          settings, runDate);
      LOG.info("Chose {} (pooled backtest AUC {}); calibration {}", best.candidate().label(),
          String.format(Locale.ROOT, "%.3f", best.auc()), calibration.describe());
      return new Trained(model, results, best, null);
    } finally {
      results.forEach(RollingBacktest.Result::release);
      data.unpersist();
    }
  }

  /**
   * The examples cached in as few partitions as the cluster's cores can work on (at least one per
   * {@link #ROWS_PER_PARTITION} rows): model fitting runs hundreds of small jobs (one per tree
   * level, one per optimiser step), and with small data their cost is the tasks, not the rows.
   */
  private static Dataset<Row> compact(Dataset<Row> examples) {
    long rows = examples.count();
    int cores = examples.sparkSession().sparkContext().defaultParallelism();
    int target = (int) Math.max(cores, Math.min(Integer.MAX_VALUE, (rows + ROWS_PER_PARTITION - 1) / ROWS_PER_PARTITION));
    Dataset<Row> out = examples.rdd().getNumPartitions() > target ? examples.coalesce(target) : examples;
    return out.persist(StorageLevel.MEMORY_AND_DISK());
  }
}
