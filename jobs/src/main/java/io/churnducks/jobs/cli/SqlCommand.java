package io.churnducks.jobs.cli;

import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.io.SparkSessions;
import io.churnducks.jobs.io.Warehouse;
import io.churnducks.jobs.io.WarehouseSql;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code churn sql "SELECT …"}: Spark SQL over every warehouse table by name. */
@Command(name = "sql", mixinStandardHelpOptions = true,
    description = {"Run Spark SQL over the warehouse: every table is a view by its name, holding all its run dates "
        + "(filter on run_date), e.g. churn sql \"SELECT segment_name, count(*) FROM customer_segments "
        + "WHERE run_date = '2026-01-01' GROUP BY 1\".",
        "--format tsv prints a header line and tab-separated rows, nothing else (logs go to stderr)."})
public final class SqlCommand implements Callable<Integer> {

  @Mixin
  CommonOptions common;

  @Parameters(index = "0", paramLabel = "QUERY", description = "The SQL query.")
  String query;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|csv|tsv",
      description = "Output: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  WarehouseSql.Format format;

  @Option(names = "--limit", defaultValue = "100", paramLabel = "N",
      description = "Rows shown by --format table (default ${DEFAULT-VALUE}); csv and tsv print every row.")
  int limit;

  @Override
  public Integer call() {
    ChurnConfig config = common.load();
    SparkSession spark = SparkSessions.create(config);
    new WarehouseSql(spark, new Warehouse(spark, config.warehouse())).run(query, format, limit, System.out);
    return 0;
  }
}
