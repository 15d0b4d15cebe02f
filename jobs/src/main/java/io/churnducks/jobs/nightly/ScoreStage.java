package io.churnducks.jobs.nightly;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.indicators.ReasonPhrases;
import io.churnducks.features.validation.ContractException;
import io.churnducks.jobs.io.Warehouse;
import io.churnducks.models.churn.ChurnModel;
import io.churnducks.models.churn.ChurnScores;
import io.churnducks.models.churn.RiskList;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.util.List;

import static io.churnducks.jobs.nightly.Night.CONFORMED;
import static io.churnducks.jobs.nightly.Night.secondsSince;
import static org.apache.spark.sql.functions.col;

/** Score: {@code churn_scores} with the model model_evaluations chose, and the {@code churn_risk_list} with its CSV. */
final class ScoreStage implements NightStage {

  @Override
  public void run(Night night) {
    LocalDate runDate = night.runDate;
    Warehouse warehouse = night.warehouse;
    Night.Outputs out = night.out;
    long t = System.nanoTime();
    Dataset<Row> features = night.features();
    long active = features.count();
    List<Row> versions = warehouse.runDates("model_evaluations").contains(runDate)
        ? warehouse.read("model_evaluations", runDate).where(col("chosen")).select("model_version", "candidate")
            .limit(1).collectAsList() : List.of();
    if (versions.isEmpty()) {
      throw new ContractException("Cannot score " + runDate + ": model_evaluations names no model for it (run `churn "
          + "train --run-date " + runDate + "` first)");
    }
    out.modelVersion = versions.get(0).getString(0);
    ChurnModel model = night.registry()
        .load(out.modelVersion, night.config.model()).worded(ReasonPhrases::phrase);
    warehouse.write("churn_scores", model.score(features), ChurnScores.SCHEMA, runDate);
    Dataset<Row> scores = warehouse.read("churn_scores", runDate);
    long scored = scores.count();
    night.manifest.record("score", "churn_scores", "ok", active, scored, secondsSince(t), "model " + out.modelVersion);

    t = System.nanoTime();
    Dataset<Row> storedSegments = warehouse.read("customer_segments", runDate);
    Dataset<Row> riskList = RiskList.build(scores, storedSegments, night.state.read(CONFORMED
        + InputContract.ACCOUNTS.name(), "validate"), night.config.riskListTiers(), night.config.riskListPlays());
    warehouse.write("churn_risk_list", riskList, RiskList.SCHEMA, runDate);
    Dataset<Row> storedList = warehouse.read("churn_risk_list", runDate).drop(Warehouse.RUN_DATE).orderBy("rank");
    out.csv = warehouse.exportCsv("churn_risk_list", RiskList.forPeople(storedList), runDate);
    out.listed = storedList.count();
    out.scored = scored;
    night.manifest.record("risk_list", "churn_risk_list", "ok", scored, out.listed, secondsSince(t), "CSV " + out.csv);
  }
}
