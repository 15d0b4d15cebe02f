package io.churnducks.models.churn;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * Trains the churn model of a run: every configured candidate is backtested on the same rolling
 * folds, the best pooled AUC wins (the list is an order of preference: a later candidate only by
 * more than the choice margin) unless it fails to beat the champion's recipe on the same folds by
 * the promotion margin; the winner is refitted on every example and its score calibrated on the
 * winner's fold predictions.
 * When no fold is usable the metrics are undefined, the reason is logged once, and the first
 * candidate is trained unweighted and uncalibrated on whatever examples there are.
 */
public final class ChurnTraining {

  private static final Logger LOG = LoggerFactory.getLogger(ChurnTraining.class);
  /** Examples per partition from which training spreads over more partitions than cores. */
  static final long ROWS_PER_PARTITION = 250_000;

  private ChurnTraining() {}

  /**
   * The champion a run's challengers must beat: its version and recipe (candidate and inputs), and
   * the pooled-AUC margin by which a challenger must beat that recipe on the same folds.
   */
  public record Champion(String version, Candidate candidate, ChurnModel.Columns columns, double margin) {}

  /**
   * @param model      the model that scores tonight
   * @param backtests  one per candidate, in configured order
   * @param chosen     the backtest of the candidate that was chosen
   * @param undefined  why the backtest could not measure anything, or null
   * @param champion   the champion's recipe backtested on the same folds (null without a champion, or
   *                   when it is one of the candidates, whose backtest it then is, or when tonight's
   *                   examples lack its inputs)
   * @param decision   how the model was chosen, in one line (the challenge against the champion)
   * @param data       what the model was trained on
   */
  public record Trained(ChurnModel model, List<RollingBacktest.Result> backtests, RollingBacktest.Result chosen,
      String undefined, RollingBacktest.Result champion, String decision, TrainingData data) {

    /** What the model card records of this training. */
    public ChurnModel.Provenance provenance() {
      List<ChurnModel.FoldMetrics> folds = chosen.folds().stream().map(f -> {
        List<LocalDate> train = f.plan().trainDates();
        BinaryMetrics m = f.metrics();
        return new ChurnModel.FoldMetrics(f.plan().testDate().toString(),
            train.isEmpty() ? null : train.get(0).toString(),
            train.isEmpty() ? null : train.get(train.size() - 1).toString(), f.trainExamples(),
            m == null ? null : finite(m.auc()), m == null ? null : finite(m.prAuc()),
            m == null ? null : finite(m.logLoss()), m == null ? null : finite(m.ece()),
            m == null ? null : finite(m.topDecileLift()), f.skipped());
      }).toList();
      return new ChurnModel.Provenance(data.from().toString(), data.to().toString(), data.examples(),
          data.churners(), data.fingerprint(), folds, decision);
    }

    private static Double finite(double v) {
      return Double.isFinite(v) ? v : null;
    }
  }

  /**
   * @param from         first as-of date trained on
   * @param to           last as-of date trained on
   * @param examples     labelled examples
   * @param churners     those that churned
   * @param fingerprint  order-independent hash of every example's inputs and label: two trainings
   *                     with the same fingerprint saw the same data
   */
  public record TrainingData(LocalDate from, LocalDate to, long examples, long churners, String fingerprint) {}

  /** Trains without a champion to beat. */
  public static Trained train(Dataset<Row> examples, List<LocalDate> asOfDates, ChurnModel.Columns columns,
      ChurnModelSettings settings, LocalDate runDate) {
    return train(examples, asOfDates, columns, settings, runDate, Optional.empty());
  }

