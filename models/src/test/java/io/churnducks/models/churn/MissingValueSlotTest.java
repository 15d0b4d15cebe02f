package io.churnducks.models.churn;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A missing value is information: here customers who never answered the survey churn eight times
 * as often as those who did, whatever they answered. Imputing the median alone would make a
 * missing answer look like a middling one; the model's own missing slot lets it rank them, while
 * "no answer" never becomes a worded reason and an answered account's score still reads its answer.
 */
class MissingValueSlotTest extends SparkTestBase {

  private static final ChurnModelSettings SETTINGS = new ChurnModelSettings(90, 30, 12, 3,
      List.of(Candidate.logisticRegression(0.01, 0.0)), Calibration.NONE, false, 0.30, 0.15, 3, 30);

  @Test
  void anIndicatorMissingInTrainingGetsASlotThatRanksTheMissingAndIsNoReason() {
    Dataset<Row> examples = spark().range(0, 4000, 1, 2).select(
            expr("concat('A', id)").as("account_id"),
            expr("CASE WHEN id % 4 = 0 THEN NULL ELSE CAST(id % 11 AS INT) END").as("last_nps"),
            expr("50.0 + id % 7").as("mrr"))
        .withColumn("churned", expr("rand(3) < CASE WHEN last_nps IS NULL THEN 0.4 ELSE 0.05 END"))
        .cache();
    ChurnModel.Columns columns = new ChurnModel.Columns(List.of("last_nps", "mrr"), List.of(), List.of());

    assertEquals(List.of("last_nps"), ChurnModel.withMissing(examples, columns.numeric()), "mrr is never missing");
    ChurnModel model = ChurnModel.fit(examples, columns, SETTINGS.candidates().get(0), false,
        Calibration.identity(), SETTINGS, LocalDate.of(2025, 1, 1));
    Dataset<Row> scores = model.score(examples).join(examples.select("account_id", "last_nps"), "account_id").cache();

    double missing = scores.where(col("last_nps").isNull()).agg(avg("churn_probability")).first().getDouble(0);
    double answered = scores.where(col("last_nps").isNotNull()).agg(avg("churn_probability")).first().getDouble(0);
    assertTrue(missing > 4 * answered, "missing answers rank higher: " + missing + " vs " + answered);
    List<Row> noAnswer = scores.where(col("last_nps").isNull()).select("reason_codes").collectAsList();
    assertFalse(noAnswer.stream()
            .anyMatch(r -> r.getList(0).stream().anyMatch(c -> c.toString().startsWith("last_nps"))),
        "no account is told its missing answer as a reason");
  }
}
