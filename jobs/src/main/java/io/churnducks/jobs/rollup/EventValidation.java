package io.churnducks.jobs.rollup;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.TableContract;
import io.churnducks.features.validation.ConformedSource;
import io.churnducks.features.validation.ContractValidator;
import io.churnducks.features.validation.ReferenceChecks;
import io.churnducks.features.validation.SourceConformer;
import io.churnducks.features.validation.ValidatedTable;
import io.churnducks.jobs.config.SourceSettings;
import io.churnducks.jobs.io.Warehouse;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

/**
 * The input contract applied to a slice of usage events, the same rules as every other source
 * ({@link SourceConformer}, {@link ContractValidator#validateDependent}): row-level rules, the
 * account (resolved through the subscription when the source has none) checked against the clean
 * and the rejected accounts, and duplicate event ids within an event date. Every row is dated
 * ({@value #EVENT_DATE}): by its folder for a source laid out by date, else by its event time.
 */
final class EventValidation {

  /** Hidden source column holding the date of the folder a row was read from. */
  static final String FOLDER_DATE = "_folder_date";
  static final String EVENT_DATE = "event_date";
  private static final TableContract CONTRACT = InputContract.USAGE_EVENTS;

  /**
   * A validated slice, staged: every row in scope (clean, rejected by a row-level or a cross-row
   * rule, with nulled values) with the hidden problem column; the source row is kept only on the
   * rows the quarantine shows.
   */
  record Staged(ValidatedTable table) {
    /** Clean rows: canonical columns and {@value #EVENT_DATE}. */
    Dataset<Row> clean() {
      return table.clean();
    }

    /** Every quarantine record, with {@value #EVENT_DATE} (null: the row could not be dated). */
    Dataset<Row> quarantine() {
      return table.crossRowQuarantine(EVENT_DATE);
    }

    /** Every row, with the hidden problem column (null: clean). */
    Dataset<Row> checked() {
      return table.checked();
    }
  }

  private final SourceSettings source;
  private final UsageRollupStage.References references;
  private final LocalDate extractDate;

  EventValidation(SourceSettings source, UsageRollupStage.References references, LocalDate extractDate) {
    this.source = source;
    this.references = references;
    this.extractDate = extractDate;
  }

  /**
   * Validates rows read from date folders (column {@value #FOLDER_DATE}) and stages the result
   * under {@code staging} in the warehouse.
   */
  Staged validateFolders(Dataset<Row> raw, Warehouse warehouse, String staging) {
    // The folder decides the date, so nothing is out of scope by its own time (every folder read is before the run).
    ConformedSource c = SourceConformer.conform(raw, CONTRACT, source.mapping(), source.location(),
        extractDate.plusDays(1), extractDate);
    return stage(dated(c, col(SourceConformer.SOURCE_ROW).getField(FOLDER_DATE)), warehouse, staging);
  }

  /**
   * Validates one slice dated by the events' own times for the run of {@code runDate}: rows whose
   * date fails {@code inScope} (a condition on {@value #EVENT_DATE}) are left out, except rejects
   * that cannot be dated (no parseable time, or after the extract date), kept with a null date.
   */
  Staged validateSlice(Dataset<Row> raw, LocalDate runDate, Column inScope, Warehouse warehouse, String staging) {
    ConformedSource c = SourceConformer.conform(raw, CONTRACT, source.mapping(), source.location(), runDate,
        extractDate);
    Column day = to_date(col("event_time"));
    Column rejected = col(SourceConformer.REJECTED);
    Column undated = rejected.and(day.isNull().or(day.gt(lit(java.sql.Date.valueOf(extractDate)))));
    ConformedSource dated = dated(c, when(undated, lit(null).cast("date")).otherwise(day));
    Dataset<Row> kept = dated.checked().where(col(EVENT_DATE).isNull().and(rejected).or(inScope));
    return stage(new ConformedSource(dated.table(), kept, dated.canonicalNames(), dated.sourceColumns(),
        dated.absentColumns()), warehouse, staging);
  }

  private static ConformedSource dated(ConformedSource c, Column date) {
    List<String> names = new ArrayList<>(c.canonicalNames());
    names.add(EVENT_DATE);
    return new ConformedSource(c.table(), c.checked().withColumn(EVENT_DATE, date), names, c.sourceColumns(),
        c.absentColumns());
  }

  /**
   * Checks the rows against the accounts and for duplicates in the same pass as the row-level
   * rules, and stages the result once (read back by the counts, both roll-ups and the quarantine).
   * Clean rows with nothing nulled lose their source row first: only quarantined rows show it.
   */
  private Staged stage(ConformedSource dated, Warehouse warehouse, String staging) {
    ValidatedTable v = ContractValidator.validateDependentInOnePass(dated, references.accounts(),
        references.rejectedAccounts(), references.subscriptions(), EVENT_DATE);
    Dataset<Row> slim = v.checked().withColumn(SourceConformer.SOURCE_ROW,
        when(ValidatedTable.quarantined(), col(SourceConformer.SOURCE_ROW)));
    return new Staged(new ValidatedTable(dated, warehouse.stage(staging + "/checked", slim)));
  }

  /** Column of a staged checked row telling it is clean. */
  static Column clean() {
    return col(ReferenceChecks.PROBLEM).isNull();
  }
}
