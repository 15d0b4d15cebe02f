package io.churnducks.jobs.generate;

import java.io.Serializable;
import java.time.LocalDate;
import java.util.Locale;

/**
 * What {@link SampleDataGenerator} generates: how many accounts, over which months, with which
 * seed, where, in which file format and how messy.
 *
 * <p>The extract cutoff is {@code start + months}: sources hold only data dated strictly before
 * it, while the hidden truth is simulated up to {@code cutoff + horizonDays + graceDays} so every
 * as-of outcome up to the cutoff is known.
 *
 * @param accounts    number of accounts, 1 to 9,999,999 (ids {@code ACC-0000001} …)
 * @param start       first day of the simulated period; must be the first day of a month
 * @param months      simulated months before the cutoff, 2 to 240
 * @param seed        random seed; the same seed gives the same output whatever the partitioning
 * @param outDir      output directory; its generated tables are overwritten on a rerun
 * @param format      {@code csv} (with header) or {@code parquet}; every source column is a string
 * @param messy       fraction of each source's rows, per contract rule, added as corrupted extra
 *                    rows, 0 to 1 (0 = clean sources; a source with R rules gets about
 *                    {@code R × messy} bad rows per clean row)
 * @param horizonDays churn horizon of the truth, in days (default 90)
 * @param graceDays   grace period in days: a subscription end followed by a new start within it
 *                    is a renewal gap, not churn (default 30)
 */
public record GeneratorOptions(
    int accounts,
    LocalDate start,
    int months,
    long seed,
    String outDir,
    String format,
    double messy,
    int horizonDays,
    int graceDays) implements Serializable {

  /** Largest account count: ids have seven digits and unknown-account ids use an eighth. */
  public static final int MAX_ACCOUNTS = 9_999_999;
  /**
   * Largest messy fraction: every clean row gets every rule of its source (product_events, with
   * five rules, is then five bad rows in six).
   */
  public static final double MAX_MESSY = 1.0;
  /** Default churn horizon, days. */
  public static final int DEFAULT_HORIZON_DAYS = 90;
  /** Default grace period, days. */
  public static final int DEFAULT_GRACE_DAYS = 30;

  private static final long serialVersionUID = 1L;

  /** Validates every field; the format is normalised to lower case. */
  public GeneratorOptions {
    if (accounts < 1 || accounts > MAX_ACCOUNTS) {
      throw invalid("accounts must be between 1 and " + MAX_ACCOUNTS + " (got " + accounts + ")");
    }
    if (start == null) {
      throw invalid("start date is missing (give the first day of a month, e.g. 2024-01-01)");
    }
    if (start.getDayOfMonth() != 1) {
      throw invalid("start must be the first day of a month (got " + start + ", try "
          + start.withDayOfMonth(1) + ")");
    }
    if (months < 2 || months > 240) {
      throw invalid("months must be between 2 and 240 (got " + months + ")");
    }
    if (outDir == null || outDir.isBlank()) {
      throw invalid("output directory is missing");
    }
    if (format == null) {
      throw invalid("format is missing (use csv or parquet)");
    }
    format = format.trim().toLowerCase(Locale.ROOT);
    if (!format.equals("csv") && !format.equals("parquet")) {
      throw invalid("unknown format '" + format + "' (use csv or parquet)");
    }
    if (Double.isNaN(messy) || messy < 0 || messy > MAX_MESSY) {
      throw invalid("messy must be a fraction between 0 and " + MAX_MESSY + " (got " + messy + ")");
    }
    if (horizonDays < 1 || horizonDays > 366) {
      throw invalid("horizon must be between 1 and 366 days (got " + horizonDays + ")");
    }
    if (graceDays < 2 || graceDays > 365) {
      throw invalid("grace period must be between 2 and 365 days (got " + graceDays + ")");
    }
  }

  /** Options with the default horizon (90 days) and grace period (30 days). */
  public static GeneratorOptions of(int accounts, LocalDate start, int months, long seed,
      String outDir, String format, double messy) {
    return new GeneratorOptions(accounts, start, months, seed, outDir, format, messy,
        DEFAULT_HORIZON_DAYS, DEFAULT_GRACE_DAYS);
  }

  /** The extract cutoff, {@code start + months}: sources hold only data strictly before it. */
  public LocalDate cutoff() {
    return start.plusMonths(months);
  }

  /** The day the simulation stops: {@code cutoff + horizonDays + graceDays}. */
  LocalDate simulationEnd() {
    return cutoff().plusDays((long) horizonDays + graceDays);
  }

  private static IllegalArgumentException invalid(String reason) {
    return new IllegalArgumentException("Cannot generate: " + reason);
  }
}
