package io.churnducks.models.churn;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

/**
 * Rolling-origin backtest: each of the latest as-of dates is a fold, tested by a model trained only
 * on the as-of dates whose horizon and grace ended before it, i.e. whose outcome was known on the
 * test date. Never a random split across time. A fold without churners and stayers on both sides
 * is skipped with its reason; pooled metrics cover the usable folds.
 */
public final class RollingBacktest {

  private static final Logger LOG = LoggerFactory.getLogger(RollingBacktest.class);

  private RollingBacktest() {}

  /** The as-of dates one fold trains and tests on. */
  public record Plan(LocalDate testDate, List<LocalDate> trainDates) {}

  /**
   * One fold's outcome.
   *
   * @param skipped why the fold could not be evaluated, or null
   */
  public record Fold(Plan plan, long trainExamples, BinaryMetrics metrics, String skipped) {
    public boolean usable() {
      return skipped == null;
    }
  }

  /**
   * A candidate's backtest.
   *
   * @param pooled      metrics of the uncalibrated scores of every usable fold together
   * @param calibrated  metrics after calibration, each fold calibrated on the folds before it
   *                    (NaN metrics when fewer than two folds are usable)
   * @param predictions account_id, as_of_date, label, score of every usable fold (cached: {@link #release()})
   */
  public record Result(Candidate candidate, List<Fold> folds, BinaryMetrics pooled, BinaryMetrics calibrated,
      Optional<Dataset<Row>> predictions, List<Dataset<Row>> cachedFolds) {

    /** Frees the cached fold predictions. */
    public void release() {
      cachedFolds.forEach(Dataset::unpersist);
    }

    public long usableFolds() {
      return folds.stream().filter(Fold::usable).count();
    }

    /** Pooled AUC, NaN when no fold was usable. */
    public double auc() {
      return pooled.auc();
    }
  }

  /**
   * The folds: each of the latest {@code folds} as-of dates, with the dates before it whose horizon
   * and grace end strictly before it. A test date without such dates gets no training dates (its
   * fold is skipped).
   */
  public static List<Plan> plan(List<LocalDate> asOfDates, int folds, int horizonDays, int graceDays) {
    List<LocalDate> sorted = asOfDates.stream().sorted().distinct().toList();
    List<Plan> plans = new ArrayList<>();
    for (LocalDate test : sorted.subList(Math.max(0, sorted.size() - folds), sorted.size())) {
      plans.add(new Plan(test, sorted.stream()
          .filter(d -> d.plusDays((long) horizonDays + graceDays).isBefore(test)).toList()));
    }
    return plans;
  }

  /**
   * A fold before any model is fitted, the same for every candidate: its plan, its training
   * examples, the indicators that hold values in them (an indicator can be empty on the older
   * training dates alone, e.g. no survey answered yet, and the fold's model then leaves it out), or
   * why the fold cannot be used.
   */
  public record Split(Plan plan, long trainExamples, ChurnModel.Columns columns, String skipped) {}

  /** Screens the planned folds once (one aggregate per side, one for the populated indicators). */
  public static List<Split> split(Dataset<Row> examples, List<Plan> plans, ChurnModel.Columns columns,
      ChurnModelSettings settings) {
    List<Split> splits = new ArrayList<>();
    for (Plan plan : plans) {
      if (plan.trainDates().isEmpty()) {
        splits.add(new Split(plan, 0, columns, "no as-of date before " + plan.testDate() + " has a known outcome ("
            + settings.horizonDays() + "-day horizon + " + settings.graceDays() + "-day grace)"));
        continue;
      }
      Dataset<Row> train = trainOf(examples, plan);
      long[] trainCounts = classCounts(train);
      long[] testCounts = classCounts(testOf(examples, plan));
      String skipped = classes("training", trainCounts, plan.trainDates().get(0) + ".."
          + plan.trainDates().get(plan.trainDates().size() - 1));
      if (skipped == null) {
        skipped = classes("test", testCounts, plan.testDate().toString());
      }
      splits.add(new Split(plan, trainCounts[0], skipped == null ? columns.populatedIn(train) : columns,
          skipped));
    }
    return splits;
  }

