package io.churnducks.features.validation;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.size;

/**
 * One source after column mapping and row-level checks: every row carries its canonical values,
 * its raw JSON and the list of rules it broke. {@link #clean()} and {@link #rejected()} split it.
 *
 * @param table          canonical table name
 * @param checked        canonical columns, {@value SourceConformer#RAW} and
 *                       {@value SourceConformer#PROBLEMS}
 * @param canonicalNames canonical columns in schema order
 * @param sourceColumns  canonical column → the source column or expression it was read from
 * @param absentColumns  optional canonical columns the source does not provide (left null)
 */
public record ConformedSource(
    String table,
    Dataset<Row> checked,
    List<String> canonicalNames,
    Map<String, String> sourceColumns,
    List<String> absentColumns) {

  /** Rows that passed every row-level rule: canonical columns plus the raw JSON. */
  public Dataset<Row> clean() {
    Column[] cols = new Column[canonicalNames.size() + 1];
    for (int i = 0; i < canonicalNames.size(); i++) {
      cols[i] = col(canonicalNames.get(i));
    }
    cols[cols.length - 1] = col(SourceConformer.RAW);
    return checked.where(size(col(SourceConformer.PROBLEMS)).equalTo(0)).select(cols);
  }

  /** Rows that broke a rule, in the {@code dq_quarantine} shape. */
  public Dataset<Row> rejected() {
    return checked.where(size(col(SourceConformer.PROBLEMS)).gt(0)).select(Quarantine.rows(table,
        col(SourceConformer.PROBLEMS).getItem(0),
        expr("array_join(transform(" + SourceConformer.PROBLEMS + ", p -> p.reason), '; ')")));
  }

  /** The source column a canonical column was read from, for messages. */
  public String sourceColumn(String canonical) {
    return sourceColumns.getOrDefault(canonical, canonical);
  }
}
