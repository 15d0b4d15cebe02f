package io.churnducks.models.segments;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AdjustedRandIndexTest extends SparkTestBase {

  private static final StructType SCHEMA = new StructType().add("a", DataTypes.StringType).add("b", DataTypes.StringType);

  @Test
  void identicalGroupingsScoreOneWhateverTheLabelsAndAHandComputedCaseMatches() {
    Dataset<Row> same = frame(SCHEMA, new Object[] {"x", "1"}, new Object[] {"x", "1"}, new Object[] {"y", "2"},
        new Object[] {"y", "2"});
    assertEquals(1.0, AdjustedRandIndex.of(same, "a", "b"), 1e-12);
    // Contingency [[2,1],[0,2]]: pairs within cells 1+0+0+1 = 2; rows 3 and 2 give 3+1 = 4; columns 2 and 3
    // give 1+3 = 4; expected 4*4/10 = 1.6; ARI = (2-1.6)/(4-1.6) = 1/6.
    Dataset<Row> mixed = frame(SCHEMA, new Object[] {"x", "1"}, new Object[] {"x", "1"}, new Object[] {"x", "2"},
        new Object[] {"y", "2"}, new Object[] {"y", "2"});
    assertEquals(1.0 / 6, AdjustedRandIndex.of(mixed, "a", "b"), 1e-12);
  }
}
