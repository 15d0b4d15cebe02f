package io.churnducks.jobs.config;

import io.churnducks.features.contract.SourceMapping;

import java.util.Map;

/**
 * One configured source (keys under {@code sources.<table>}).
 *
 * @param table       canonical table it feeds
 * @param format      csv, parquet, json or jdbc
 * @param path        file or folder (csv, parquet, json)
 * @param url         JDBC URL (jdbc)
 * @param jdbcTable   table or sub-query (jdbc)
 * @param user        JDBC user (jdbc)
 * @param passwordEnv name of the environment variable holding the JDBC password; the password
 *                    itself never appears in config, argv or logs
 * @param options     extra reader options (e.g. header = "true")
 * @param mapping     column, format and value mapping onto the canonical table
 * @param layout      for usage events: the date-folder layout, e.g. {@code event_date={yyyy-MM-dd}}
 *                    (null: detect hive-style date folders, else read as one slice)
 */
public record SourceSettings(String table, String format, String path, String url, String jdbcTable, String user,
    String passwordEnv, Map<String, String> options, SourceMapping mapping, String layout) {

  /** Where the source is read from, for messages (never includes a password). */
  public String location() {
    return "jdbc".equals(format) ? url + " " + jdbcTable : format + " " + path;
  }
}
