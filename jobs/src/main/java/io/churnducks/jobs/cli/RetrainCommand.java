package io.churnducks.jobs.cli;

import picocli.CommandLine.Command;

/** {@code churn retrain --run-date D}: the nightly run, training a new churn model whatever the champion. */
@Command(name = "retrain", mixinStandardHelpOptions = true,
    description = {"Run every stage for one run date like nightly, but train and backtest a new churn model "
        + "even when the champion could score: every model.candidates entry is a challenger, backtested on the "
        + "rolling folds beside the champion's recipe. The best challenger wins only if its pooled AUC beats the "
        + "champion recipe's by model.promotion-margin; otherwise the champion's recipe is refitted on the new "
        + "examples. The result becomes the champion unless a champion trained for a later run date exists."})
public final class RetrainCommand extends NightlyCommand {

  @Override
  boolean alwaysRetrain() {
    return true;
  }
}
