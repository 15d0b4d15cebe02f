package io.churnducks.jobs.publish;

import io.churnducks.features.validation.ContractException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.StructField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.lit;

/**
 * Publishes one run date of warehouse tables (the risk list, the segments) to PostgreSQL so CS
 * tools can read them from a database.
 *
 * <p>The rows travel from the executors in parallel into staging tables (Spark's JDBC writer);
 * then one transaction on the driver creates each target table and its index when missing,
 * deletes the run date's rows and inserts the staged ones. Readers see the previous rows or the
 * new ones, never a mix, and a failure leaves the previous rows in place. The staging tables
 * are dropped either way.
 */
public final class PostgresPublisher {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresPublisher.class);

  /**
   * Where to publish.
   *
   * @param url         JDBC URL, e.g. {@code jdbc:postgresql://db:5432/cs}
   * @param user        database user (null: the driver's default)
   * @param passwordEnv environment variable holding the password (null: none); the password
   *                    never appears in config, argv or logs
   * @param schema      database schema the tables go to
   */
  public record Target(String url, String user, String passwordEnv, String schema) {

    /** The URL without its query string (which may carry credentials), for messages and logs. */
    public String location() {
      int q = url == null ? -1 : url.indexOf('?');
      return (q < 0 ? url : url.substring(0, q)) + " schema " + schema;
    }
  }

  /**
   * One table to publish.
   *
   * @param name  table name in the database (as in the warehouse)
   * @param rows  the run date's rows, without the run_date column
   * @param index columns of the index besides run_date (e.g. rank), may be empty
   */
  public record Table(String name, Dataset<Row> rows, List<String> index) {}

  /** What a publication wrote: rows per table. */
  public record Published(LocalDate runDate, Map<String, Long> rows) {}

  private final Target target;

  public PostgresPublisher(Target target) {
    if (target.url() == null || target.url().isBlank()) {
      throw new ContractException("Cannot publish to PostgreSQL: no URL configured (set publish.postgres.url, "
          + "e.g. jdbc:postgresql://host:5432/database)");
    }
    if (!target.schema().matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new ContractException("Cannot publish to PostgreSQL: schema '" + target.schema()
          + "' is not a plain identifier (publish.postgres.schema)");
    }
    this.target = target;
  }

  /** Replaces {@code runDate}'s rows of every table in one transaction. */
  public Published publish(LocalDate runDate, List<Table> tables) {
    Properties props = properties();
    String suffix = "_staging_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    List<String> staged = new ArrayList<>();
    try {
      try (Connection c = connect(props); Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA IF NOT EXISTS " + quote(target.schema()));
      }
      Map<String, Long> counts = new LinkedHashMap<>();
      for (Table t : tables) {
        String staging = qualified(t.name() + suffix);
        staged.add(staging);
        Dataset<Row> rows = t.rows().withColumn("run_date", lit(java.sql.Date.valueOf(runDate)));
        rows.write().mode(SaveMode.ErrorIfExists).option("batchsize", 5000)
            .option("isolationLevel", "READ_COMMITTED").jdbc(target.url(), staging, props);
      }
      try (Connection c = connect(props)) {
        c.setAutoCommit(false);
        try {
          for (int i = 0; i < tables.size(); i++) {
            counts.put(tables.get(i).name(), replace(c, tables.get(i), staged.get(i), runDate));
          }
          c.commit();
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        }
      }
      LOG.info("Published {} for {} to {}", counts, runDate, target.location());
      return new Published(runDate, counts);
    } catch (SQLException e) {
      throw new ContractException("Cannot publish " + runDate + " to PostgreSQL " + target.location() + ": "
          + e.getMessage().lines().findFirst().orElse(e.getClass().getSimpleName())
          + " (the database keeps its previous rows)");
    } finally {
      dropQuietly(props, staged);
    }
  }

  private long replace(Connection c, Table t, String staging, LocalDate runDate) throws SQLException {
    String table = qualified(t.name());
    String columns = Arrays.stream(t.rows().schema().fields()).map(StructField::name)
        .map(PostgresPublisher::quote).collect(Collectors.joining(", ")) + ", run_date";
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS " + table + " AS SELECT " + columns + " FROM " + staging + " WITH NO DATA");
      List<String> indexed = new ArrayList<>(List.of("run_date"));
      t.index().stream().map(PostgresPublisher::quote).forEach(indexed::add);
      s.execute("CREATE INDEX IF NOT EXISTS " + quote(t.name() + "_by_run_date") + " ON " + table + " ("
          + String.join(", ", indexed) + ")");
    }
    try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE run_date = ?")) {
      delete.setDate(1, java.sql.Date.valueOf(runDate));
      delete.executeUpdate();
    }
    try (Statement s = c.createStatement()) {
      return s.executeUpdate("INSERT INTO " + table + " (" + columns + ") SELECT " + columns + " FROM " + staging);
    }
  }

  private void dropQuietly(Properties props, List<String> staged) {
    if (staged.isEmpty()) {
      return;
    }
    try (Connection c = connect(props); Statement s = c.createStatement()) {
      for (String table : staged) {
        s.execute("DROP TABLE IF EXISTS " + table);
      }
    } catch (SQLException e) {
      LOG.warn("Could not drop the staging tables {} in {}: {}", staged, target.location(), e.getMessage());
    }
  }

  private Properties properties() {
    Properties props = new Properties();
    props.setProperty("driver", "org.postgresql.Driver");
    if (target.user() != null && !target.user().isBlank()) {
      props.setProperty("user", target.user());
    }
    if (target.passwordEnv() != null && !target.passwordEnv().isBlank()) {
      String password = System.getenv(target.passwordEnv());
      if (password == null) {
        throw new ContractException("Cannot publish to PostgreSQL " + target.location() + ": environment variable "
            + target.passwordEnv() + " (its password) is not set");
      }
      props.setProperty("password", password);
    }
    return props;
  }

  private Connection connect(Properties props) throws SQLException {
    return DriverManager.getConnection(target.url(), props);
  }

  private String qualified(String table) {
    return quote(target.schema()) + "." + quote(table);
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
