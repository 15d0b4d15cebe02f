package io.churnducks.jobs.io;

import io.churnducks.features.validation.ContractException;
import io.churnducks.jobs.config.SourceSettings;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads one configured source as it is (no schema inference: mapping and parsing happen in
 * validation, where a bad value is quarantined instead of failing the read).
 */
public final class SourceReader {

  private SourceReader() {}

  public static Dataset<Row> read(SparkSession spark, SourceSettings s) {
    return "jdbc".equals(s.format()) ? read(spark, s, new String[0]) : read(spark, s, requirePath(s));
  }

  /** Reads the source from {@code paths} (some of its date folders) instead of its configured path. */
  public static Dataset<Row> read(SparkSession spark, SourceSettings s, String... paths) {
    DataFrameReader reader = spark.read().options(s.options());
    try {
      return switch (s.format()) {
        case "csv" -> reader.option("inferSchema", "false").csv(paths);
        case "parquet" -> reader.parquet(paths);
        case "json" -> reader.option("primitivesAsString", "true").json(paths);
        case "jdbc" -> jdbc(reader, s);
        default -> throw new ContractException("Cannot read source " + s.table() + ": format '" + s.format()
            + "' is not csv, parquet, json or jdbc");
      };
    } catch (ContractException e) {
      throw e;
    } catch (Exception e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
      throw new ContractException("Cannot read source " + s.table() + " (" + s.location() + "): " + why);
    }
  }

  private static String requirePath(SourceSettings s) {
    if (s.path() == null || s.path().isBlank()) {
      throw new ContractException("Cannot read source " + s.table() + ": no path configured (set sources."
          + s.table() + ".path)");
    }
    return s.path();
  }

  private static Dataset<Row> jdbc(DataFrameReader reader, SourceSettings s) {
    if (s.url() == null || s.jdbcTable() == null) {
      throw new ContractException("Cannot read source " + s.table() + ": jdbc needs url and table (set sources."
          + s.table() + ".url and .table)");
    }
    reader = reader.format("jdbc").option("url", s.url()).option("dbtable", s.jdbcTable());
    if (s.user() != null) {
      reader = reader.option("user", s.user());
    }
    if (s.passwordEnv() != null) {
      String password = System.getenv(s.passwordEnv());
      if (password == null) {
        throw new ContractException("Cannot read source " + s.table() + ": environment variable "
            + s.passwordEnv() + " (its JDBC password) is not set");
      }
      reader = reader.option("password", password);
    }
    return reader.load();
  }
}
