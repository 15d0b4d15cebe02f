package io.churnducks.jobs.nightly;

import io.churnducks.features.indicators.CustomerFeatures;
import io.churnducks.features.indicators.ReasonPhrases;
import io.churnducks.features.relevance.IndustryFocus;
import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.io.Warehouse;
import io.churnducks.models.churn.ChurnModel;
import io.churnducks.models.churn.ChurnModelSettings;
import io.churnducks.models.churn.ChurnTraining;
import io.churnducks.models.churn.ModelRegistry;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

import static io.churnducks.jobs.nightly.Night.LOG;
import static io.churnducks.jobs.nightly.Night.populated;
import static io.churnducks.jobs.nightly.Night.secondsSince;
import static org.apache.spark.sql.functions.col;

/**
 * Train: the churn model. The champion scores when {@link ChampionReuse} allows it; otherwise
 * challengers are backtested and the winner trained ({@code model_evaluations}).
 */
final class TrainStage implements NightStage {

  @Override
  public void run(Night night) {
    LocalDate runDate = night.runDate;
    ChurnConfig config = night.config;
    Warehouse warehouse = night.warehouse;
    Night.Outputs out = night.out;
    long t = System.nanoTime();
    night.indicators = night.runIndicators();
    ChurnModelSettings ms = config.model();
    List<LocalDate> asOfDates = night.asOfDates();
    Dataset<Row> examples = night.examples();
    long exampleCount = examples.count();
    List<String> numeric = populated(populated(CustomerFeatures.numericIndicators(), night.features()), examples);
    List<String> kept = night.keptIndustries();
    Dataset<Row> focusedExamples = examples.withColumn("industry", IndustryFocus.folded(col("industry"), kept));
    List<String> logScaled = config.modelLogScaled().stream().filter(numeric::contains).toList();
    ChurnModel.Columns columns = new ChurnModel.Columns(numeric, logScaled, config.modelCategorical(),
        CustomerFeatures.earlyIndicators(), CustomerFeatures.betterWhen()).withReasonGroups(night.behaviouralGroups());
    ModelRegistry registry = night.registry();
    String recipe = ChampionReuse.recipe(columns, ms, kept, night.indicators);
    Optional<ChurnModel.Card> current = registry.champion();
    Optional<ChurnModel.Card> champion = night.retrain ? Optional.empty()
        : current.filter(c -> ChampionReuse.reusable(c, recipe, runDate, config.modelMaxAgeDays()));
    if (champion.isPresent()) {
      ChurnModel.Card card = champion.get();
      out.evaluation = card.evaluation();
      out.modelVersion = card.version();
      LocalDate trainedFor = LocalDate.parse(card.runDate());
      if (!trainedFor.equals(runDate)) {
        warehouse.write("model_evaluations", ModelEvaluations.upgraded(warehouse.read("model_evaluations", trainedFor)
            .drop(Warehouse.RUN_DATE)), ModelEvaluations.SCHEMA, runDate);
      }
      night.manifest.record("train", "model_evaluations", "skipped", exampleCount, 0L, secondsSince(t),
          "scoring with champion " + card.version() + " trained for " + trainedFor + " (retrains after "
          + config.modelMaxAgeDays() + " days, on a change of inputs or settings, or with --retrain)");
      LOG.info("Scoring with champion {} trained for {}: {}", card.version(), trainedFor, out.evaluation);
    } else {
      ChurnTraining.Trained trained = ChurnTraining.train(focusedExamples, asOfDates, columns, ms, runDate,
          current.map(c -> new ChurnTraining.Champion(c.version(), c.candidate(), c.columns(),
              config.modelPromotionMargin())));
      ChurnModel model = trained.model().worded(ReasonPhrases::phrase);
      out.evaluation = ModelEvaluations.describe(trained);
      out.modelVersion = model.version();
      registry.save(model, model.card(recipe, out.evaluation, trained.provenance()));
      boolean promoted = current.map(c -> !c.recipe().equals(recipe)
          || !LocalDate.parse(c.runDate()).isAfter(runDate)).orElse(true);
      // The evaluation is written first: a run that fails between the two leaves the old champion.
      warehouse.write("model_evaluations", night.spark.createDataFrame(ModelEvaluations.rows(trained, exampleCount,
          asOfDates), ModelEvaluations.SCHEMA), ModelEvaluations.SCHEMA, runDate);
      if (promoted) {
        registry.promote(model.version());
      }
      night.manifest.record("train", "model_evaluations", "ok", exampleCount, 1L, secondsSince(t), model.version()
          + ": " + out.evaluation + (promoted ? "; champion" : "; kept beside the newer champion"));
    }
  }
}
