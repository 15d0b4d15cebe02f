package io.churnducks.jobs.cli;

import picocli.CommandLine.Command;

/** {@code churn retrain --run-date D}: the nightly run, training a new churn model whatever the champion. */
@Command(name = "retrain", mixinStandardHelpOptions = true,
    description = {"Run every stage for one run date like nightly, but train and backtest a new churn model "
        + "(every model.candidates entry on the rolling folds) even when the champion could score. The new model "
        + "becomes the champion unless a champion trained for a later run date exists."})
public final class RetrainCommand extends NightlyCommand {

  @Override
  boolean alwaysRetrain() {
    return true;
  }
}
