package io.churnducks.jobs.rollup;

import io.churnducks.features.contract.SourceMapping;
import io.churnducks.jobs.config.SourceSettings;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The roll-up's settings: its log's fingerprint follows any change that would read the same files
 * differently, and a configured intent event that no event carries is reported with the look-alikes.
 */
class RollupSettingsTest {

  private static final UsageRollupStage.Settings SETTINGS = new UsageRollupStage.Settings(3, 60,
      List.of("pricing_page"), 0.05);

  @Test
  void aCorrectedReaderOptionRollsEveryDateUpAgain() {
    String semicolons = UsageRollupStage.fingerprint(source(Map.of("header", "true", "sep", ";")), SETTINGS);
    assertNotEquals(UsageRollupStage.fingerprint(source(Map.of("header", "true")), SETTINGS), semicolons);
    assertEquals(semicolons, UsageRollupStage.fingerprint(source(new java.util.TreeMap<>(Map.of("sep", ";",
        "header", "true"))), SETTINGS));
  }

  @Test
  void intentEventsAreInIt() {
    assertNotEquals(UsageRollupStage.fingerprint(source(Map.of()), SETTINGS), UsageRollupStage.fingerprint(
        source(Map.of()), new UsageRollupStage.Settings(3, 60, List.of("pricing_page", "upgrade_click"), 0.05)));
  }

  @Test
  void configuredIntentEventsNoEventCarriesAreNamedWithTheirLookAlikes() {
    assertEquals(java.util.Optional.of("no usage event is of the configured intent/error feature(s) [pricing_page] "
            + "(the source has [Viewed Pricing Page, pricing-page]): names must match exactly; set "
            + "rollup.intent-features / rollup.error-features to the source's names"),
        UsageRollupStage.unseenFeatures(List.of("pricing_page", "upgrade_click"),
            java.util.Set.of("Viewed Pricing Page", "pricing-page", "upgrade_click", "reports")));
    assertEquals(java.util.Optional.empty(), UsageRollupStage.unseenFeatures(List.of("upgrade_click"),
        java.util.Set.of("upgrade_click", "reports")));
  }

  private static SourceSettings source(Map<String, String> options) {
    return new SourceSettings("usage_events", "csv", "/data/events", null, null, null, null, options,
        SourceMapping.identity("usage_events"), null);
  }
}
