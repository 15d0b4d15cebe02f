package io.churnducks.jobs.cli;

import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.io.SparkSessions;
import io.churnducks.jobs.io.Warehouse;
import io.churnducks.jobs.publish.Publication;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.LocalDate;
import java.util.concurrent.Callable;

/** {@code churn publish --run-date D --target postgres}: hands a run date's risk list to CS tools. */
@Command(name = "publish", mixinStandardHelpOptions = true,
    description = {"Publish a run date's churn_risk_list and customer_segments from the warehouse.",
        "--target postgres writes both to PostgreSQL (publish.postgres.url, .user, .schema; the password from the "
            + "environment variable named by publish.postgres.password-env) in one transaction, replacing that run "
            + "date's rows and creating tables and indexes when missing. --target csv writes the risk list's CSV "
            + "under the warehouse's exports folder again."})
public final class PublishCommand implements Callable<Integer> {

  @Mixin
  CommonOptions common;

  @Option(names = "--run-date", required = true, converter = RunDateConverter.class, paramLabel = "YYYY-MM-DD",
      description = "The run date to publish (Airflow: {{ ds }}).")
  LocalDate runDate;

  @Option(names = "--target", required = true, paramLabel = "postgres|csv",
      description = "Where to publish: ${COMPLETION-CANDIDATES}.")
  Publication.Target target;

  @Override
  public Integer call() {
    ChurnConfig config = common.load();
    SparkSession spark = SparkSessions.create(config);
    Publication publication = new Publication(new Warehouse(spark, config.warehouse()), config);
    System.out.println(publication.publish(runDate, target));
    return 0;
  }
}
