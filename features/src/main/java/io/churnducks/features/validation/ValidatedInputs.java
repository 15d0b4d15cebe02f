package io.churnducks.features.validation;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.Map;
import java.util.Optional;

/**
 * The canonical tables after every contract rule, and everything that was rejected.
 *
 * @param tables     canonical table name → clean rows in the canonical schema (configured sources only)
 * @param quarantine rejected rows in the {@link Quarantine#SCHEMA} shape
 */
public record ValidatedInputs(Map<String, Dataset<Row>> tables, Dataset<Row> quarantine) {

  public ValidatedInputs {
    tables = Map.copyOf(tables);
  }

  public Optional<Dataset<Row>> table(String name) {
    return Optional.ofNullable(tables.get(name));
  }

  /** A required table; the validator guarantees accounts and subscriptions are present. */
  public Dataset<Row> require(String name) {
    return table(name).orElseThrow(() -> new ContractException(
        "Cannot find input table " + name + " (configure it under sources." + name + ")"));
  }
}
