package io.churnducks.jobs.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's independent peer: DuckDB computing the same usage indicators as of a date with
 * plain SQL over the same Parquet event folders (the whole history), written to a Parquet file so
 * the product's values can be compared with it. The SQL is the usage part of the end-to-end
 * cross-check ({@link DuckDbScripts}: {@code bench_sources.sql} maps the bench's layout, then
 * {@code usage_indicators.sql}).
 */
final class DuckDbPeer {

  private DuckDbPeer() {}

  /** Seconds DuckDB took, JDBC connection included. */
  static double usageIndicators(String eventsDir, LocalDate asOf, List<String> intentFeatures,
      List<String> errorFeatures, List<String> keyFeatures, String outFile) {
    Map<String, String> values = Map.of(
        "events_dir", DuckDbScripts.path(eventsDir),
        "as_of", asOf.toString(),
        "intent_features", DuckDbScripts.list(intentFeatures),
        "error_features", DuckDbScripts.list(errorFeatures),
        "key_features", DuckDbScripts.list(keyFeatures));
    long t = System.nanoTime();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      DuckDbScripts.run(s, values, "bench_sources.sql", "usage_indicators.sql");
      s.execute("COPY (SELECT * FROM usage_indicators) TO '" + DuckDbScripts.path(outFile) + "' (FORMAT PARQUET)");
    } catch (SQLException | IllegalStateException e) {
      throw new IllegalStateException("Cannot run the DuckDB peer over " + eventsDir + ": " + e.getMessage(), e);
    }
    return (System.nanoTime() - t) / 1e9;
  }
}
