package io.churnducks.features.indicators;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SupportIndicatorsTest extends SparkTestBase {

  @Test
  void aRatingGivenOnOrAfterTheAsOfDateIsNotYetKnown() {
    var spine = frame(new StructType().add("account_id", DataTypes.StringType).add("as_of_date", DataTypes.DateType),
        new Object[] {"a1", d("2024-04-01")});
    var tickets = frame(InputContract.SUPPORT_TICKETS.schema(),
        new Object[] {"t1", "a1", ts("2024-03-20T10:00:00"), ts("2024-03-21T10:00:00"), "high", "bug", 5},
        // opened before the as-of date, rated when closed after it
        new Object[] {"t2", "a1", ts("2024-03-30T10:00:00"), ts("2024-04-02T10:00:00"), "high", "bug", 1},
        new Object[] {"t3", "a1", ts("2024-03-31T10:00:00"), null, "low", "question", null});
    Row r = SupportIndicators.apply(spine, tickets).first();
    assertEquals(3L, r.getLong(r.fieldIndex("tickets_90d")));
    assertEquals(5.0, r.getDouble(r.fieldIndex("avg_csat_90d")));
  }
}
