package io.churnducks.jobs.generate;

import java.time.LocalDate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one {@link SampleDataGenerator#run} wrote.
 *
 * @param cutoff          extract cutoff: sources hold only data strictly before it (except the
 *                        injected {@code after_cutoff} rows)
 * @param rowsPerSource   rows written per source directory (e.g. {@code product_events}),
 *                        injected rows included, in source order
 * @param injectedPerRule injected contract violations per {@code "<source directory>/<rule>"}
 *                        (e.g. {@code product_events/duplicate_key}); every pair the generator
 *                        knows is present, with 0 when the sources are clean
 */
public record GenerationSummary(
    LocalDate cutoff,
    Map<String, Long> rowsPerSource,
    Map<String, Long> injectedPerRule) {

  /** Copies both maps, keeping their order, into unmodifiable maps. */
  public GenerationSummary {
    rowsPerSource = Collections.unmodifiableMap(new LinkedHashMap<>(rowsPerSource));
    injectedPerRule = Collections.unmodifiableMap(new LinkedHashMap<>(injectedPerRule));
  }

  /** All rows written to the sources. */
  public long totalRows() {
    return rowsPerSource.values().stream().mapToLong(Long::longValue).sum();
  }

  /** All injected contract violations. */
  public long totalInjected() {
    return injectedPerRule.values().stream().mapToLong(Long::longValue).sum();
  }
}
