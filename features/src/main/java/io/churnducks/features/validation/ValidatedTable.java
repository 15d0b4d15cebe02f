package io.churnducks.features.validation;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.TableContract;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.function.UnaryOperator;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.size;

/**
 * One table after every contract rule. {@link #clean()} and {@link #quarantine()} are both read
 * from {@link #checked()}, so a caller that persists it ({@link #map}) computes the checks once.
 *
 * @param source  the conformed source (its row-level rejects are part of the quarantine)
 * @param checked rows that passed the row-level rules: canonical columns, the hidden
 *                {@value ConformedSource#NULLED} and {@value SourceConformer#SOURCE_ROW}, and
 *                {@value ReferenceChecks#PROBLEM} (null: the row is clean)
 */
public record ValidatedTable(ConformedSource source, Dataset<Row> checked) {

  public String table() {
    return source.table();
  }

  /** Clean rows in the canonical schema. */
  public Dataset<Row> clean() {
    return checked.where(col(ReferenceChecks.PROBLEM).isNull()).select(canonicalColumns());
  }

  /**
   * Everything kept out, in the {@link Quarantine#SCHEMA} shape: one {@code row_rejected} record
   * per rejected row (row-level or cross-row rules) and one {@code value_nulled} record per value
   * nulled on a clean row. A rejected row's nulled values are not recorded apart: its raw row
   * holds them.
   */
  public Dataset<Row> quarantine() {
    return source.rejected().unionByName(crossRowQuarantine());
  }

  /**
   * The part of {@link #quarantine()} read from {@link #checked()} alone (cross-row rejects and
   * nulled values), with the {@code extra} columns of {@link #checked()} appended; with
   * {@code source.rejected()} it makes the whole quarantine. For a table validated in one pass
   * ({@link ContractValidator#validateDependentInOnePass}) it is the whole quarantine.
   */
  public Dataset<Row> crossRowQuarantine(String... extra) {
    Column records = expr("CASE WHEN " + ReferenceChecks.PROBLEM + " IS NOT NULL"
        + " THEN array(named_struct('problem', " + ReferenceChecks.PROBLEM + ", 'action', '" + Quarantine.ROW_REJECTED
        + "'))"
        + " ELSE transform(" + ConformedSource.NULLED + ", p -> named_struct('problem', p, 'action', '"
        + Quarantine.VALUE_NULLED + "')) END");
    java.util.List<Column> first = new java.util.ArrayList<>(java.util.List.of(explode(records).as("_record"),
        col(SourceConformer.SOURCE_ROW)));
    java.util.List<Column> second = new java.util.ArrayList<>(java.util.List.of(Quarantine.rows(table(),
        col("_record.problem"), col("_record.action"), col("_record.problem.reason"))));
    for (String e : extra) {
      first.add(col(e));
      second.add(col(e));
    }
    return checked.where(quarantined())
        .select(first.toArray(Column[]::new))
        .select(second.toArray(Column[]::new));
  }

  /**
   * Whether a row of {@link #checked()} is in the quarantine: rejected, or with a value nulled.
   * Other rows need not keep their {@value SourceConformer#SOURCE_ROW}.
   */
  public static Column quarantined() {
    Column nulled = col(ConformedSource.NULLED);
    return col(ReferenceChecks.PROBLEM).isNotNull().or(nulled.isNotNull().and(size(nulled).gt(0)));
  }

  /**
   * Key values of rejected rows that have no clean row, each with the reason of one of its
   * rejections (the smallest): columns {@code <key column>, reason}. For accounts this is the
   * {@code rejectedAccounts} argument of {@link ContractValidator#validateDependent}.
   */
  public Dataset<Row> rejectedKeys() {
    TableContract contract = InputContract.table(table());
    String key = contract.keyColumn().orElseThrow(() -> new ContractException(
        "Cannot list rejected keys of " + table() + ": the table has no key column"));
    Dataset<Row> rowLevel = source.rejectedRows().select(col(key).as("_key"), col("reason"));
    Dataset<Row> crossRow = checked.where(col(ReferenceChecks.PROBLEM).isNotNull())
        .select(col(key).as("_key"), col(ReferenceChecks.PROBLEM).getField("reason").as("reason"));
    Dataset<Row> cleanKeys = clean().select(col(key).as("_key"));
    return rowLevel.unionByName(crossRow).where(col("_key").isNotNull())
        .join(cleanKeys, "_key", "left_anti")
        .groupBy("_key").agg(min(col("reason")).as("reason"))
        .select(col("_key").as(key), col("reason"));
  }

  /** The same table with {@code f} applied to {@link #checked()} (e.g. to persist it). */
  public ValidatedTable map(UnaryOperator<Dataset<Row>> f) {
    return new ValidatedTable(source, f.apply(checked));
  }

  private Column[] canonicalColumns() {
    return source.canonicalNames().stream().map(c -> col(c)).toArray(Column[]::new);
  }
}
