package io.churnducks.features.validation;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

/**
 * What a quarantine holds, per source, in words for the run manifest and the failure line: one
 * note per rule and source column ({@code wrong_type in NumberOfEmployees: 3 values nulled}), most
 * records first. A column whose values all broke one rule (e.g. a numeric column that now holds
 * text) is thus one note naming its source and column, whether its rows were rejected or its
 * values nulled.
 *
 * @param rejectedByRule   source → rule → rejected rows (row_rejected records)
 * @param rejectedByColumn source → "rule in source column" → rejected rows, most first
 * @param notes            source → one note per rule, column and action, most records first
 */
public record QuarantineSummary(
    Map<String, Map<String, Long>> rejectedByRule,
    Map<String, Map<String, Long>> rejectedByColumn,
    Map<String, List<String>> notes) {

  /**
   * Counts {@code quarantine} (in the {@link Quarantine#SCHEMA} shape) per source, rule, source
   * column and action; only these few aggregate rows reach the driver.
   */
  public static QuarantineSummary of(Dataset<Row> quarantine) {
    Map<String, Map<String, Long>> byRule = new LinkedHashMap<>();
    Map<String, Map<String, Long>> byColumn = new LinkedHashMap<>();
    Map<String, List<String>> notes = new LinkedHashMap<>();
    for (Row r : quarantine.groupBy("source", "rule", "source_column", "action").agg(count(lit(1)).as("n"))
        .orderBy(col("n").desc(), col("source"), col("rule"), col("source_column"), col("action")).collectAsList()) {
      String source = r.getString(0);
      String ruleInColumn = r.getString(1) + " in " + r.getString(2);
      long n = r.getLong(4);
      boolean rejected = Quarantine.ROW_REJECTED.equals(r.getString(3));
      if (rejected) {
        byRule.computeIfAbsent(source, k -> new LinkedHashMap<>()).merge(r.getString(1), n, Long::sum);
        byColumn.computeIfAbsent(source, k -> new LinkedHashMap<>()).merge(ruleInColumn, n, Long::sum);
      }
      notes.computeIfAbsent(source, k -> new ArrayList<>()).add(ruleInColumn + ": " + n
          + (rejected ? " rows" : " values nulled"));
    }
    return new QuarantineSummary(byRule, byColumn, notes);
  }

  /** Rejected rows of a source. */
  public long rejected(String source) {
    return rejectedByRule.getOrDefault(source, Map.of()).values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * The source's part of the line that fails a run (see {@link Quarantine#rejectedShareFailure}).
   *
   * @param considered rows in scope
   * @param threshold  the largest rejected share allowed
   */
  public String failure(String source, long considered, double threshold) {
    return Quarantine.rejectedShareFailure(source, rejected(source), considered, threshold,
        rejectedByColumn.getOrDefault(source, Map.of()));
  }
}
