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
 * @param keyColumn       column whose value must be unique (duplicates are rejected), if any
 * @param eventTimeColumn the column that dates a row: rows dated after the extract cutoff are
 *                        rejected ({@code after_cutoff}), and indicators only use rows dated
 *                        strictly before their as-of date
 * @param accountRequired when true, a row must name an account that exists in {@code accounts}
 * @param oneOfRequired   columns of which at least one must hold a value (empty: no such rule)
 */
public record TableContract(
    String name,
    String doc,
    boolean requiredSource,
    List<ColumnSpec> columns,
    Optional<String> keyColumn,
    Optional<String> eventTimeColumn,
    boolean accountRequired,
    List<String> oneOfRequired) {

  public TableContract {
    columns = List.copyOf(columns);
    oneOfRequired = List.copyOf(oneOfRequired);
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
}