  /**
   * Backtests every candidate and, when there is a champion, the champion's recipe on the same
   * folds. A challenger wins only when its pooled AUC beats the champion recipe's by the margin;
   * otherwise the champion's recipe is refitted on tonight's examples (the champion keeps its
   * place, with fresher data).
   *
   * @param examples  labelled examples (indicators, {@code as_of_date}, {@code churned}) of {@code asOfDates}
   */
  public static Trained train(Dataset<Row> examples, List<LocalDate> asOfDates, ChurnModel.Columns columns,
      ChurnModelSettings settings, LocalDate runDate, Optional<Champion> champion) {
    List<RollingBacktest.Plan> plans = RollingBacktest.plan(asOfDates, settings.backtestFolds(),
        settings.horizonDays(), settings.graceDays());
    List<RollingBacktest.Result> results = new ArrayList<>();
    RollingBacktest.Result rival = null;
    Dataset<Row> data = compact(examples);
    try {
      TrainingData stats = stats(data, columns, asOfDates);
      List<RollingBacktest.Split> splits = RollingBacktest.split(data, plans, columns, settings);
      results.addAll(backtestAll(data, splits, settings, runDate));
      Choice choice = choose(results, settings.choiceMargin());
      RollingBacktest.Result best = choice.chosen();
      if (best == null) {
        String why = results.get(0).folds().stream().map(f -> f.plan().testDate() + ": " + f.skipped())
            .reduce((a, b) -> a + "; " + b).orElse("no fold planned");
        String undefined = "no backtest fold is usable (" + why + "); raise model.training-months, lower "
            + "model.backtest-folds or run on a later date with more churn history";
        LOG.warn("Backtest undefined: {}. Scoring with {} trained on all examples, uncalibrated.", undefined,
            settings.candidates().get(0).label());
        ChurnModel model = ChurnModel.fit(data, columns, settings.candidates().get(0), false,
            Calibration.identity(), settings, runDate);
        return new Trained(model, results, results.get(0), undefined, null, "backtest undefined, first candidate",
            stats);
      }
      Verdict verdict = champion.map(ch -> challenge(data, plans, results, choice, columns, ch, settings, runDate))
          .orElse(new Verdict(best, columns, null, choice.describe(results.size()) + ", no champion yet"));
      rival = verdict.rival();
      RollingBacktest.Result winner = verdict.winner();
      String decision = verdict.decision();
      Calibration calibration = Calibration.fit(winner.predictions().orElseThrow(), ChurnPipeline.LABEL,
          ChurnModel.SCORE, settings.calibration());
      ChurnModel model = ChurnModel.fit(data, verdict.columns(), winner.candidate(), settings.balanceClasses(),
          calibration, settings, runDate);
      LOG.info("Chose {} (pooled backtest AUC {}; {}); calibration {}", winner.candidate().label(),
          String.format(Locale.ROOT, "%.3f", winner.auc()), decision, calibration.describe());
      return new Trained(model, results, winner, null, rival, decision, stats);
    } finally {
      results.forEach(RollingBacktest.Result::release);
      if (rival != null) {
        rival.release();
      }
      data.unpersist();
    }
  }

  /**
   * The challenge: the best challenger against the champion's recipe on the same folds.
   *
   * @param rival the champion's recipe's backtest when it had to be run (not one of the candidates)
   */
  private record Verdict(RollingBacktest.Result winner, ChurnModel.Columns columns, RollingBacktest.Result rival,
      String decision) {}

  private static Verdict challenge(Dataset<Row> data, List<RollingBacktest.Plan> plans,
      List<RollingBacktest.Result> results, Choice choice, ChurnModel.Columns columns, Champion ch,
      ChurnModelSettings settings, LocalDate runDate) {
    RollingBacktest.Result best = choice.chosen();
    String bestOf = choice.describe(results.size());
    List<String> present = List.of(data.columns());
    List<String> missing = Stream.concat(ch.columns().numeric().stream(), ch.columns().categorical().stream())
        .filter(c -> !present.contains(c)).toList();
    if (!missing.isEmpty()) {
      return new Verdict(best, columns, null, bestOf + "; champion " + ch.version()
          + " reads inputs tonight's examples lack (" + String.join(", ", missing) + ")");
    }
    RollingBacktest.Result rival = null;
    ChurnModel.Columns championColumns = columns;
    RollingBacktest.Result held = ch.columns().equals(columns) ? results.stream()
        .filter(r -> r.candidate().equals(ch.candidate())).findFirst().orElse(null) : null;
    if (held == null) {
      championColumns = ch.columns().populatedIn(data);
      rival = backtest(data, RollingBacktest.split(data, plans, championColumns, settings), ch.candidate(), settings,
          runDate);
      held = rival;
    }
    String versus = String.format(Locale.ROOT, "pooled AUC %.3f vs %.3f on the same folds, margin %.3f", best.auc(),
        held.auc(), ch.margin());
    if (held == best) {
      return new Verdict(best, columns, null, bestOf + ", the champion's recipe");
    }
    if (!held.pooled().ranks() || best.auc() >= held.auc() + ch.margin()) {
      return new Verdict(best, columns, rival, bestOf + "; beat champion " + ch.version() + "'s "
          + ch.candidate().label() + " (" + versus + ")");
    }
    return new Verdict(held, championColumns, rival, "champion " + ch.version() + "'s recipe, refitted: the best "
        + "challenger " + best.candidate().label() + " did not beat it (" + versus + ")");
  }

