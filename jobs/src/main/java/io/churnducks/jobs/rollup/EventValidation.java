package io.churnducks.jobs.rollup;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.TableContract;
import io.churnducks.features.validation.ConformedSource;
import io.churnducks.features.validation.Quarantine;
import io.churnducks.features.validation.ReferenceChecks;
import io.churnducks.features.validation.SourceConformer;
import io.churnducks.jobs.config.SourceSettings;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * The input contract applied to a slice of usage events: row-level rules, the account (resolved
 * through the subscription when the source has none) checked against the clean accounts, and
 * duplicate event ids within an event date. Every row comes out dated ({@code event_date}) and
 * marked ({@value #PROBLEM}: null = clean), so clean rows and rejects are read from one frame.
 */
final class EventValidation {

  static final String PROBLEM = ReferenceChecks.PROBLEM;
  private static final TableContract CONTRACT = InputContract.USAGE_EVENTS;

  /** A validated slice: canonical columns, {@code event_date}, the raw row and {@value #PROBLEM}. */
  record Validated(Dataset<Row> rows, boolean byFolder) {
    Dataset<Row> clean() {
      return rows.where(col(PROBLEM).isNull());
    }

    /** Rejected rows in {@link UsageRollupStage#QUARANTINE_SCHEMA}. */
    Dataset<Row> quarantine() {
      Column p = col(PROBLEM);
      List<Column> cols = new ArrayList<>(List.of(Quarantine.rows(CONTRACT.name(), p, p.getField("reason"))));
      cols.add(col("event_date"));
      return rows.where(p.isNotNull()).select(cols.toArray(Column[]::new));
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

  /** Date folders, each row dated by its folder. */
  Validated validateFolders(Map<LocalDate, Dataset<Row>> folders) {
    Dataset<Row> checked = null;
    for (Map.Entry<LocalDate, Dataset<Row>> e : folders.entrySet()) {
      Dataset<Row> c = conform(e.getValue()).withColumn("event_date", lit(java.sql.Date.valueOf(e.getKey())));
      checked = checked == null ? c : checked.unionByName(c);
    }
    return new Validated(crossChecked(checked), true);
  }

  /**
   * One slice dated by the events' own times. Rows outside {@code inScope} are dropped, except
   * rejects that cannot be dated (no parseable time, or after the extract date): those are kept
   * with a null {@code event_date}.
   */
  Validated validateSlice(Dataset<Row> raw, Column inScope) {
    Column day = to_date(col("event_time"));
    Column unplaced = size(col(SourceConformer.PROBLEMS)).gt(0)
        .and(day.isNull().or(day.gt(lit(java.sql.Date.valueOf(extractDate)))));
    Dataset<Row> checked = conform(raw)
        .withColumn("event_date", when(unplaced, lit(null).cast("date")).otherwise(day))
        .where(unplaced.or(inScope));
    return new Validated(crossChecked(checked), false);
  }

  private Dataset<Row> conform(Dataset<Row> raw) {
    ConformedSource c = SourceConformer.conform(raw, CONTRACT, source.mapping(), source.location(), extractDate);
    return c.checked();
  }

  /** Row-level problems first; clean rows then get the account and duplicate checks. */
  private Dataset<Row> crossChecked(Dataset<Row> checked) {
    List<String> canonical = CONTRACT.columnNames();
    Column[] keep = new Column[canonical.size() + 2];
    for (int i = 0; i < canonical.size(); i++) {
      keep[i] = col(canonical.get(i));
    }
    keep[canonical.size()] = col(SourceConformer.RAW);
    keep[canonical.size() + 1] = col("event_date");
    Column problems = col(SourceConformer.PROBLEMS);
    Dataset<Row> rejected = checked.where(size(problems).gt(0)).select(withProblem(keep, problems));
    Dataset<Row> clean = ReferenceChecks.unmarked(checked.where(size(problems).equalTo(0)).select(keep));
    String accountLabel = source.mapping().columns().getOrDefault("account_id", "account_id");
    if (source.mapping().columns().containsKey("subscription_id")) {
      clean = ReferenceChecks.resolveAccountThroughSubscription(clean, references.subscriptions(),
          source.mapping().columns().get("subscription_id"));
    }
    clean = ReferenceChecks.markUnknownAccounts(clean, references.accounts(), accountLabel);
    clean = markDuplicateIds(clean, source.mapping().columns().getOrDefault("event_id", "event_id"));
    return rejected.unionByName(clean);
  }

  private static Column[] withProblem(Column[] keep, Column problems) {
    Column[] out = java.util.Arrays.copyOf(keep, keep.length + 1);
    Column first = problems.getItem(0);
    out[keep.length] = org.apache.spark.sql.functions.struct(
        first.getField("rule").as("rule"), first.getField("column").as("column"),
        expr("array_join(transform(" + SourceConformer.PROBLEMS + ", p -> p.reason), '; ')").as("reason"))
        .cast(ReferenceChecks.PROBLEM_TYPE).as(PROBLEM);
    return out;
  }

  /**
   * Marks repeated event ids within an event date as {@code duplicate_key}, keeping the latest by
   * event time, then by a hash of the row's values (deterministic). Rows without an id are never
   * duplicates and are not shuffled for the check.
   */
  static Dataset<Row> markDuplicateIds(Dataset<Row> rows, String sourceColumn) {
    Column fine = col(PROBLEM).isNull();
    Column hasId = col("event_id").isNotNull().and(fine);
    Dataset<Row> withId = rows.where(hasId);
    Dataset<Row> rest = rows.where(hasId.unary_$bang());
    Column rank = row_number().over(Window.partitionBy(col("event_date"), col("event_id"))
        .orderBy(col("event_time").desc_nulls_last(), xxhash64(col("account_id"), col("feature"), col("user_id"),
            col("device_id"), col("quantity")).desc()));
    Dataset<Row> marked = withId.withColumn(PROBLEM, when(rank.gt(1), Quarantine.problem(Quarantine.DUPLICATE_KEY,
        sourceColumn, concat(lit("duplicate event_id in " + sourceColumn + ": '"), col("event_id"),
            lit("' (the latest event of that id on its date is kept)")))).cast(ReferenceChecks.PROBLEM_TYPE));
    return marked.unionByName(rest);
  }
}
