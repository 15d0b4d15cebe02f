package io.churnducks.features.validation;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

/**
 * One source after column mapping and row-level checks: every row carries its canonical values,
 * the list of rules it broke, whether it is out of scope for the run, and the source row as a
 * struct. {@link #clean()} and {@link #rejected()} split it; out-of-scope rows are in neither.
 *
 * @param table          canonical table name
 * @param checked        canonical columns, {@value SourceConformer#PROBLEMS} (null when none),
 *                       {@value SourceConformer#OUT_OF_SCOPE}, {@value SourceConformer#SOURCE_ROW}
 *                       and {@value SourceConformer#REJECTED}
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

  /** Hidden column of clean rows: the optional values nulled on the row (array of problems; null: none). */
  public static final String NULLED = "_nulled";

  /**
   * Rows in scope that no rule rejects: canonical columns (a bad optional value already null),
   * plus the hidden {@value #NULLED} and {@value SourceConformer#SOURCE_ROW} that the quarantine
   * records of the nulled values are built from.
   */
  public Dataset<Row> clean() {
    List<Column> cols = new ArrayList<>();
    canonicalNames.forEach(c -> cols.add(col(c)));
    cols.add(nulledValues().as(NULLED));
    cols.add(col(SourceConformer.SOURCE_ROW));
    return checked.where(inScope().and(not(col(SourceConformer.REJECTED)))).select(cols.toArray(Column[]::new));
  }

  /**
   * Every row in scope, clean or rejected, in the shape of {@link #clean()} plus
   * {@value ReferenceChecks#PROBLEM}: set on a rejected row (its first rule, every reason joined),
   * null on a clean one. The cross-row checks leave marked rows alone, so a table validated from
   * these rows ({@link ContractValidator#validateDependentInOnePass}) holds its whole quarantine in
   * one frame and its source is read once.
   */
  public Dataset<Row> marked() {
    List<Column> cols = new ArrayList<>();
    canonicalNames.forEach(c -> cols.add(col(c)));
    Column rejected = col(SourceConformer.REJECTED);
    cols.add(when(not(rejected), nulledValues()).as(NULLED));
    cols.add(col(SourceConformer.SOURCE_ROW));
    Column first = firstProblem();
    cols.add(when(rejected, Quarantine.problem(first.getField("rule"), first.getField("column"), allReasons(),
        first.getField("value"), lit(true))).as(ReferenceChecks.PROBLEM));
    return checked.where(inScope()).select(cols.toArray(Column[]::new));
  }

  /**
   * Rows in scope that a rule rejects, in the {@code dq_quarantine} shape: one record per row,
   * under the first rule it broke, with every reason.
   */
  public Dataset<Row> rejected() {
    return checked.where(inScope().and(col(SourceConformer.REJECTED)))
        .select(Quarantine.rows(table, firstProblem(), lit(Quarantine.ROW_REJECTED), allReasons()));
  }

  /**
   * Rows in scope that a rule rejects, with their canonical values and a {@code reason} (every
   * problem); e.g. the account ids behind a rejected account.
   */
  public Dataset<Row> rejectedRows() {
    List<Column> cols = new ArrayList<>();
    canonicalNames.forEach(c -> cols.add(col(c)));
    cols.add(allReasons().as("reason"));
    return checked.where(inScope().and(col(SourceConformer.REJECTED))).select(cols.toArray(Column[]::new));
  }

  /**
   * Aggregate over {@link #checked()}: rows dated on or after the run date but not after the
   * extract date (out of scope for the run: neither clean nor rejected). A long, to be computed
   * with the caller's other counts in one pass, e.g. {@code checked().agg(count(lit(1)), outOfScopeCount())}.
   */
  public Column outOfScopeCount() {
    return count(when(col(SourceConformer.OUT_OF_SCOPE), 1)).as("out_of_scope");
  }

  /** Aggregate over {@link #checked()}: rows in scope that a row-level rule rejects (a long). */
  public Column rejectedCount() {
    return count(when(inScope().and(col(SourceConformer.REJECTED)), 1)).as("rejected");
  }

  /** The source column a canonical column was read from, for messages. */
  public String sourceColumn(String canonical) {
    return sourceColumns.getOrDefault(canonical, canonical);
  }

  /** The problems of a row that only null a value (its rejecting ones left out). */
  private static Column nulledValues() {
    return expr("filter(" + SourceConformer.PROBLEMS + ", p -> NOT p.rejects)");
  }

  /** The first rule a row broke: the one it is filed under. */
  private static Column firstProblem() {
    return col(SourceConformer.PROBLEMS).getItem(0);
  }

  /** Every reason of a row's problems, in priority order. */
  private static Column allReasons() {
    return expr("array_join(transform(" + SourceConformer.PROBLEMS + ", p -> p.reason), '; ')");
  }

  private static Column inScope() {
    return not(col(SourceConformer.OUT_OF_SCOPE));
  }
}
