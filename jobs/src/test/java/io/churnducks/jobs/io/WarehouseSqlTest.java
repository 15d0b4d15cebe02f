package io.churnducks.jobs.io;

import io.churnducks.features.testing.SparkTestBase;
import io.churnducks.features.validation.ContractException;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WarehouseSqlTest extends SparkTestBase {

  private static final StructType SCORES = new StructType().add("account_id", DataTypes.StringType)
      .add("churn_probability", DataTypes.DoubleType).add("top_reasons", DataTypes.StringType);

  private String run(WarehouseSql sql, String query, WarehouseSql.Format format, int limit) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    sql.run(query, format, limit, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private WarehouseSql warehouse(Path root) throws Exception {
    SparkSessions.configure(spark(), 2);
    Warehouse w = new Warehouse(spark(), root.toString());
    w.write("churn_scores", frame(SCORES, new Object[] {"a", 0.25, "2 unpaid invoices, 40 days late"},
        new Object[] {"b", 0.5, "active users\tdown"}), SCORES, LocalDate.of(2026, 1, 1));
    w.write("churn_scores", frame(SCORES, new Object[] {"a", 0.75, null}), SCORES, LocalDate.of(2026, 2, 1));
    Files.createDirectories(root.resolve("_registry/v1"));
    Files.createDirectories(root.resolve("exports/churn_scores"));
    return new WarehouseSql(spark(), w);
  }

  @Test
  void everyTableIsAViewByItsNameAndTsvIsHeaderAndRowsOnly(@TempDir Path root) throws Exception {
    WarehouseSql sql = warehouse(root);
    assertEquals(List.of("churn_scores"), sql.registerTables(), "models, bookkeeping and exports are not tables");
    assertEquals("account_id\trun_date\tchurn_probability\ttop_reasons\n"
            + "a\t2026-01-01\t0.25\t2 unpaid invoices, 40 days late\n"
            + "b\t2026-01-01\t0.5\tactive users\\tdown\n"
            + "a\t2026-02-01\t0.75\t\n",
        run(sql, "SELECT account_id, run_date, churn_probability, top_reasons FROM churn_scores "
            + "ORDER BY run_date, account_id", WarehouseSql.Format.tsv, 100));
  }

  @Test
  void csvQuotesWhatNeedsQuotingAndTheTableFormatShowsALimit(@TempDir Path root) throws Exception {
    WarehouseSql sql = warehouse(root);
    assertEquals("account_id,top_reasons\na,\"2 unpaid invoices, 40 days late\"\n",
        run(sql, "SELECT account_id, top_reasons FROM churn_scores WHERE run_date = '2026-01-01' AND account_id = 'a'",
            WarehouseSql.Format.csv, 100));
    String table = run(sql, "SELECT account_id, count(*) AS runs FROM churn_scores GROUP BY 1 ORDER BY 1",
        WarehouseSql.Format.table, 1);
    assertEquals("account_id | runs\n-----------+-----\na          | 2\n(first 1 rows; --limit N shows more, "
        + "--format csv all)\n", table);
  }

  @Test
  void aBadQueryIsOneLineNamingTheTables(@TempDir Path root) throws Exception {
    WarehouseSql sql = warehouse(root);
    ContractException e = assertThrows(ContractException.class,
        () -> run(sql, "SELECT * FROM churn_score", WarehouseSql.Format.tsv, 10));
    assertTrue(e.getMessage().startsWith("Cannot run the query: ") && e.getMessage().contains("churn_score")
        && e.getMessage().endsWith("(tables: churn_scores)"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void versionAsOfReadsAnEarlierVersionForAudits(@TempDir Path root) throws Exception {
    WarehouseSql sql = warehouse(root);
    assertEquals("n\n2\n", run(sql, "SELECT count(*) AS n FROM churn_scores VERSION AS OF 0", WarehouseSql.Format.tsv, 10));
    assertEquals("n\n3\n", run(sql, "SELECT count(*) AS n FROM churn_scores", WarehouseSql.Format.tsv, 10));
    List<String> history = run(sql, "DESCRIBE HISTORY churn_scores", WarehouseSql.Format.tsv, 10).lines().toList();
    assertEquals(3, history.size(), "a header and one line per version: " + history);
    assertTrue(history.get(0).startsWith("version\ttimestamp\t") && history.get(1).startsWith("1\t")
        && history.get(1).contains("\tWRITE\t"), history.toString());
  }
}