  /** Backtests one candidate on the screened folds. */
  public static Result run(Dataset<Row> examples, List<Split> splits, Candidate candidate,
      ChurnModelSettings settings, LocalDate runDate) {
    List<Fold> folds = new ArrayList<>();
    List<Dataset<Row>> cached = new ArrayList<>();
    Dataset<Row> predictions = null;
    String engineFailed = null;
    for (Split split : splits) {
      if (split.skipped() != null || engineFailed != null) {
        folds.add(new Fold(split.plan(), split.trainExamples(), null,
            split.skipped() != null ? split.skipped() : engineFailed));
        continue;
      }
      ChurnModel model;
      try {
        model = ChurnModel.fit(trainOf(examples, split.plan()), split.columns(), candidate,
            settings.balanceClasses(), null, settings, runDate);
      } catch (Exception e) {
        engineFailed = engineFailure(candidate, e);
        folds.add(new Fold(split.plan(), split.trainExamples(), null, engineFailed));
        continue;
      }
      Dataset<Row> scored = model.rawScores(ChurnModel.withLabel(testOf(examples, split.plan())))
          .select(col("account_id"), col("as_of_date"), col(ChurnPipeline.LABEL), col(ChurnModel.SCORE))
          .persist(StorageLevel.MEMORY_AND_DISK());
      cached.add(scored);
      folds.add(new Fold(split.plan(), split.trainExamples(),
          BinaryMetrics.of(scored, ChurnPipeline.LABEL, ChurnModel.SCORE), null));
      predictions = predictions == null ? scored : predictions.union(scored);
    }
    return result(candidate, folds, predictions, cached, settings);
  }

