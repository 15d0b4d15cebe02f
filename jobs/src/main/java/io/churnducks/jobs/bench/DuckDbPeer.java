package io.churnducks.jobs.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The benchmark's independent peer: DuckDB computing the same usage indicators as of a date with
 * one plain SQL query over the same Parquet event folders (the whole history), written to a
 * Parquet file so the product's values can be compared with it.
 */
final class DuckDbPeer {

  private DuckDbPeer() {}

  /** Seconds DuckDB took, JDBC connection included. */
  static double usageIndicators(String eventsDir, LocalDate asOf, List<String> intentFeatures, String outFile) {
    String intent = intentFeatures.stream().map(f -> "'" + f.replace("'", "''") + "'")
        .collect(Collectors.joining(", ", "(", ")"));
    String d = "DATE '" + asOf + "'";
    String notIntent = "feature NOT IN " + intent;
    String sql = "COPY (WITH e AS (SELECT org_id AS account_id, event AS feature, user_key AS user_id, "
        + "device AS device_id, CAST(event_date AS DATE) AS day "
        + "FROM read_parquet('" + eventsDir + "/*/*.parquet', hive_partitioning = true) "
        + "WHERE CAST(event_date AS DATE) < " + d + ") "
        + "SELECT account_id, "
        + "count(*) FILTER (WHERE day >= " + d + " - 28 AND " + notIntent + ") AS events_28d, "
        + "count(*) FILTER (WHERE day >= " + d + " - 56 AND day < " + d + " - 28 AND " + notIntent + ") AS events_prev_28d, "
        + "count(DISTINCT day) FILTER (WHERE day >= " + d + " - 28 AND " + notIntent + ") AS active_days_28d, "
        + "count(DISTINCT feature) FILTER (WHERE day >= " + d + " - 28 AND " + notIntent + ") AS features_used_28d, "
        + "count(*) FILTER (WHERE day >= " + d + " - 28 AND NOT (" + notIntent + ")) AS intent_events_28d, "
        + "count(DISTINCT user_id) FILTER (WHERE day >= " + d + " - 28 AND " + notIntent + ") AS active_users_28d, "
        + "count(DISTINCT (user_id, device_id)) FILTER (WHERE day >= " + d + " - 28 AND " + notIntent + ") AS user_devices_28d, "
        + "(" + d + " - max(day) FILTER (WHERE " + notIntent + ")) AS days_since_last_activity "
        + "FROM e GROUP BY account_id) TO '" + outFile + "' (FORMAT PARQUET)";
    long t = System.nanoTime();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot run the DuckDB peer over " + eventsDir + ": " + e.getMessage(), e);
    }
    return (System.nanoTime() - t) / 1e9;
  }
}
