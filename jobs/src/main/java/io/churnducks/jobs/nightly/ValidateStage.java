package io.churnducks.jobs.nightly;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.TableContract;
import io.churnducks.features.validation.ConformedSource;
import io.churnducks.features.validation.ContractValidator;
import io.churnducks.features.validation.Quarantine;
import io.churnducks.features.validation.QuarantineSummary;
import io.churnducks.features.validation.SourceConformer;
import io.churnducks.features.validation.ValidatedInputs;
import io.churnducks.jobs.config.SourceSettings;
import io.churnducks.jobs.io.SourceReader;
import io.churnducks.jobs.nightly.NightlyJob.SourceStats;
import io.churnducks.jobs.rollup.UsageRollupStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.churnducks.jobs.nightly.Night.CONFORMED;
import static io.churnducks.jobs.nightly.Night.LOG;
import static io.churnducks.jobs.nightly.Night.REJECTED_ACCOUNTS;
import static io.churnducks.jobs.nightly.Night.USAGE;
import static io.churnducks.jobs.nightly.Night.materialize;
import static io.churnducks.jobs.nightly.Night.secondsSince;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

/**
 * Validate: reads and checks the sources, rolls up the new usage days, keeps the clean tables for
 * the run. A source rejecting too many rows fails the stage only once every source is checked,
 * so one night shows every source's rejects (dq_quarantine, usage_quarantine) and one line
 * names them all; what the failed night wrote besides the quarantines is rolled back.
 */
final class ValidateStage implements NightStage {

  @Override
  public void run(Night night) {
    List<SourceStats> stats = night.out.stats;
    List<String> failures = new ArrayList<>();
    Map<String, Dataset<Row>> tables = validate(night, stats, failures);
    try {
      rollUp(night, tables, stats, Optional.empty(), !failures.isEmpty());
    } catch (UsageRollupStage.TooManyRejected e) {
      failures.add(e.failure());
    }
    RejectedShare.failIfAny(night.runDate, failures);
    tables.forEach((name, df) -> night.state.write(CONFORMED + name, df));
    night.state.write(REJECTED_ACCOUNTS, night.rejectedAccounts);
  }

  /** Reads, conforms and checks every source; writes dq_quarantine; returns the clean tables. */
  static Map<String, Dataset<Row>> validate(Night night, List<SourceStats> stats) {
    List<String> failures = new ArrayList<>();
    Map<String, Dataset<Row>> clean = validate(night, stats, failures);
    RejectedShare.failIfAny(night.runDate, failures);
    return clean;
  }

