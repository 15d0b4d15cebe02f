package io.churnducks.features.contract;

import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.List;
import java.util.Optional;

/**
 * The canonical shape of one input table and the rules a row must satisfy.
 *
 * @param name            canonical table name (also the {@code source} in {@code dq_quarantine})
 * @param doc             what the table holds
 * @param requiredSource  the run fails when this source is not configured
 * @param columns         canonical columns in schema order
 * @param keyColumn       column whose value must be unique (duplicates are rejected), if any; a
 *                        row without a key value is never a duplicate
 * @param eventTimeColumn the column that dates a row: rows dated after the extract date are
 *                        rejected ({@code after_cutoff}), rows dated on or after the run date (but
 *                        not after the extract date) are out of scope for that run, and indicators
 *                        only use rows dated strictly before their as-of date
 * @param accountRequired when true, a row must name an account that exists in {@code accounts}
 * @param oneOfRequired   columns of which at least one must hold a value (empty: no such rule)
 * @param recencyColumn   orders the copies of a duplicate key: the copy with the latest value here
 *                        is kept (ties: the largest hash of the row's canonical values); empty:
 *                        only the hash decides
 * @param duplicateScope  Spark SQL expressions over the canonical columns within which the key must
 *                        be unique, e.g. {@code to_date(event_time)} (empty: the whole table)
 * @param orderRules      pairs of columns that must be in order within a row
 */
public record TableContract(
    String name,
    String doc,
    boolean requiredSource,
    List<ColumnSpec> columns,
    Optional<String> keyColumn,
    Optional<String> eventTimeColumn,
    boolean accountRequired,
    List<String> oneOfRequired,
    Optional<String> recencyColumn,
    List<String> duplicateScope,
    List<OrderRule> orderRules) {

  public TableContract {
    columns = List.copyOf(columns);
    oneOfRequired = List.copyOf(oneOfRequired);
    duplicateScope = List.copyOf(duplicateScope);
    orderRules = List.copyOf(orderRules);
  }

  /** The canonical schema, each field documented in its {@code comment} metadata. */
  public StructType schema() {
    return new StructType(columns.stream().map(ColumnSpec::field).toArray(StructField[]::new));
  }

  public Optional<ColumnSpec> column(String canonicalName) {
    return columns.stream().filter(c -> c.name().equals(canonicalName)).findFirst();
  }

  public List<String> columnNames() {
    return columns.stream().map(ColumnSpec::name).toList();
  }

  /**
   * Whether a bad value in this column rejects the whole row: required columns, the key and the
   * account/subscription references. A bad value in any other column is nulled and the row stays.
   */
  public boolean rejectsRow(String canonicalName) {
    return column(canonicalName).map(ColumnSpec::required).orElse(false)
        || keyColumn.filter(canonicalName::equals).isPresent()
        || oneOfRequired.contains(canonicalName);
  }
}
