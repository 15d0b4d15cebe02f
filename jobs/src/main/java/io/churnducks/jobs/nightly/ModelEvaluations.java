package io.churnducks.jobs.nightly;

import io.churnducks.features.contract.Schemas;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/** The {@code model_evaluations} table: one row per model trained in a run, with its backtest. */
public final class ModelEvaluations {

  private ModelEvaluations() {}

  public static final StructType SCHEMA = new StructType(new StructField[] {
      field("model_version", StringType, "Identifier of the model (as in churn_scores)."),
      field("model_type", StringType, "Algorithm."),
      field("backtest_auc", DoubleType, "ROC AUC on the held-out latest as-of dates."),
      field("train_examples", LongType, "Examples the backtest model was trained on."),
      field("test_examples", LongType, "Held-out examples."),
      field("test_churn_rate", DoubleType, "Share of held-out examples that churned within the horizon."),
      field("final_examples", LongType, "Examples the scoring model was trained on (all fully observed dates)."),
      field("train_from", DateType, "First as-of date used to train."),
      field("test_from", DateType, "First held-out as-of date."),
      field("test_to", DateType, "Last held-out as-of date."),
  });

  private static StructField field(String name, DataType type, String comment) {
    return Schemas.field(name, type, true, comment);
  }
}
