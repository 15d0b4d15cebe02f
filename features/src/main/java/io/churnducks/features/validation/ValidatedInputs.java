package io.churnducks.features.validation;

import io.churnducks.features.contract.InputContract;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static org.apache.spark.sql.functions.col;

/**
 * The inputs after every contract rule: per table, the rows that passed the row-level rules,
 * each marked with its cross-row problem (if any); and the rows the row-level rules rejected.
 * {@link #tables()} and {@link #quarantine()} are both read from these, so a caller that persists
 * them ({@link #map}) computes the checks once.
 *
 * @param checked          canonical table name → canonical columns, raw JSON and
 *                         {@value ReferenceChecks#PROBLEM} (configured sources only)
 * @param rowLevelRejected rows rejected by row-level rules, in the {@link Quarantine#SCHEMA} shape
 */
public record ValidatedInputs(Map<String, Dataset<Row>> checked, Dataset<Row> rowLevelRejected) {

  public ValidatedInputs {
    checked = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(checked));
  }

  /** Clean rows in the canonical schema, per table. */
  public Map<String, Dataset<Row>> tables() {
    Map<String, Dataset<Row>> out = new LinkedHashMap<>();
    checked.forEach((name, rows) -> out.put(name, rows.where(col(ReferenceChecks.PROBLEM).isNull())
        .select(InputContract.table(name).columnNames().stream().map(c -> col(c)).toArray(Column[]::new))));
    return out;
  }

  /** Every rejected row, in the {@link Quarantine#SCHEMA} shape. */
  public Dataset<Row> quarantine() {
    Dataset<Row> all = rowLevelRejected;
    for (Map.Entry<String, Dataset<Row>> e : checked.entrySet()) {
      Column p = col(ReferenceChecks.PROBLEM);
      all = all.unionByName(e.getValue().where(p.isNotNull()).select(Quarantine.rows(e.getKey(), p, p.getField("reason"))));
    }
    return all;
  }

  /** The same inputs with {@code f} applied to every checked frame (e.g. to persist them). */
  public ValidatedInputs map(UnaryOperator<Dataset<Row>> f) {
    Map<String, Dataset<Row>> out = new LinkedHashMap<>();
    checked.forEach((name, rows) -> out.put(name, f.apply(rows)));
    return new ValidatedInputs(out, rowLevelRejected);
  }

  public Optional<Dataset<Row>> table(String name) {
    return Optional.ofNullable(tables().get(name));
  }

  /** A required table; the validator guarantees accounts and subscriptions are present. */
  public Dataset<Row> require(String name) {
    return table(name).orElseThrow(() -> new ContractException(
        "Cannot find input table " + name + " (configure it under sources." + name + ")"));
  }
}
