package io.churnducks.jobs.config;

import java.time.LocalDate;

/**
 * Where and how the demo's sample data is generated (keys under {@code sample}).
 *
 * @param dir      folder of the sample sources and their hidden {@code truth/}
 * @param accounts accounts to simulate
 * @param start    first day of the simulated history (first of a month)
 * @param months   months of history; the data cutoff is start + months
 * @param seed     random seed: the same seed gives the same data
 * @param format   csv or parquet
 * @param messy    share of rows injected as contract violations, per source and rule
 */
public record SampleSettings(String dir, int accounts, LocalDate start, int months, long seed, String format,
    double messy) {

  /** The day after the last simulated day: the demo's run date. */
  public LocalDate cutoff() {
    return start.plusMonths(months);
  }
}
