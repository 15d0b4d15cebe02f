package io.churnducks.jobs.report;

/**
 * How much the morning report shows ({@code report.*} keys).
 *
 * @param riskListTop       accounts of the risk list shown, from rank 1 ({@code report.risk-list-top}, default 20)
 * @param quadrantCustomers customers by MRR listed per health × temperature quadrant
 *                          ({@code report.quadrant-customers}, default 8)
 * @param listTop           rows of the other lists: health extremes per end, cost-to-serve outliers,
 *                          seat sharers, indicators ({@code report.list-top}, default 20)
 * @param cohorts           most recent signup cohorts drawn as retention curves ({@code report.cohorts}, default 12)
 */
public record ReportSettings(int riskListTop, int quadrantCustomers, int listTop, int cohorts) {

  public ReportSettings {
    check("report.risk-list-top", riskListTop);
    check("report.quadrant-customers", quadrantCustomers);
    check("report.list-top", listTop);
    check("report.cohorts", cohorts);
  }

  private static void check(String key, int value) {
    if (value < 1 || value > 1000) {
      throw new IllegalArgumentException(key + " must be 1 to 1000 (got " + value + ")");
    }
  }

  /** The defaults of {@code reference.conf}. */
  public static ReportSettings defaults() {
    return new ReportSettings(20, 8, 20, 12);
  }
}
