package io.churnducks.features.contract;

import java.util.Map;
import java.util.Optional;

/**
 * How one configured source maps onto its canonical table.
 *
 * @param table   canonical table name
 * @param columns canonical column → source column name or Spark SQL expression over the
 *                source's columns; an unmapped canonical column reads the source column of
 *                the same name when there is one
 * @param formats canonical column → how its text is parsed: a date/time pattern such as
 *                {@code MM/dd/yyyy}, or {@code epoch_seconds}, {@code epoch_millis}, {@code iso}
 * @param values  canonical column → (source value → canonical value), e.g. status codes;
 *                source values are trimmed and matched ignoring case; values not listed pass
 *                through unchanged
 * @param filter  Spark SQL condition over the source's columns; rows failing it are skipped
 *                on purpose (e.g. voided invoices) and are not quarantined
 */
public record SourceMapping(
    String table,
    Map<String, String> columns,
    Map<String, String> formats,
    Map<String, Map<String, String>> values,
    Optional<String> filter) {

  public SourceMapping {
    columns = Map.copyOf(columns);
    formats = Map.copyOf(formats);
    values = Map.copyOf(values);
  }

  /** A mapping that reads every canonical column from the source column of the same name. */
  public static SourceMapping identity(String table) {
    return new SourceMapping(table, Map.of(), Map.of(), Map.of(), Optional.empty());
  }
}
