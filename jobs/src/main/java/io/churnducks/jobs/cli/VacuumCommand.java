package io.churnducks.jobs.cli;

import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.io.SparkSessions;
import io.churnducks.jobs.io.Warehouse;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code churn vacuum}: removes the files only old table versions need, table by table. */
@Command(name = "vacuum", mixinStandardHelpOptions = true,
    description = {"Remove the files of every warehouse table that only versions older than the retention need "
        + "(time travel reaches back that far). Run it between nights, e.g. weekly; the tables' current rows "
        + "are never touched."})
public final class VacuumCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(VacuumCommand.class);

  @Mixin
  CommonOptions common;

  @Option(names = "--retention-hours", paramLabel = "H",
      description = "Hours of history to keep (default: warehouse-retention-hours of the config, 168).")
  Double retentionHours;

  @Override
  public Integer call() {
    ChurnConfig config = common.load();
    double hours = retentionHours != null ? retentionHours : config.warehouseRetentionHours();
    if (hours < 0) {
      throw new IllegalArgumentException("Cannot vacuum with --retention-hours " + hours + ": it must be 0 or more");
    }
    SparkSession spark = SparkSessions.create(config);
    Warehouse warehouse = new Warehouse(spark, config.warehouse());
    java.util.List<String> tables = warehouse.deltaTables();
    for (String table : tables) {
      long t = System.nanoTime();
      warehouse.vacuum(table, hours);
      LOG.info(String.format(Locale.ROOT, "Vacuumed %s (history kept: %.0f hours): %.1fs", table, hours,
          (System.nanoTime() - t) / 1e9));
    }
    System.out.println("Vacuumed " + tables.size() + " tables of " + warehouse.root() + ", keeping "
        + String.format(Locale.ROOT, "%.0f", hours) + " hours of history");
    return 0;
  }
}
