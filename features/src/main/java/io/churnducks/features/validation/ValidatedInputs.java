package io.churnducks.features.validation;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The inputs after every contract rule, per configured table. {@link #tables()} and
 * {@link #quarantine()} are both read from each table's checked rows, so a caller that persists
 * them ({@link #map}) computes the checks once.
 *
 * @param validated canonical table name → validated table (configured sources only)
 */
public record ValidatedInputs(Map<String, ValidatedTable> validated) {

  public ValidatedInputs {
    validated = Collections.unmodifiableMap(new LinkedHashMap<>(validated));
  }

  /** Clean rows in the canonical schema, per table. */
  public Map<String, Dataset<Row>> tables() {
    Map<String, Dataset<Row>> out = new LinkedHashMap<>();
    validated.forEach((name, table) -> out.put(name, table.clean()));
    return out;
  }

  /** Every quarantine record (rejected rows and nulled values), in the {@link Quarantine#SCHEMA} shape. */
  public Dataset<Row> quarantine() {
    Dataset<Row> all = null;
    for (ValidatedTable t : validated.values()) {
      all = all == null ? t.quarantine() : all.unionByName(t.quarantine());
    }
    return all;
  }

  /** The same inputs with {@code f} applied to every table's checked rows (e.g. to persist them). */
  public ValidatedInputs map(UnaryOperator<Dataset<Row>> f) {
    Map<String, ValidatedTable> out = new LinkedHashMap<>();
    validated.forEach((name, table) -> out.put(name, table.map(f)));
    return new ValidatedInputs(out);
  }

  public Optional<Dataset<Row>> table(String name) {
    return Optional.ofNullable(validated.get(name)).map(ValidatedTable::clean);
  }

  /** A required table; the validator guarantees accounts and subscriptions are present. */
  public Dataset<Row> require(String name) {
    return table(name).orElseThrow(() -> new ContractException(
        "Cannot find input table " + name + " (configure it under sources." + name + ")"));
  }
}
