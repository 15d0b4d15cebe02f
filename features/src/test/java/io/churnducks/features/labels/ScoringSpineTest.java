package io.churnducks.features.labels;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who is scored on the run date D = 2024-06-01: the accounts active on D (start_date &lt;= D &lt;
 * end_date, the one definition labels use too) and the lapsed ones, whose last subscription ended
 * at most the 30-day grace period before D and which have not churned yet.
 */
class ScoringSpineTest extends SparkTestBase {

  private static final LocalDate D = LocalDate.parse("2024-06-01");
  private static final int GRACE = 30;
  private static final int HORIZON = 90;

  private static final StructType SUBS = new StructType()
      .add("subscription_id", DataTypes.StringType)
      .add("account_id", DataTypes.StringType)
      .add("start_date", DataTypes.DateType)
      .add("end_date", DataTypes.DateType)
      .add("mrr", DataTypes.DoubleType);

  private static Object[] sub(String id, String account, String start, String end) {
    return new Object[] {id, account, d(start), end == null ? null : d(end), 10.0};
  }

  private static Dataset<Row> story() {
    return frame(SUBS,
        sub("s1", "starts-on-d", "2024-06-01", null),
        sub("s2", "ends-on-d", "2024-01-01", "2024-06-01"),
        sub("s3", "covers-d", "2024-01-01", "2024-06-02"),
        sub("s4", "lapsed", "2024-01-01", "2024-05-20"),
        sub("s5", "grace-ends-today", "2024-01-01", "2024-05-02"), // D - 30: a restart today is still a renewal
        sub("s6", "churned", "2024-01-01", "2024-05-01"),          // D - 31: churn confirmed
        sub("s7", "restarted", "2024-01-01", "2024-05-20"),
        sub("s8", "restarted", "2024-05-25", null),
        sub("s9", "back-on-d", "2024-01-01", "2024-05-10"),
        sub("s10", "back-on-d", "2024-06-01", null),
        sub("s11", "starts-later", "2024-06-02", null),            // not known on D
        sub("s12", "plan-change-on-d", "2024-01-01", "2024-06-01"),
        sub("s13", "plan-change-on-d", "2024-06-01", null));
  }

  private static Object[] scored(String account, boolean lapsed) {
    return new Object[] {account, d("2024-06-01"), lapsed};
  }

  @Test
  void activeAndLapsedAccountsAreScoredAndOnlyLapsedOnesAreFlagged() {
    Dataset<Row> spine = SubscriptionTimeline.scoringSpine(story(), D, GRACE);

    assertFramesEqual(frame(spine.schema(),
            scored("starts-on-d", false),
            scored("covers-d", false),
            scored("restarted", false),
            scored("back-on-d", false),
            scored("plan-change-on-d", false),
            scored("ends-on-d", true),          // end is exclusive: not active on D, lapsed 0 days ago
            scored("lapsed", true),
            scored("grace-ends-today", true)),
        spine);
    assertEquals(List.of("account_id", "as_of_date", "lapsed"), List.of(spine.schema().fieldNames()));
  }

  @Test
  void theActivePartOfTheSpineIsWhatLabelsTakeAsExamplesOnThatDate() {
    Dataset<Row> active = SubscriptionTimeline.scoringSpine(story(), D, GRACE)
        .where(col("lapsed").equalTo(false)).select("account_id", "as_of_date");
    Dataset<Row> asOfD = AsOfCalendar.frame(spark(), List.of(D));
    // Labelled much later: the as-of date is fully observed, every end before the run date known.
    Dataset<Row> examples = ChurnLabeler.label(story(), asOfD, D.plusDays(200), HORIZON, GRACE)
        .select("account_id", "as_of_date");
    Dataset<Row> activeKnownOnD = SubscriptionTimeline.activeOn(SubscriptionTimeline.knownAt(story(), D), asOfD);

    assertFramesEqual(examples, active);
    assertFramesEqual(examples, activeKnownOnD);
  }

  @Test
  void lapsedAccountsAreExactlyThoseWhoseChurnIsNotConfirmedYet() {
    Dataset<Row> churnedByD = ChurnLabeler.churnEvents(story(), D, GRACE).select("account_id");
    Dataset<Row> lapsed = SubscriptionTimeline.scoringSpine(story(), D, GRACE)
        .where(col("lapsed")).select("account_id");
    // Once the grace period has passed for all of them without a restart, each lapse is a churn.
    Dataset<Row> churnedLater = ChurnLabeler.churnEvents(story(), D.plusDays(GRACE + 1), GRACE).select("account_id");

    assertFramesEqual(frame(churnedByD.schema(), new Object[] {"churned"}), churnedByD);
    assertEquals(0, lapsed.intersect(churnedByD).count());
    assertEquals(3, lapsed.count());
    assertEquals(0, lapsed.except(churnedLater).count(), "every lapsed account churns if nothing restarts");
  }

  @Test
  void aNegativeGracePeriodIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SubscriptionTimeline.scoringSpine(story(), D, -1));
    assertTrue(e.getMessage().startsWith("Cannot build the scoring spine for 2024-06-01: grace period -1 days"),
        e.getMessage());
  }
}
