package io.churnducks.jobs.publish;

import io.churnducks.features.validation.ContractException;
import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.io.Warehouse;
import io.churnducks.models.churn.RiskList;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.util.List;

/** Publishes a run date's risk list and segments from the warehouse to where CS reads them. */
public final class Publication {

  /** Where a publication goes. */
  public enum Target { postgres, csv }

  private final Warehouse warehouse;
  private final ChurnConfig config;

  public Publication(Warehouse warehouse, ChurnConfig config) {
    this.warehouse = warehouse;
    this.config = config;
  }

  /** Publishes {@code runDate}; returns one line saying what went where. */
  public String publish(LocalDate runDate, Target target) {
    Dataset<Row> riskList = stored("churn_risk_list", runDate);
    return switch (target) {
      case csv -> "Risk list for " + runDate + " written to " + warehouse.exportCsv("churn_risk_list",
          RiskList.forPeople(riskList.orderBy("rank")), runDate);
      case postgres -> {
        PostgresPublisher publisher = new PostgresPublisher(config.postgresTarget());
        PostgresPublisher.Published p = publisher.publish(runDate, List.of(
            new PostgresPublisher.Table("churn_risk_list", riskList, List.of("rank")),
            new PostgresPublisher.Table("customer_segments", stored("customer_segments", runDate),
                List.of("account_id"))));
        yield "Published " + runDate + " to PostgreSQL " + config.postgresTarget().location() + ": "
            + String.join(", ", p.rows().entrySet().stream().map(e -> String.format("%s %,d rows", e.getKey(),
                e.getValue())).toList());
      }
    };
  }

  private Dataset<Row> stored(String table, LocalDate runDate) {
    if (!warehouse.exists(table)) {
      throw new ContractException("Cannot publish " + runDate + ": the warehouse " + warehouse.root() + " has no "
          + table + " (run `churn nightly --run-date " + runDate + "` first)");
    }
    Dataset<Row> rows = warehouse.read(table, runDate).drop(Warehouse.RUN_DATE);
    if (rows.isEmpty()) {
      throw new ContractException("Cannot publish " + runDate + ": " + table + " has no rows for that run date in "
          + warehouse.root() + " (run `churn nightly --run-date " + runDate + "` first)");
    }
    return rows;
  }
}
