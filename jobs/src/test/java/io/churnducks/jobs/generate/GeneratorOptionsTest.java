package io.churnducks.jobs.generate;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GeneratorOptionsTest {

  private static final LocalDate JAN = LocalDate.parse("2024-01-01");

  @Test
  void cutoffIsStartPlusMonths() {
    GeneratorOptions o = GeneratorOptions.of(10, JAN, 24, 1, "/tmp/x", "CSV", 0);
    assertEquals(LocalDate.parse("2026-01-01"), o.cutoff());
    assertEquals("csv", o.format());
    assertEquals(90, o.horizonDays());
    assertEquals(30, o.graceDays());
  }

  @Test
  void startMustBeFirstOfMonth() {
    assertRejected("Cannot generate: start must be the first day of a month (got 2024-01-15, "
        + "try 2024-01-01)", () -> GeneratorOptions.of(10, LocalDate.parse("2024-01-15"), 12, 1,
        "/tmp/x", "csv", 0));
  }

  @Test
  void unknownFormatIsRejected() {
    assertRejected("Cannot generate: unknown format 'json' (use csv or parquet)",
        () -> GeneratorOptions.of(10, JAN, 12, 1, "/tmp/x", "json", 0));
  }

  @Test
  void messyAboveOneIsRejected() {
    assertRejected("Cannot generate: messy must be a fraction between 0 and 1.0 (got 1.5)",
        () -> GeneratorOptions.of(10, JAN, 12, 1, "/tmp/x", "csv", 1.5));
  }

  @Test
  void accountCountMustFitTheIdFormat() {
    assertRejected("Cannot generate: accounts must be between 1 and 9999999 (got 0)",
        () -> GeneratorOptions.of(0, JAN, 12, 1, "/tmp/x", "csv", 0));
  }

  @Test
  void tooFewMonthsAreRejected() {
    assertRejected("Cannot generate: months must be between 2 and 240 (got 1)",
        () -> GeneratorOptions.of(10, JAN, 1, 1, "/tmp/x", "csv", 0));
  }

  @Test
  void gracePeriodMustLeaveRoomForRenewalGaps() {
    assertRejected("Cannot generate: grace period must be between 2 and 365 days (got 1)",
        () -> new GeneratorOptions(10, JAN, 12, 1, "/tmp/x", "csv", 0, 90, 1));
  }

  @Test
  void outputDirectoryIsRequired() {
    assertRejected("Cannot generate: output directory is missing",
        () -> GeneratorOptions.of(10, JAN, 12, 1, " ", "csv", 0));
  }

  private static void assertRejected(String message, Runnable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run);
    assertEquals(message, e.getMessage());
  }
}
