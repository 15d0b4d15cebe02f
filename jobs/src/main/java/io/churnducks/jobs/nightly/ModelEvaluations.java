package io.churnducks.jobs.nightly;

import io.churnducks.features.contract.Schemas;
import io.churnducks.models.churn.BinaryMetrics;
import io.churnducks.models.churn.ChurnTraining;
import io.churnducks.models.churn.RollingBacktest;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * The {@code model_evaluations} table: for every candidate tried in a run, one row per backtest
 * fold, one for the folds pooled and one for the pooled folds after calibration; plus one
 * {@code final} row for the model that scored the run.
 */
public final class ModelEvaluations {

  private ModelEvaluations() {}

  /** Values of the {@code evaluation} column. */
  public static final String FOLD = "fold";
  public static final String POOLED = "pooled";
  public static final String CALIBRATED = "calibrated";
  public static final String FINAL = "final";

  private static final StructType BIN = new StructType(new StructField[] {
      field("bin", IntegerType, "Probability bin: 0 = [0, 0.1), …, 9 = [0.9, 1]."),
      field("examples", LongType, "Examples in the bin."),
      field("mean_probability", DoubleType, "Their mean predicted probability."),
      field("churn_rate", DoubleType, "Their observed churn rate."),
  });

  private static final StructType LIFT = new StructType(new StructField[] {
      field("decile", IntegerType, "1 = the riskiest 10 % of the tested examples by score, …, 10 = all of them."),
      field("examples", LongType, "Examples in that riskiest share."),
      field("churners", DoubleType, "Churners among them (ties at the cut share the places left)."),
      field("lift", DoubleType, "Their churn rate ÷ the overall churn rate (cumulative lift)."),
      field("recall", DoubleType, "Their share of all churners (cumulative gains)."),
  });

  public static final StructType SCHEMA = new StructType(new StructField[] {
      field("model_version", StringType, "The model that scored the run (as in churn_scores)."),
      field("candidate", StringType, "The candidate this row evaluates, e.g. gbt(depth 3, 100 trees, step 0.1); "
          + "\"champion's recipe: …\" for the champion's candidate and inputs when they are not among tonight's."),
      field("model_type", StringType, "logistic-regression, gradient-boosted-trees, xgboost, blend or xgboost-blend."),
      field("chosen", BooleanType, "True for the candidate that scored the run (best pooled backtest AUC, but a "
          + "candidate listed later must beat an earlier one by model.choice-margin, and a challenger the champion's "
          + "recipe by model.promotion-margin)."),
      field("evaluation", StringType, "fold (one test as-of date), pooled (all usable folds), calibrated (pooled, "
          + "each fold calibrated on the folds before it) or final (the scoring model, trained on every example)."),
      field("test_from", DateType, "First tested as-of date."),
      field("test_to", DateType, "Last tested as-of date."),
      field("train_from", DateType, "First as-of date trained on."),
      field("train_to", DateType, "Last as-of date trained on (its horizon ended before the test date)."),
      field("train_examples", LongType, "Examples trained on (fold and final rows)."),
      field("test_examples", LongType, "Examples tested."),
      field("churn_rate", DoubleType, "Share of tested examples that churned within the horizon."),
      field("roc_auc", DoubleType, "ROC AUC (null when the tested examples hold one class)."),
      field("pr_auc", DoubleType, "Area under the precision-recall curve."),
      field("log_loss", DoubleType, "Mean negative log-likelihood."),
      field("brier", DoubleType, "Mean squared error of the probability."),
      field("ece", DoubleType, "Expected calibration error over 10 probability bins."),
      field("top_decile_lift", DoubleType, "Churn rate of the riskiest 10 % ÷ the overall churn rate."),
      field("top_decile_recall", DoubleType, "Share of churners among the riskiest 10 %."),
      field("skipped_reason", StringType, "Why a fold was not evaluated (null when it was)."),
      field("calibration", StringType, "The calibration applied to the final model's score (final row)."),
      field("calibration_curve", DataTypes.createArrayType(BIN), "Mean probability and churn rate per bin."),
      field("lift_curve", DataTypes.createArrayType(LIFT), "Cumulative lift and gains of the riskiest 10 %, 20 %, "
          + "…, 100 % (null without churners)."),
  });

  /**
   * One line for the summary, the manifest and the model card: the chosen candidate and its pooled
   * backtest, or why the backtest is undefined.
   */
  public static String describe(ChurnTraining.Trained t) {
    String chosen = t.model().candidate().label();
    if (t.undefined() != null) {
      return chosen + "; backtest undefined: " + t.undefined();
    }
    RollingBacktest.Result c = t.chosen();
    List<LocalDate> tested = c.folds().stream().filter(RollingBacktest.Fold::usable).map(f -> f.plan().testDate())
        .toList();
    BinaryMetrics pooled = c.pooled();
    double ece = c.calibrated().ece();
    return String.format(Locale.ROOT, "%s (%s); pooled backtest AUC %.3f over %d of %d folds "
            + "(%s..%s, %,d examples, churn rate %.1f%%), top-decile lift %.2f, calibrated ECE %s",
        chosen, t.decision(), pooled.auc(), tested.size(), c.folds().size(), tested.get(0),
        tested.get(tested.size() - 1), pooled.examples(), 100 * pooled.churnRate(), pooled.topDecileLift(),
        Double.isNaN(ece) ? "undefined (needs two usable folds)" : String.format(Locale.ROOT, "%.3f", ece));
  }

