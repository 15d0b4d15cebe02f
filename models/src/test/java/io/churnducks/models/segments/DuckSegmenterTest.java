package io.churnducks.models.segments;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DuckSegmenterTest extends SparkTestBase {

  private static final List<String> INDICATORS = List.of("events_28d", "tickets_90d", "discount_pct");

  /** Three planted groups: heavy users, ticket-heavy accounts, discounted accounts. */
  private static Dataset<Row> planted() {
    return spark().range(0, 300, 1, 2).select(
        expr("concat('A', id)").as("account_id"),
        expr("CASE id % 3 WHEN 0 THEN 'power' WHEN 1 THEN 'support' ELSE 'discount' END").as("planted"),
        expr("CASE id % 3 WHEN 0 THEN 400 + 20 * rand(1) ELSE 40 + 10 * rand(2) END").as("events_28d"),
        expr("CASE id % 3 WHEN 1 THEN 12 + floor(3 * rand(3)) ELSE floor(2 * rand(4)) END").as("tickets_90d"),
        expr("CASE id % 3 WHEN 2 THEN 40 + 10 * rand(5) ELSE 0.0 END").as("discount_pct"));
  }

  @Test
  void plantedGroupsComeBackNamedForWhatDistinguishesThem() {
    Dataset<Row> features = planted();
    DuckSegmenter.Segments s = DuckSegmenter.fit(features, new SegmentSettings(INDICATORS, List.of("events_28d"), 3, 42));
    Dataset<Row> assigned = s.assign(features).join(features, "account_id");
    // Every planted group maps to exactly one segment, and the segment's name says what it is.
    Map<String, String> nameOf = assigned.groupBy("planted")
        .agg(expr("count(DISTINCT segment_name)").as("names"), first("segment_name").as("name"))
        .where(col("names").equalTo(1)).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), r -> r.getString(2)));
    assertEquals(Map.of("power", "Power Users", "support", "Support Heavy", "discount", "Discount Hunters"), nameOf);
  }

  @Test
  void theSameDataAndSeedGiveTheSameSegments() {
    Dataset<Row> features = planted();
    SegmentSettings settings = new SegmentSettings(INDICATORS, List.of(), 3, 7);
    Dataset<Row> a = DuckSegmenter.fit(features, settings).assign(features);
    Dataset<Row> b = DuckSegmenter.fit(features, settings).assign(features);
    assertEquals(0, a.except(b).count());
    assertEquals(300, a.groupBy().agg(count(lit(1))).first().getLong(0));
  }

  @Test
  void namesAreUniqueAndTheMostDistinctiveCentreChoosesFirst() {
    Vector[] centres = {
        Vectors.dense(0.5, 0.1, 0.0),   // mildly heavy usage
        Vectors.dense(2.5, 0.0, 0.0),   // far heavier usage: gets "Power Users"
        Vectors.dense(-0.2, 0.1, 0.05),
    };
    DuckSegmenter.Segments s = DuckSegmenter.name(null, centres, INDICATORS);
    assertEquals("Power Users", s.names().get(1));
    assertEquals("Support Heavy", s.names().get(0), "the next most distinctive unused word");
    assertEquals(3, new HashSet<>(s.names()).size());
    assertEquals("events_28d +2.5 sd", s.evidence().get(1));
  }

  @Test
  void settingsRejectTooFewSegmentsAndUnknownLogColumns() {
    assertThrows(IllegalArgumentException.class, () -> new SegmentSettings(INDICATORS, List.of(), 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new SegmentSettings(INDICATORS, List.of("mrr"), 3, 1));
  }
}
