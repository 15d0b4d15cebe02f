package io.churnducks.models.groups;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Indicators that move together form a named group; unrelated and constant ones stay alone. */
class BehaviouralGroupsTest extends SparkTestBase {

  @Test
  void averageLinkageMergesOnlyWhatIsCorrelatedOnAverage() {
    // 0-1 strongly alike, 2 alike to 0 and 1 on average (0.7, 0.6), 3 alone.
    double[][] s = {
        {1.0, 0.9, 0.7, 0.1},
        {0.9, 1.0, 0.6, 0.0},
        {0.7, 0.6, 1.0, 0.2},
        {0.1, 0.0, 0.2, 1.0}};
    assertEquals(List.of(List.of(0, 1, 2), List.of(3)), BehaviouralGroups.cluster(s));
  }

  @Test
  void aBehaviourSeenThreeWaysIsOneGroupNamedAfterItsMostCentralMembers() {
    SplittableRandom rng = new SplittableRandom(3);
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      double activity = rng.nextDouble() * 100;
      rows.add(new Object[] {activity * (1 + 0.1 * rng.nextGaussian()), Math.sqrt(activity) + 0.2 * rng.nextGaussian(),
          activity / 10 + rng.nextGaussian(), rng.nextGaussian(), 1.0});
    }
    StructType schema = new StructType().add("events", DataTypes.DoubleType).add("days", DataTypes.DoubleType)
        .add("users", DataTypes.DoubleType).add("nps", DataTypes.DoubleType).add("constant", DataTypes.DoubleType);

    Map<String, String> groups = BehaviouralGroups.of(frame(schema, rows.toArray(Object[][]::new)),
        List.of("events", "days", "users", "nps", "constant"));

    assertEquals(3, groups.size(), groups.toString());
    String name = groups.get("events");
    assertEquals(name, groups.get("days"));
    assertEquals(name, groups.get("users"));
    assertEquals(true, name.endsWith(" (+1)") && name.contains(" & "), name);
  }
}
