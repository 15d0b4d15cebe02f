package io.churnducks.jobs.bench;

import io.churnducks.jobs.generate.ModelVsTruth;
import io.churnducks.jobs.generate.PersonaRecovery;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders the measurements of one {@code churn bench} run as Markdown (BENCHMARKS.md). */
public final class BenchmarkReport {

  private BenchmarkReport() {}

  /**
   * @param months   months of generated history
   * @param seed     the generator seed of the companies
   * @param machine  cores, memory and JVM heap of the machine that ran it
   * @param command  the command that reproduces the run
   */
  public static String markdown(List<Benchmark.Rung> rungs, int months, long seed, String machine, String command,
      String date) {
    StringBuilder b = new StringBuilder();
    b.append("# Benchmarks\n\n");
    b.append("Written by `churn bench` on ").append(date).append(" from its own measurements; do not edit by hand.\n\n");
    b.append("Machine: ").append(machine).append(".  \nReproduce: `").append(command).append("`\n\n");
    b.append("Each rung generates a company (" + months + " months, generator seed " + seed + ", events as Parquet "
        + "laid out by event date), then in one run "
        + "on the same files: **first night** (the whole history validated and rolled up, features, training, "
        + "segments, scores), **next night** after one more day of events lands, the **usage indicator stage "
        + "alone** over the whole history from the roll-ups, and **DuckDB** computing the same usage indicators "
        + "(events, active days and users, lost users, devices per user, features used, intent, error and "
        + "key-feature events over 28, 56 and 90 days, days since last activity) with the plain SQL of the "
        + "end-to-end cross-check (jobs/src/test/resources/duckdb/usage_indicators.sql) over the same event "
        + "files. *Agreement* counts the accounts whose 28-day indicators, lost users, devices per user and "
        + "days since last activity are equal in both. *Next-night usage indicators* is what the next night "
        + "spent computing and storing tonight's usage indicators of every account: the usage windows advanced "
        + "from last night's by the roll-up days that enter or leave a window, the running values continued "
        + "from last night's (the stored month starts it then reads back for training are not counted). "
        + "*Peak driver heap after GC* is the most heap the driver JVM held right after a garbage collection "
        + "(heap pools only, within the heap limit above; on local[*] the driver JVM also runs the tasks, so "
        + "it includes Spark's execution memory, which grows to its share of the heap whatever the size); an "
        + "upper bound of what the rung needed, as a young collection leaves old garbage in place. That every "
        + "rung completes under the same limit is what shows the driver does not grow with accounts.\n\n");
    b.append("| accounts | events | first night | events/s | next night | next-night usage indicators | "
        + "usage indicators, whole history | DuckDB, whole history | next-night indicators ÷ DuckDB | "
        + "whole history ÷ DuckDB | agreement | peak driver heap after GC | shuffle, first / next night |\n");
    b.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Benchmark.Rung r : rungs) {
      b.append(String.format(Locale.ROOT, "| %,d | %,d | %.1f s | %,.0f | %.1f s | %.1f s | %.1f s | %.1f s | %.2f× | "
              + "%.2f× | %,d / %,d | %s | %s / %s |\n",
          r.accounts(), r.events(), r.firstNightSeconds(), r.events() / r.firstNightSeconds(), r.nextNightSeconds(),
          r.nextNightIndicatorSeconds(), r.indicatorsFullSeconds(), r.duckdbSeconds(),
          r.nextNightIndicatorSeconds() / r.duckdbSeconds(), r.indicatorsFullSeconds() / r.duckdbSeconds(),
          r.agreeing(), r.compared(), Benchmark.gb(r.heapAfterGcBytes()), Benchmark.gb(r.shuffleBytesFirstNight()),
          Benchmark.gb(r.shuffleBytesNextNight())));
    }
    if (rungs.size() > 1) {
      b.append("\n**Scaling** of the first night (time ∝ events^k; linear is k = 1):\n\n");
      b.append("| from | to | events × | time × | k |\n|---:|---:|---:|---:|---:|\n");
      for (int i = 1; i < rungs.size(); i++) {
        Benchmark.Rung a = rungs.get(i - 1);
        Benchmark.Rung c = rungs.get(i);
        double ev = (double) c.events() / a.events();
        double tm = c.firstNightSeconds() / a.firstNightSeconds();
        b.append(String.format(Locale.ROOT, "| %,d | %,d | %.2f | %.2f | %.2f |\n", a.accounts(), c.accounts(), ev, tm,
            Math.log(tm) / Math.log(ev)));
      }
    }
    b.append("\n**Churn model** of the next night against the generator's hidden truth: the accounts it scored, "
        + "what happened to them within the horizon after the run date, and the same accounts ranked by their true "
        + "churn probabilities (the best any model can do). *Ratio* = product ÷ truth. *Expected lift ratio* takes "
        + "the true probabilities as the outcomes: the lift ratio the real outcomes give on average, without their "
        + "sampling noise.\n\n");
    b.append("| accounts | scored | churn rate | model | AUC | true AUC | AUC ratio | top-decile lift | true lift | "
        + "lift ratio | expected lift ratio | ECE | pooled backtest AUC |\n");
    b.append("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Benchmark.Rung r : rungs) {
      ModelVsTruth m = r.model();
      b.append(String.format(Locale.ROOT, "| %,d | %,d | %.3f | %s | %.3f | %.3f | %.3f | %.2f | %.2f | %.3f | %.3f | "
              + "%.3f | %.3f |\n", r.accounts(), m.model().examples(), m.model().churnRate(), m.candidate(),
          m.model().auc(), m.truth().auc(), m.aucRatio(), m.model().topDecileLift(), m.truth().topDecileLift(),
          m.liftRatio(), m.expectedLiftRatio(), m.model().ece(), m.backtestAuc()));
    }
    b.append("\n**Duck segments** of the next night against the generator's hidden personas: adjusted Rand index "
        + "(1 = the same grouping) and each persona's majority segment with the share of the persona in it.\n\n");
    b.append("| accounts | segments | ARI | personas → majority segment |\n|---:|---:|---:|---|\n");
    for (Benchmark.Rung r : rungs) {
      PersonaRecovery p = r.segments();
      StringBuilder m = new StringBuilder();
      p.majority().forEach((persona, segment) -> m.append(m.length() == 0 ? "" : "; ").append(String.format(
          Locale.ROOT, "%s → %s %.0f %%", persona, segment, 100 * p.share().get(persona))));
      b.append(String.format(Locale.ROOT, "| %,d | %d | %.3f | %s |\n", r.accounts(), p.segments(), p.ari(), m));
    }
    b.append("\n**Health** against the hidden churn risk: ");
    for (Benchmark.Rung r : rungs) {
      b.append(String.format(Locale.ROOT, "%,d accounts, %s. ", r.accounts(), r.health().describe()));
    }
    b.append("\n");
    b.append("\n**Seconds per stage** (from each run's `run_manifest`):\n\n");
    for (Benchmark.Rung r : rungs) {
      b.append(String.format(Locale.ROOT, "- %,d accounts, first night: %s\n", r.accounts(), stages(r.firstNight())));
      b.append(String.format(Locale.ROOT, "- %,d accounts, next night: %s\n", r.accounts(), stages(r.nextNight())));
    }
    return b.toString();
  }

  private static String stages(Map<String, Double> s) {
    StringBuilder b = new StringBuilder();
    s.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(' ')
        .append(String.format(Locale.ROOT, "%.1f s", v)));
    return b.toString();
  }
}
