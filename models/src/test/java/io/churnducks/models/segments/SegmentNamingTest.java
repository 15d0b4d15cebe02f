package io.churnducks.models.segments;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentNamingTest {

  private static final List<String> INDICATORS = List.of("devices_per_user_28d", "seats", "tickets_90d", "last_nps",
      "events_28d");

  private static final List<SegmentNaming.Rule> RULES = List.of(
      rule("Seat Sharers", "devices_per_user_28d high", "seats low"),
      rule("Support Heavy", "tickets_90d high"),
      rule("Quiet Loyalists", "events_28d low", "tickets_90d low"));

  private static SegmentNaming.Rule rule(String name, String... when) {
    return new SegmentNaming.Rule(name, List.of(when).stream().map(SegmentNaming.Condition::parse).toList(),
        "play for " + name);
  }

  /** Centres (rows) in standard deviations on INDICATORS. */
  private static SegmentProfile profile(double[]... z) {
    double[][] mean = new double[z.length][INDICATORS.size()];
    return new SegmentProfile(INDICATORS, new long[z.length], z, mean, new double[INDICATORS.size()]);
  }

  private static List<Optional<String[]>> nothingKept(int k) {
    return java.util.Collections.nCopies(k, Optional.empty());
  }

  @Test
  void aRuleNamesOnlyASegmentDistinctiveOnEveryConditionElseTheTopTwoIndicatorsDo() {
    SegmentProfile p = profile(
        new double[] {2.0, -1.2, 0.1, 0.0, 0.3},    // many devices per login, few seats
        new double[] {2.0, 0.3, 0.1, 0.0, 0.3},     // many devices, but not few seats: not seat sharers
        new double[] {0.0, 0.1, 1.8, -1.1, 0.0},    // tickets high, NPS low
        new double[] {0.1, 0.0, 0.2, 0.1, -0.2});   // nothing stands out
    SegmentNaming.Names n = SegmentNaming.name(p, new int[] {0, 1, 2, 3}, nothingKept(4), RULES, 0.5, Map.of());
    assertArrayEquals(new String[] {"Seat Sharers", "Shared Logins", "Support Heavy", SegmentNaming.TYPICAL},
        n.names());
    assertArrayEquals(new String[] {"rulebook", "generated", "rulebook", "generated"}, n.origins());
    assertEquals("play for Support Heavy", n.plays()[2]);
    assertNull(n.plays()[1]);
    assertEquals("devices_per_user_28d high +2.0 sd (0.00 vs 0.00); seats low -1.2 sd (0.00 vs 0.00)",
        n.evidence()[0]);
  }

  @Test
  void aGeneratedNameTakesTwoDifferentWordsAndNeverCallsAnAverageAgeSegmentOnboarders() {
    // Low on two onboarding indicators (one word), then on active days; average tenure.
    List<String> indicators = List.of("early_events_14d", "early_features_14d", "active_days_28d", "events_28d",
        "tenure_days");
    SegmentProfile p = new SegmentProfile(indicators, new long[1], new double[][] {{-1.1, -1.1, -1.0, -0.9, 0.0}},
        new double[1][5], new double[5]);
    SegmentNaming.Names n = SegmentNaming.name(p, new int[] {0}, nothingKept(1), RULES, 0.5, Map.of());
    assertEquals("Slow Starters & Occasional Visitors", n.names()[0]);
    assertEquals("generated", n.origins()[0]);
    assertTrue(n.evidence()[0].startsWith("early_events_14d low -1.1 sd") && n.evidence()[0].contains(
        "; active_days_28d low -1.0 sd") && !n.evidence()[0].contains("early_features_14d"), n.evidence()[0]);
  }

  @Test
  void eachRuleNamesOneSegmentTheBestSupportedFirst() {
    SegmentProfile p = profile(new double[] {0, 0, 0.9, 0, 0}, new double[] {0, 0, 2.5, -0.8, 0});
    SegmentNaming.Names n = SegmentNaming.name(p, new int[] {0, 1}, nothingKept(2), RULES, 0.5, Map.of());
    assertEquals("Support Heavy", n.names()[1]);
    assertEquals("Support Heavy 2", n.names()[0], "the generated name of the weaker one is made unique");
  }

  @Test
  void aKeptNameStaysWhileItsEvidenceHoldsAndOverridesWin() {
    SegmentProfile p = profile(new double[] {0, 0, 0.2, 0, 0}, new double[] {0, 0, -0.9, 0, -1.5});
    List<Optional<String[]>> kept = List.of(
        Optional.of(new String[] {"Support Heavy", "tickets_90d high +1.9 sd (5 vs 1)"}),
        Optional.of(new String[] {"Quiet Loyalists", "events_28d low -1.4 sd (3 vs 9); tickets_90d low -0.8 sd (0 vs 1)"}));
    SegmentNaming.Names n = SegmentNaming.name(p, new int[] {4, 7}, kept, RULES, 0.5, Map.of(7, "The Quiet Ones"));
    // Segment 4's tickets are no longer high: it loses the name; segment 7 keeps its name, then is overridden.
    assertEquals(SegmentNaming.TYPICAL, n.names()[0]);
    assertEquals("The Quiet Ones", n.names()[1]);
    assertArrayEquals(new String[] {"generated", "override"}, n.origins());
    assertEquals("events_28d low -1.5 sd (0.00 vs 0.00); tickets_90d low -0.9 sd (0.00 vs 0.00)", n.evidence()[1]);
  }

  @Test
  void aConditionMustSayHighOrLow() {
    assertThrows(IllegalArgumentException.class, () -> SegmentNaming.Condition.parse("seats many"));
  }
}