  /**
   * Why XGBoost could not train, when it could not: its workers train together through a tracker on
   * the driver, which a cluster's network or too few free cores can stop. The night goes on with
   * the other candidates; any other failure is a defect and is thrown.
   */
  private static String engineFailure(Candidate candidate, Exception e) {
    if (!candidate.isXgboost()) {
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    // XGBoost's native messages: "[time] file.cc:line: " then "- [file.cc:line|time]: what", then a stack trace.
    String said = String.join("; ", String.valueOf(root.getMessage()).lines().map(String::strip)
        .takeWhile(l -> !l.startsWith("Stack trace"))
        .map(l -> l.replaceFirst("^-?\\s*\\[[^\\]]*\\]:?\\s*", "")
            .replaceFirst("^\\S+\\.(cc|h|cpp):\\d+:\\s*", ""))
        .filter(l -> !l.isEmpty()).toList());
    String why = "XGBoost could not train here (" + root.getClass().getSimpleName() + ": "
        + (said.length() > 300 ? said.substring(0, 300) + "…" : said) + "); if its tracker is unreachable, set "
        + ChurnPipeline.XGBOOST_TRACKER_HOST + " to a driver address the executors reach";
    LOG.warn("Backtest {}: {}", candidate.label(), why);
    return why;
  }

  private static Result result(Candidate candidate, List<Fold> folds, Dataset<Row> predictions,
      List<Dataset<Row>> cached, ChurnModelSettings settings) {
    if (predictions == null) {
      return new Result(candidate, folds, BinaryMetrics.undefined(), BinaryMetrics.undefined(), Optional.empty(), cached);
    }
    return new Result(candidate, folds, BinaryMetrics.of(predictions, ChurnPipeline.LABEL, ChurnModel.SCORE),
        calibratedForward(predictions, folds, settings.calibration()), Optional.of(predictions), cached);
  }

  /**
   * A blend's backtest from its members' backtests on the same folds: the blend's fold models are
   * its members' fold models (the same stages fitted on the same examples), so each of its fold
   * predictions is the mean of theirs, and nothing needs fitting again.
   */
  public static Result blended(Candidate blend, Result trees, Result linear, ChurnModelSettings settings) {
    if (!blend.isBlend() || !screening(trees).equals(screening(linear))) {
      throw new IllegalArgumentException("A blend's backtest needs its members' backtests on the same folds");
    }
    List<Fold> folds = new ArrayList<>();
    List<Dataset<Row>> cached = new ArrayList<>();
    Dataset<Row> predictions = null;
    int usable = 0;
    for (Fold f : trees.folds()) {
      if (!f.usable()) {
        folds.add(f);
        continue;
      }
      Dataset<Row> other = linear.cachedFolds().get(usable).select(col("account_id"), col("as_of_date"),
          col(ChurnModel.SCORE).as("__linear"));
      Dataset<Row> scored = trees.cachedFolds().get(usable++).join(other, new String[] {"account_id", "as_of_date"})
          .select(col("account_id"), col("as_of_date"), col(ChurnPipeline.LABEL),
              col(ChurnModel.SCORE).plus(col("__linear")).divide(2).as(ChurnModel.SCORE))
          .persist(StorageLevel.MEMORY_AND_DISK());
      cached.add(scored);
      folds.add(new Fold(f.plan(), f.trainExamples(), BinaryMetrics.of(scored, ChurnPipeline.LABEL, ChurnModel.SCORE),
          null));
      predictions = predictions == null ? scored : predictions.union(scored);
    }
    return result(blend, folds, predictions, cached, settings);
  }

  /** Each fold's plan, training examples and whether it was skipped: what every candidate shares. */
  private static List<List<Object>> screening(Result r) {
    return r.folds().stream().map(f -> List.<Object>of(f.plan(), f.trainExamples(), f.usable())).toList();
  }

  private static Dataset<Row> trainOf(Dataset<Row> examples, Plan plan) {
    return examples.where(col("as_of_date").isin(plan.trainDates().stream().map(Date::valueOf).toArray()));
  }

  private static Dataset<Row> testOf(Dataset<Row> examples, Plan plan) {
    return examples.where(col("as_of_date").equalTo(lit(Date.valueOf(plan.testDate()))));
  }

  /** Examples and churners of a frame of examples (one aggregate). */
  private static long[] classCounts(Dataset<Row> examples) {
    Row r = examples.agg(count(lit(1)), count(when(col("churned"), 1))).first();
    return new long[] {r.getLong(0), r.getLong(1)};
  }

  /** Why a split cannot train or test a model, or null when it holds churners and stayers. */
  private static String classes(String side, long[] counts, String dates) {
    long examples = counts[0];
    long churners = counts[1];
    if (examples == 0) {
      return side + " as-of dates " + dates + " hold no examples";
    }
    if (churners == 0 || churners == examples) {
      return side + " as-of dates " + dates + " hold only " + (churners == 0 ? "stayers" : "churners") + " ("
          + examples + " examples)";
    }
    return null;
  }

  /**
   * Calibration as the nightly run will meet it: each usable fold's scores calibrated by a mapping
   * fitted on the usable folds before it.
   */
  private static BinaryMetrics calibratedForward(Dataset<Row> predictions, List<Fold> folds, String method) {
    List<LocalDate> usable = folds.stream().filter(Fold::usable).map(f -> f.plan().testDate()).toList();
    Dataset<Row> out = null;
    for (int k = 1; k < usable.size(); k++) {
      Dataset<Row> earlier = predictions.where(col("as_of_date").lt(lit(Date.valueOf(usable.get(k)))));
      Calibration c = Calibration.fit(earlier, ChurnPipeline.LABEL, ChurnModel.SCORE, method);
      Dataset<Row> fold = predictions.where(col("as_of_date").equalTo(lit(Date.valueOf(usable.get(k)))))
          .withColumn("calibrated", c.apply(col(ChurnModel.SCORE)));
      out = out == null ? fold : out.union(fold);
    }
    return out == null ? BinaryMetrics.undefined() : BinaryMetrics.of(out, ChurnPipeline.LABEL, "calibrated");
  }
}