  /**
   * A champion's rows as stored for an earlier run date, in today's columns: a column added since
   * (such as {@code lift_curve}) is null in rows written before it existed.
   */
  public static Dataset<Row> upgraded(Dataset<Row> stored) {
    List<String> present = List.of(stored.columns());
    List<Column> cols = new ArrayList<>();
    for (StructField f : SCHEMA.fields()) {
      cols.add(present.contains(f.name()) ? functions.col(f.name()) : functions.lit(null).cast(f.dataType()).as(f.name()));
    }
    return stored.select(cols.toArray(new Column[0]));
  }

  /** Every row of one run's training. */
  public static List<Row> rows(ChurnTraining.Trained t, long finalExamples, List<LocalDate> asOfDates) {
    String version = t.model().version();
    List<Row> rows = new ArrayList<>();
    List<RollingBacktest.Result> evaluated = new ArrayList<>(t.backtests());
    if (t.champion() != null) {
      evaluated.add(t.champion());
    }
    for (RollingBacktest.Result r : evaluated) {
      boolean chosen = r == t.chosen();
      String candidate = r == t.champion() ? "champion's recipe: " + r.candidate().label() : r.candidate().label();
      String type = r.candidate().type();
      List<RollingBacktest.Fold> usable = r.folds().stream().filter(RollingBacktest.Fold::usable).toList();
      for (RollingBacktest.Fold f : r.folds()) {
        List<LocalDate> train = f.plan().trainDates();
        rows.add(row(version, candidate, type, chosen, FOLD, f.plan().testDate(), f.plan().testDate(),
            train.isEmpty() ? null : train.get(0), train.isEmpty() ? null : train.get(train.size() - 1),
            f.usable() || f.trainExamples() > 0 ? f.trainExamples() : null, f.metrics(), f.skipped(), null));
      }
      LocalDate from = usable.isEmpty() ? null : usable.get(0).plan().testDate();
      LocalDate to = usable.isEmpty() ? null : usable.get(usable.size() - 1).plan().testDate();
      String none = usable.isEmpty() ? "no usable fold" : null;
      rows.add(row(version, candidate, type, chosen, POOLED, from, to, null, null, null, r.pooled(), none, null));
      rows.add(row(version, candidate, type, chosen, CALIBRATED, usable.size() < 2 ? null : usable.get(1).plan().testDate(),
          to, null, null, null, r.calibrated(), usable.size() < 2 ? "needs two usable folds" : null, null));
    }
    rows.add(row(version, t.model().candidate().label(), t.model().candidate().type(), true, FINAL, null, null,
        asOfDates.get(0), asOfDates.get(asOfDates.size() - 1), finalExamples, null, t.undefined(),
        t.model().calibration().describe()));
    return rows;
  }

  private static Row row(String version, String candidate, String type, boolean chosen, String evaluation,
      LocalDate testFrom, LocalDate testTo, LocalDate trainFrom, LocalDate trainTo, Long trainExamples,
      BinaryMetrics m, String skipped, String calibration) {
    List<Row> curve = m == null ? null : m.calibration().stream()
        .map(b -> RowFactory.create(b.bin(), b.examples(), b.meanProbability(), b.churnRate())).toList();
    List<Row> lift = m == null || m.lift().isEmpty() ? null : m.lift().stream()
        .map(p -> RowFactory.create(p.decile(), p.examples(), p.churners(), num(p.lift()), p.recall())).toList();
    return RowFactory.create(version, candidate, type, chosen, evaluation, date(testFrom), date(testTo),
        date(trainFrom), date(trainTo), trainExamples,
        m == null || m.examples() == 0 ? null : m.examples(), m == null ? null : num(m.churnRate()),
        m == null ? null : num(m.auc()), m == null ? null : num(m.prAuc()), m == null ? null : num(m.logLoss()),
        m == null ? null : num(m.brier()), m == null ? null : num(m.ece()), m == null ? null : num(m.topDecileLift()),
        m == null ? null : num(m.topDecileRecall()), skipped, calibration,
        curve, lift);
  }

  private static Double num(double v) {
    return Double.isNaN(v) ? null : v;
  }

  private static Date date(LocalDate d) {
    return d == null ? null : Date.valueOf(d);
  }

  private static StructField field(String name, DataType type, String comment) {
    return Schemas.field(name, type, true, comment);
  }
}
