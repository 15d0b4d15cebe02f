package io.churnducks.jobs.publish;

import io.churnducks.features.contract.SourceMapping;
import io.churnducks.features.testing.SparkTestBase;
import io.churnducks.features.validation.ContractException;
import io.churnducks.jobs.config.SourceSettings;
import io.churnducks.jobs.io.SourceReader;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Publishing to, and reading sources from, a real PostgreSQL server (started from Maven, no mocks). */
class PostgresPublisherTest extends SparkTestBase {

  private static final StructType RISK = new StructType().add("rank", DataTypes.LongType)
      .add("account_id", DataTypes.StringType).add("churn_probability", DataTypes.DoubleType)
      .add("top_reasons", DataTypes.StringType);
  private static final StructType SEGMENTS = new StructType().add("account_id", DataTypes.StringType)
      .add("segment_id", DataTypes.IntegerType).add("segment_name", DataTypes.StringType);
  private static final LocalDate D1 = LocalDate.of(2026, 1, 1);
  private static final LocalDate D2 = LocalDate.of(2026, 2, 1);

  static EmbeddedPostgres pg;
  static String url;

  @BeforeAll
  static void startPostgres() throws IOException {
    pg = EmbeddedPostgres.start();
    url = pg.getJdbcUrl("postgres", "postgres");
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    pg.close();
  }

  private static PostgresPublisher publisher(String schema) {
    return new PostgresPublisher(new PostgresPublisher.Target(url, "postgres", null, schema));
  }

  private List<PostgresPublisher.Table> tables(Object[][] risk, Object[][] segments) {
    return List.of(new PostgresPublisher.Table("churn_risk_list", frame(RISK, risk), List.of("rank")),
        new PostgresPublisher.Table("customer_segments", frame(SEGMENTS, segments), List.of("account_id")));
  }

  @Test
  void aRunDateIsReplacedWholeAndOtherRunDatesStay() throws SQLException {
    PostgresPublisher p = publisher("cs");
    PostgresPublisher.Published first = p.publish(D1, tables(
        new Object[][] {{1L, "a", 0.61, "2 unpaid invoices"}, {2L, "b", 0.40, "active users down 60 %"}},
        new Object[][] {{"a", 1, "Seat Sharers"}, {"b", 2, "Quiet Loyalists"}}));
    assertEquals(Map.of("churn_risk_list", 2L, "customer_segments", 2L), first.rows());
    p.publish(D2, tables(new Object[][] {{1L, "c", 0.7, "discount ended 40 days ago"}},
        new Object[][] {{"c", 3, "Discount Hunters"}}));
    p.publish(D1, tables(new Object[][] {{1L, "b", 0.52, "no login for 30 days"}},
        new Object[][] {{"b", 2, "Quiet Loyalists"}}));

    assertEquals(List.of("2026-01-01 1 b 0.52 no login for 30 days", "2026-02-01 1 c 0.7 discount ended 40 days ago"),
        query("SELECT run_date, rank, account_id, churn_probability, top_reasons FROM cs.churn_risk_list "
            + "ORDER BY run_date, rank"));
    assertEquals(List.of("2026-01-01 b Quiet Loyalists", "2026-02-01 c Discount Hunters"),
        query("SELECT run_date, account_id, segment_name FROM cs.customer_segments ORDER BY run_date"));
    assertEquals(List.of("churn_risk_list_by_run_date", "customer_segments_by_run_date"),
        query("SELECT indexname FROM pg_indexes WHERE schemaname = 'cs' ORDER BY indexname"));
    assertEquals(List.of(), query("SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%staging%'"),
        "staging tables are dropped");
  }

  @Test
  void aFailedPublicationLeavesThePreviousRowsAndNoStagingTables() throws SQLException {
    PostgresPublisher p = publisher("failing");
    p.publish(D1, tables(new Object[][] {{1L, "a", 0.61, "2 unpaid invoices"}}, new Object[][] {{"a", 1, "Seat Sharers"}}));
    // Someone added a required column to the segment table: tonight's insert into it fails after
    // the risk list's rows were already replaced inside the transaction.
    execute("ALTER TABLE failing.customer_segments ADD COLUMN reviewed_by text NOT NULL DEFAULT 'x'");
    execute("ALTER TABLE failing.customer_segments ALTER COLUMN reviewed_by DROP DEFAULT");

    ContractException e = assertThrows(ContractException.class, () -> p.publish(D1, tables(
        new Object[][] {{1L, "z", 0.9, "key user left"}}, new Object[][] {{"z", 4, "Support Heavy"}})));
    assertTrue(e.getMessage().startsWith("Cannot publish 2026-01-01 to PostgreSQL jdbc:postgresql://"), e.getMessage());
    assertTrue(e.getMessage().contains("reviewed_by") && e.getMessage().endsWith("(the database keeps its previous rows)"),
        e.getMessage());
    assertEquals(List.of("a"), query("SELECT account_id FROM failing.churn_risk_list"));
    assertEquals(List.of(), query("SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%staging%'"));
  }

  @Test
  void aMissingPasswordVariableOrUrlIsOneClearLine() {
    ContractException noPassword = assertThrows(ContractException.class, () -> new PostgresPublisher(
        new PostgresPublisher.Target(url + "&password=secret", "postgres", "CHURN_TEST_UNSET_PASSWORD", "public"))
        .publish(D1, List.of()));
    assertTrue(noPassword.getMessage().endsWith("environment variable CHURN_TEST_UNSET_PASSWORD (its password) is not set"),
        noPassword.getMessage());
    assertTrue(!noPassword.getMessage().contains("secret"), "the URL's query string is never shown");
    ContractException noUrl = assertThrows(ContractException.class,
        () -> new PostgresPublisher(new PostgresPublisher.Target("", null, null, "public")));
    assertTrue(noUrl.getMessage().contains("set publish.postgres.url"), noUrl.getMessage());
  }

  @Test
  void aJdbcSourceIsReadInParallelFromPostgres() throws SQLException {
    execute("CREATE TABLE crm_accounts (id bigint PRIMARY KEY, name text, employees int)");
    execute("INSERT INTO crm_accounts SELECT g, 'Account ' || g, CASE WHEN g % 7 = 0 THEN NULL ELSE g * 3 END "
        + "FROM generate_series(1, 1000) g");
    SourceSettings s = new SourceSettings("accounts", "jdbc", null, url, "crm_accounts", "postgres", null,
        Map.of("partitionColumn", "id", "lowerBound", "1", "upperBound", "1000", "numPartitions", "4",
            "fetchsize", "200"), SourceMapping.identity("accounts"), null);

    Dataset<Row> read = SourceReader.read(spark(), s);

    assertEquals(4, read.rdd().getNumPartitions(), "partitioned read");
    assertEquals(1000, read.count());
    assertEquals(142, read.where("employees IS NULL").count());
    assertEquals(3L * 500500 - 3L * 7 * (142 * 143 / 2), read.agg(org.apache.spark.sql.functions.sum("employees"))
        .first().getLong(0));
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static List<String> query(String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
         ResultSet r = s.executeQuery(sql)) {
      int n = r.getMetaData().getColumnCount();
      while (r.next()) {
        List<String> cells = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          cells.add(String.valueOf(r.getObject(i)));
        }
        out.add(String.join(" ", cells));
      }
    }
    return out;
  }
}