  /**
   * Every candidate's backtest, in the configured order. The blends are backtested last, so a blend
   * whose members are among the candidates is computed from their fold predictions wherever it is listed.
   */
  private static List<RollingBacktest.Result> backtestAll(Dataset<Row> data, List<RollingBacktest.Split> splits,
      ChurnModelSettings settings, LocalDate runDate) {
    List<Candidate> candidates = settings.candidates();
    RollingBacktest.Result[] results = new RollingBacktest.Result[candidates.size()];
    List<RollingBacktest.Result> done = new ArrayList<>();
    try {
      for (boolean blends : new boolean[] {false, true}) {
        for (int i = 0; i < candidates.size(); i++) {
          Candidate c = candidates.get(i);
          if (c.isBlend() == blends) {
            results[i] = blendOfBacktested(c, done, settings)
                .orElseGet(() -> backtest(data, splits, c, settings, runDate));
            done.add(results[i]);
          }
        }
      }
    } catch (RuntimeException e) {
      // The caller releases what it receives; a failed candidate leaves the others' cached folds here.
      done.forEach(RollingBacktest.Result::release);
      throw e;
    }
    return List.of(results);
  }

  /**
   * The chosen candidate: walking the list in its order of preference, a candidate that ranks takes
   * the place of the one chosen so far only when its pooled AUC is higher by more than the margin;
   * {@code passedOver} is the best-ranking candidate it kept out, if any.
   */
  record Choice(RollingBacktest.Result chosen, RollingBacktest.Result passedOver, double margin) {

    /** "best of N candidates", and which better-ranking one the margin kept out. */
    String describe(int candidates) {
      String bestOf = "best of " + candidates + " candidates";
      if (passedOver == null) {
        return bestOf;
      }
      return bestOf + String.format(Locale.ROOT, " (%s ranked %.4f vs %.4f, not more than model.choice-margin %.3f "
          + "better, and is listed after it)", passedOver.candidate().label(), passedOver.auc(), chosen.auc(), margin);
    }
  }

  static Choice choose(List<RollingBacktest.Result> results, double margin) {
    RollingBacktest.Result chosen = null;
    RollingBacktest.Result top = null;
    for (RollingBacktest.Result r : results) {
      if (!r.pooled().ranks()) {
        continue;
      }
      if (chosen == null || r.auc() > chosen.auc() + margin) {
        chosen = r;
      }
      if (top == null || r.auc() > top.auc()) {
        top = r;
      }
    }
    return new Choice(chosen, top == chosen ? null : top, margin);
  }

  /**
   * A blend whose two members were backtested before it (same hyper-parameters) is backtested from
   * their fold predictions, without fitting anything again.
   */
  private static Optional<RollingBacktest.Result> blendOfBacktested(Candidate c, List<RollingBacktest.Result> done,
      ChurnModelSettings settings) {
    if (!c.isBlend()) {
      return Optional.empty();
    }
    Optional<RollingBacktest.Result> trees = done.stream().filter(r -> r.candidate().equals(c.treeMember()))
        .findFirst();
    Optional<RollingBacktest.Result> linear = done.stream().filter(r -> r.candidate().equals(c.linearMember()))
        .findFirst();
    if (trees.isEmpty() || linear.isEmpty()) {
      return Optional.empty();
    }
    RollingBacktest.Result r = RollingBacktest.blended(c, trees.get(), linear.get(), settings);
    LOG.info(String.format(Locale.ROOT, "Backtest %s: pooled AUC %.3f over %d of %d folds (the mean of its members' "
        + "fold predictions)", c.label(), r.auc(), r.usableFolds(), r.folds().size()));
    return Optional.of(r);
  }

  private static RollingBacktest.Result backtest(Dataset<Row> data, List<RollingBacktest.Split> splits, Candidate c,
      ChurnModelSettings settings, LocalDate runDate) {
    long t = System.nanoTime();
    RollingBacktest.Result r = RollingBacktest.run(data, splits, c, settings, runDate);
    LOG.info(String.format(Locale.ROOT, "Backtest %s: pooled AUC %.3f over %d of %d folds (%.0f s)", c.label(),
        r.auc(), r.usableFolds(), splits.size(), (System.nanoTime() - t) / 1e9));
    return r;
  }

  /** Counts and fingerprint of the examples (one aggregate). */
  private static TrainingData stats(Dataset<Row> data, ChurnModel.Columns columns, List<LocalDate> asOfDates) {
    List<Column> hashed = new ArrayList<>(List.of(col("account_id"), col("as_of_date"), col("churned")));
    columns.numeric().forEach(c -> hashed.add(col(c)));
    columns.categorical().forEach(c -> hashed.add(col(c)));
    Row r = data.agg(count(lit(1)), count(when(col("churned"), 1)),
        coalesce(sum(hash(hashed.toArray(new Column[0])).cast("long")), lit(0L))).first();
    return new TrainingData(asOfDates.get(0), asOfDates.get(asOfDates.size() - 1), r.getLong(0), r.getLong(1),
        Long.toHexString(r.getLong(2) * 31 + r.getLong(0)));
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
