package io.churnducks.features.indicators;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed catalogue document is the one the declarations generate; every declaration is complete. */
class IndicatorCatalogueTest {

  @Test
  void docsIndicatorsMdIsUpToDate() throws IOException {
    Path doc = Path.of("..").resolve(IndicatorCatalogue.PATH);
    assertTrue(Files.exists(doc), doc.toAbsolutePath() + " is missing: run bin/churn docs");
    assertEquals(IndicatorCatalogue.markdown(), Files.readString(doc, StandardCharsets.UTF_8),
        IndicatorCatalogue.PATH + " is stale: run bin/churn docs and commit the result");
  }

  @Test
  void everyIndicatorIsDeclaredOnceWithUnitWindowAndDescription() {
    Set<String> names = new HashSet<>();
    for (CustomerFeatures.Indicator i : CustomerFeatures.COLUMNS) {
      assertTrue(names.add(i.name()), "declared twice: " + i.name());
      assertTrue(!i.unit().isBlank() && !i.window().isBlank() && (i.doc().endsWith(".") || i.doc().endsWith(")")),
          "incomplete declaration: " + i);
    }
  }
}