  /**
   * Reads, conforms and checks every source; writes dq_quarantine; returns the clean tables. A
   * source rejecting more than {@code validation.max-rejected-share} of its rows adds its
   * {@link QuarantineSummary#failure} to {@code failures}.
   */
  static Map<String, Dataset<Row>> validate(Night night, List<SourceStats> stats, List<String> failures) {
    LocalDate runDate = night.runDate;
    LocalDate extractDate = night.extractDate;
    long t = System.nanoTime();
    Map<String, SourceSettings> sources = night.config.sources();
    Map<String, ConformedSource> conformed = new LinkedHashMap<>();
    Map<String, long[]> counts = new LinkedHashMap<>();
    // Per source, the warning naming the columns its mapping does not use.
    Map<String, String> unused = new LinkedHashMap<>();
    // Rows with their raw JSON, needed until the quarantine is written; released before the features.
    List<Dataset<Row>> checkedFrames = new ArrayList<>();
    for (SourceSettings s : sources.values()) {
      if (s.table().equals(USAGE)) {
        continue;
      }
      TableContract contract = InputContract.table(s.table());
      Dataset<Row> raw = SourceReader.read(night.spark, s);
      ConformedSource c = SourceConformer.conform(raw, contract, s.mapping(), s.location(), runDate, extractDate);
      Dataset<Row> checked = c.checked().persist(StorageLevel.MEMORY_AND_DISK());
      checkedFrames.add(checked);
      ConformedSource kept = new ConformedSource(c.table(), checked, c.canonicalNames(), c.sourceColumns(),
          c.absentColumns());
      conformed.put(s.table(), kept);
      long read = SourceReader.reading(s, null, raw::count);
      Row conformedCounts = SourceReader.reading(s, null,
          () -> kept.checked().agg(count(lit(1)), kept.outOfScopeCount()).first());
      counts.put(s.table(), new long[] {read, read - conformedCounts.getLong(0), conformedCounts.getLong(1)});
      if (!c.absentColumns().isEmpty()) {
        LOG.info("Source {} provides no {}: left empty", s.table(), c.absentColumns());
      }
      SourceConformer.unusedColumnsWarning(raw, contract, s.mapping(), s.location()).ifPresent(line -> {
        LOG.warn(line);
        unused.put(s.table(), line);
      });
    }
    for (TableContract table : InputContract.ALL) {
      if (!sources.containsKey(table.name()) && !table.requiredSource()) {
        LOG.warn("Source {} is not configured: the indicators that need it are disabled", table.name());
      }
    }
    ValidatedInputs validated = ContractValidator.validate(conformed).map(df -> {
      Dataset<Row> p = df.persist(StorageLevel.MEMORY_AND_DISK());
      checkedFrames.add(p);
      return p;
    });
    Map<String, Dataset<Row>> clean = new LinkedHashMap<>();
    validated.tables().forEach((name, df) -> clean.put(name, materialize(df)));
    night.rejectedAccounts = materialize(validated.validated().get(InputContract.ACCOUNTS.name()).rejectedKeys());
    night.warehouse.write("dq_quarantine", validated.quarantine(), Quarantine.SCHEMA, runDate);

    // Only rejected rows count toward the rejected share; nulled optional values are reported.
    QuarantineSummary summary = QuarantineSummary.of(night.warehouse.read("dq_quarantine", runDate));
    checkedFrames.forEach(Dataset::unpersist);
    double seconds = secondsSince(t);
    for (Map.Entry<String, long[]> e : counts.entrySet()) {
      String source = e.getKey();
      long read = e.getValue()[0];
      long skipped = e.getValue()[1];
      long outOfScope = e.getValue()[2];
      Map<String, Long> rules = summary.rejectedByRule().getOrDefault(source, Map.of());
      long rejected = summary.rejected(source);
      stats.add(new SourceStats(source, read, skipped, rejected, rules));
      long considered = read - skipped - outOfScope;
      double share = considered == 0 ? 0.0 : (double) rejected / considered;
      boolean tooMany = share > night.config.maxRejectedShare();
      List<String> notes = new ArrayList<>(summary.notes().getOrDefault(source, List.of()));
      if (outOfScope > 0) {
        notes.add(outOfScope + " rows out of scope (dated on or after " + runDate + ", up to the extract date "
            + extractDate + ")");
      }
      if (skipped > 0) {
        // Rows in = rows out + quarantined rows + these + the out-of-scope ones.
        notes.add(skipped + " rows skipped by the source's filter");
      }
      if (unused.containsKey(source)) {
        notes.add(unused.get(source));
      }
      String detail = notes.isEmpty() ? null : String.join("; ", notes);
      boolean flagged = rejected > 0 || summary.notes().containsKey(source) || unused.containsKey(source);
      night.manifest.record("validate", source, tooMany ? "failed" : flagged ? "warning" : "ok", read,
          considered - rejected, seconds, detail);
      if (tooMany) {
        failures.add(summary.failure(source, considered, night.config.maxRejectedShare()));
      }
    }
    return clean;
  }

  /**
   * Rolls up the usage events tonight needs (see {@link UsageRollupStage}); empty when no usage
   * source is configured. The events' counts join the sources' stats.
   *
   * @param forced         dates rolled up again whatever the log says (backfill)
   * @param quarantineOnly the night already failed: only validate the events and write their rejects
   */
  static Optional<UsageRollupStage.Outcome> rollUp(Night night, Map<String, Dataset<Row>> tables,
      List<SourceStats> stats, Optional<LocalDate[]> forced, boolean quarantineOnly) {
    SourceSettings source = night.config.sources().get(USAGE);
    if (source == null) {
      return Optional.empty();
    }
    Dataset<Row> accounts = tables.get(InputContract.ACCOUNTS.name());
    Dataset<Row> subscriptions = tables.get(InputContract.SUBSCRIPTIONS.name());
    UsageRollupStage.Outcome o;
    try {
      o = new UsageRollupStage(night.spark, night.warehouse, source, night.config.rollup(),
          new UsageRollupStage.References(accounts.select("account_id"), night.rejectedAccounts,
              subscriptions.select("subscription_id",
              "account_id")), night.extractDate).quarantineOnly(quarantineOnly).run(night.runDate, forced);
    } catch (UsageRollupStage.TooManyRejected e) {
      stats.add(new SourceStats(USAGE, e.read(), 0L, e.read() - e.clean(), e.rejectedByRule()));
      night.manifest.record("rollup", USAGE, "failed", e.read(), e.clean(), e.seconds(),
          e.failure() + " (usage_quarantine)");
      throw e;
    }
    stats.add(new SourceStats(USAGE, o.read(), 0L, o.rejected(), o.rejectedByRule()));
    night.manifest.record("rollup", USAGE, o.rejected() > 0 || o.warnings().isPresent() ? "warning" : "ok",
        o.read(), o.rolled(), o.seconds(), o.processed().size() + " event dates, " + o.layout()
            + (o.rejected() == 0 ? "" : "; rejected " + o.rejectedByRule() + " (usage_quarantine)")
            + (quarantineOnly ? "; validated only, not rolled up (another source failed the night)" : "")
            + o.warnings().map(line -> "; " + line).orElse(""));
    return Optional.of(o);
  }
}
