package io.churnducks.jobs.rollup;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.SourceMapping;
import io.churnducks.features.indicators.UsageRollup;
import io.churnducks.features.validation.ContractException;
import io.churnducks.features.validation.Quarantine;
import io.churnducks.features.validation.SourceConformer;
import io.churnducks.jobs.config.SourceSettings;
import io.churnducks.jobs.io.SourceReader;
import io.churnducks.jobs.io.Warehouse;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static io.churnducks.features.contract.Schemas.field;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;
import static org.apache.spark.sql.types.DataTypes.DateType;

/**
 * Validates usage events and rolls them up once per event date into {@code usage_feature_days}
 * and {@code usage_user_days} (their rejects into {@code usage_quarantine}), all partitioned by
 * {@code event_date}. A run processes only the dates it needs:
 * <ul>
 *   <li>dates before the run date never rolled up, or rolled up with another mapping or settings
 *       (the roll-up fingerprint);</li>
 *   <li>for a source laid out by date, dates whose folder changed since (its fingerprint);</li>
 *   <li>the last {@code late-days} dates before the run date, always, for late-arriving events;</li>
 *   <li>with {@code backfill}, every date of the requested range.</li>
 * </ul>
 * The first run on a source therefore processes its whole history, in chunks of
 * {@code chunk-days} dates, each validated, written and logged before the next is read, so memory
 * holds at most one chunk of events. Each date is processed on its own terms (duplicates are
 * looked for within a date), which is what makes an incremental night give the same roll-ups as
 * a full run. Only per-date counts reach the driver.
 */
public final class UsageRollupStage {

  private static final Logger LOG = LoggerFactory.getLogger(UsageRollupStage.class);

  /** Bump when the roll-up computation changes: every date is rolled up again. */
  static final String ROLLUP_VERSION = "2";

  public static final String FEATURE_DAYS = "usage_feature_days";
  public static final String USER_DAYS = "usage_user_days";
  public static final String QUARANTINE = "usage_quarantine";
  private static final String STAGING = "_state/staging/usage_events";
  /** Most distinct feature names brought to the driver per chunk to check the configured ones against. */
  private static final int MAX_FEATURE_NAMES = 10_000;

  /** {@code usage_quarantine}: {@code dq_quarantine}'s columns plus the event date (null: undated). */
  public static final StructType QUARANTINE_SCHEMA = withEventDate(Quarantine.SCHEMA);

  /**
   * @param lateDays        dates before the run date always rolled up again (late-arriving events)
   * @param chunkDays       dates validated and written together during a history run
   * @param nonUsageFeatures intent and error events (excluded from the user roll-up)
   * @param maxRejectedShare a chunk rejecting a larger share of its rows fails the run
   */
  public record Settings(int lateDays, int chunkDays, List<String> nonUsageFeatures, double maxRejectedShare) {}

  /** The clean reference tables the events are checked against. */
  /**
   * @param accounts         clean accounts ({@code account_id})
   * @param rejectedAccounts rejected accounts with no clean copy ({@code account_id, reason})
   * @param subscriptions    clean subscriptions ({@code subscription_id, account_id})
   */
  public record References(Dataset<Row> accounts, Dataset<Row> rejectedAccounts, Dataset<Row> subscriptions) {}

  /**
   * A chunk of event dates rejected more than the allowed share of its rows; its rejects are in
   * {@code usage_quarantine} (written before this is thrown), its roll-ups are not written.
   */
  public static final class TooManyRejected extends ContractException {
    private final String failure;
    private final long read;
    private final long clean;
    private final Map<String, Long> rejectedByRule;
    private final double seconds;

    TooManyRejected(String chunk, String failure, long read, long clean, Map<String, Long> rejectedByRule,
        double seconds) {
      super("Cannot roll up usage_events " + chunk + ": " + failure + " (rejected rows are in usage_quarantine; "
          + "fix the source or its mapping, or raise validation.max-rejected-share)");
      this.failure = failure;
      this.read = read;
      this.clean = clean;
      this.rejectedByRule = Map.copyOf(rejectedByRule);
      this.seconds = seconds;
    }

    /** The failure as one source's part of the run's failure line (see {@link Quarantine#rejectedShareFailure}). */
    public String failure() {
      return failure;
    }

    /** Rows validated by the run so far, the failing chunk's included. */
    public long read() {
      return read;
    }

    /** Of {@link #read()}, the rows no rule rejected. */
    public long clean() {
      return clean;
    }

    /** Rejected rows per "rule in source column". */
    public Map<String, Long> rejectedByRule() {
      return rejectedByRule;
    }

    public double seconds() {
      return seconds;
    }
  }

  /**
   * What the stage did.
   *
   * @param warnings the lines worth a look, joined by "; ": source columns the mapping does not use,
   *                 configured intent or error events no event carries
   */
  public record Outcome(String layout, List<LocalDate> processed, long read, long rolled, long rejected,
      Map<String, Long> rejectedByRule, double seconds, Optional<String> warnings) {}

  private final SparkSession spark;
  private final Warehouse warehouse;
  private final SourceSettings source;
  private final Settings settings;
  private final EventValidation validation;
  private final References references;
  private boolean layoutByDate;
  /** Whether this run processes every date of the source (its first run, or a changed mapping). */
  private boolean wholeHistory;
  /** Whether only the rejects are written (see {@link #quarantineOnly}). */
  private boolean quarantineOnly;
  /** When {@link #run} started. */
  private long startNanos;
  /** The line naming the source columns the mapping does not use; null: none (or not read yet). */
  private String unusedColumns;

  public UsageRollupStage(SparkSession spark, Warehouse warehouse, SourceSettings source, Settings settings,
      References references, LocalDate extractDate) {
    this.spark = spark;
    this.warehouse = warehouse;
    this.source = source;
    this.settings = settings;
    this.validation = new EventValidation(source, references, extractDate);
    this.references = references;
  }

  /**
   * Makes the run validate the events and write their rejects (usage_quarantine) only, no roll-up
   * and no roll-up log: for a night already failed by another source.
   */
  public UsageRollupStage quarantineOnly(boolean only) {
    this.quarantineOnly = only;
    return this;
  }

  /**
   * Rolls up what {@code runDate} needs.
   *
   * @param forced dates to roll up again whatever the log says (backfill), empty for a night
   */
  public Outcome run(LocalDate runDate, Optional<LocalDate[]> forced) {
    long t = System.nanoTime();
    startNanos = t;
    EventSourceLayout layout = EventSourceLayout.inspect(source, spark.sparkContext().hadoopConfiguration());
    layoutByDate = layout.byDate();
    TreeMap<LocalDate, RollupLog.Entry> log = RollupLog.read(warehouse, spark);
    String fingerprint = fingerprint(source, settings);
    wholeHistory = log.values().stream().noneMatch(e -> fingerprint.equals(e.rollupFingerprint()));
    // The newest date (the day before the run) plus late-days dates before it are always rolled up again.
    LocalDate lateFrom = runDate.minusDays(settings.lateDays() + 1L);
    Set<LocalDate> waiting = wholeHistory ? Set.of() : waitingForTheirAccounts(lateFrom);
    Totals totals = new Totals();
    List<LocalDate> processed = new ArrayList<>();
    if (layout.byDate()) {
      TreeSet<LocalDate> dates = new TreeSet<>();
      for (EventSourceLayout.DateFolder f : layout.between(LocalDate.MIN, runDate)) {
        RollupLog.Entry e = log.get(f.date());
        if (e == null || !f.fingerprint().equals(e.sourceFingerprint())
            || !fingerprint.equals(e.rollupFingerprint()) || !f.date().isBefore(lateFrom)
            || inRange(f.date(), forced) || waiting.contains(f.date())) {
          dates.add(f.date());
        }
      }
      // A date logged earlier whose folder is gone (or forced and absent) is rolled up as empty.
      for (LocalDate d : log.headMap(runDate).keySet()) {
        if (!layout.folders().containsKey(d)) {
          dates.add(d);
        }
      }
      List<LocalDate> all = new ArrayList<>(dates);
      for (int i = 0; i < all.size(); i += settings.chunkDays()) {
        List<LocalDate> chunk = all.subList(i, Math.min(all.size(), i + settings.chunkDays()));
        processChunk(chunk, layout, fingerprint, runDate, totals);
        processed.addAll(chunk);
      }
    } else {
      // One slice: read whole, cut by the events' own dates.
      TreeSet<LocalDate> done = new TreeSet<>();
      log.forEach((d, e) -> {
        if (fingerprint.equals(e.rollupFingerprint()) && d.isBefore(lateFrom) && !inRange(d, forced)
            && !waiting.contains(d)) {
          done.add(d);
        }
      });
      List<LocalDate> chunk = processSlice(done, fingerprint, runDate, lateFrom, forced, totals);
      processed.addAll(chunk);
    }
    double seconds = (System.nanoTime() - t) / 1e9;
    String layoutText = layout.layout().map(l -> "laid out by date (" + l + ")").orElse("one slice");
    LOG.info(String.format(Locale.ROOT, "Rolled up %d event dates of usage_events (%s): %,d rows read, %,d rolled up, "
        + "%,d rejected, %.1fs", processed.size(), layoutText, totals.read, totals.rolled, totals.rejected, seconds));
    List<String> warnings = new ArrayList<>();
    if (unusedColumns != null) {
      warnings.add(unusedColumns);
    }
    if (wholeHistory && !quarantineOnly && totals.rolled > 0) {
      unseenFeatures(settings.nonUsageFeatures(), totals.features).ifPresent(line -> {
        LOG.warn(line);
        warnings.add(line);
      });
    }
    return new Outcome(layoutText, processed, totals.read, totals.rolled, totals.rejected, totals.byRule, seconds,
        warnings.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", warnings)));
  }

  /**
   * The line naming the configured intent and error events (rollup.intent-features,
   * rollup.error-features) that no event of the whole history carries, with the source's feature
   * names that look like them: events are matched by exact name, so "Pricing Page" is not
   * "pricing_page", and intent would silently count as product use.
   */
  static Optional<String> unseenFeatures(List<String> configured, Set<String> seen) {
    List<String> unseen = configured.stream().filter(f -> !seen.contains(f)).toList();
    if (unseen.isEmpty()) {
      return Optional.empty();
    }
    List<String> alike = seen.stream().filter(f -> unseen.stream().anyMatch(u -> looseName(f).contains(looseName(u))))
        .sorted().limit(10).toList();
    return Optional.of("no usage event is of the configured intent/error feature(s) " + unseen
        + (alike.isEmpty() ? "" : " (the source has " + alike + ")")
        + ": names must match exactly; set rollup.intent-features / rollup.error-features to the source's names");
  }

  private static String looseName(String feature) {
    return feature.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
  }

  /**
   * Event dates before the late window holding events rejected because their account (or
   * subscription) was unknown or rejected then, and is clean tonight: a CRM export that lags the
   * events, or an account fixed at the source. They are rolled up again, so those events count as
   * they would in a full run. Reads three columns of {@code usage_quarantine}; only dates reach the driver.
   */
  private Set<LocalDate> waitingForTheirAccounts(LocalDate lateFrom) {
    if (!warehouse.exists(QUARANTINE)) {
      return Set.of();
    }
    Dataset<Row> known = references.accounts().select(col("account_id").as("_known"))
        .union(references.subscriptions().select(col("subscription_id").as("_known")))
        .where(col("_known").isNotNull()).distinct();
    Set<LocalDate> dates = new TreeSet<>();
    for (Row r : warehouse.readAll(QUARANTINE, QUARANTINE_SCHEMA)
        .where(col("rule").isin(Quarantine.UNKNOWN_ACCOUNT, Quarantine.REJECTED_ACCOUNT)
            .and(col("event_date").lt(lit(java.sql.Date.valueOf(lateFrom)))))
        .join(org.apache.spark.sql.functions.broadcast(known), col("value").equalTo(col("_known")), "left_semi")
        .select("event_date").distinct().collectAsList()) {
      dates.add(r.getDate(0).toLocalDate());
    }
    if (!dates.isEmpty()) {
      LOG.info("Usage events of {} earlier date(s) were rejected for accounts that are known tonight: rolled up again",
          dates.size());
    }
    return dates;
  }

  private static boolean inRange(LocalDate d, Optional<LocalDate[]> range) {
    return range.isPresent() && !d.isBefore(range.get()[0]) && !d.isAfter(range.get()[1]);
  }

  private void processChunk(List<LocalDate> chunk, EventSourceLayout layout, String fingerprint, LocalDate runDate,
      Totals totals) {
    Map<LocalDate, String> folderPrints = new LinkedHashMap<>();
    List<EventSourceLayout.DateFolder> folders = new ArrayList<>();
    for (LocalDate d : chunk) {
      EventSourceLayout.DateFolder f = layout.folders().get(d);
      folderPrints.put(d, f == null ? null : f.fingerprint());
      if (f != null && !f.fileDepths().isEmpty()) {
        // A folder without data files is an empty date, like a missing one.
        folders.add(f);
      }
    }
    if (folders.isEmpty()) {
      write(chunk, null, folderPrints, fingerprint, runDate, totals);
      return;
    }
    Dataset<Row> read = SourceReader.readFolders(spark, source,
        folders.stream().map(EventSourceLayout.DateFolder::path).toArray(String[]::new));
    noteUnusedColumns(read);
    Dataset<Row> raw = datedByFolder(spark, read, folders, layout.layout().orElseThrow().split("/", -1).length);
    String staging = STAGING + "/" + runDate + "-" + chunk.get(0);
    try {
      // Staging the validated rows is where the files are read: a file that cannot be read fails there.
      EventValidation.Staged validated = SourceReader.reading(source, "event dates " + chunk.get(0) + " to "
          + chunk.get(chunk.size() - 1), () -> validation.validateFolders(raw, warehouse, staging));
      write(chunk, validated, folderPrints, fingerprint, runDate, totals);
    } finally {
      warehouse.drop(staging);
    }
  }

  /**
   * The rows read from date folders, each with its folder's date (column {@code _folder_date}):
   * its file's folder, the {@code depth} path segments (as many as the layout has) above the file's
   * own depth under its date folder, looked up in the folders (a broadcast join: one hash lookup per row).
   */
  static Dataset<Row> datedByFolder(SparkSession spark, Dataset<Row> read, List<EventSourceLayout.DateFolder> folders,
      int depth) {
    List<Row> byName = folders.stream().map(f -> org.apache.spark.sql.RowFactory.create(f.relative() + "/",
        java.sql.Date.valueOf(f.date()))).toList();
    Dataset<Row> dates = org.apache.spark.sql.functions.broadcast(spark.createDataFrame(byName, new StructType()
        .add("_folder", org.apache.spark.sql.types.DataTypes.StringType)
        .add(EventValidation.FOLDER_DATE, DateType)));
    Set<Integer> fileDepths = new TreeSet<>();
    folders.forEach(f -> fileDepths.addAll(f.fileDepths()));
    return read
        .withColumn("_folder", folderOf(org.apache.spark.sql.functions.input_file_name(), depth, fileDepths,
            byName.stream().map(r -> r.getString(0)).toList()))
        .join(dates, "_folder")
        .drop("_folder");
  }

  /** Logs, once per run, the line naming the source columns the mapping does not use (if any). */
  private void noteUnusedColumns(Dataset<Row> raw) {
    if (unusedColumns == null) {
      SourceConformer.unusedColumnsWarning(raw, InputContract.USAGE_EVENTS, source.mapping(), source.location())
          .ifPresent(line -> {
            LOG.warn(line);
            unusedColumns = line;
          });
    }
  }

  /**
   * The date folder of a file, as the {@code depth} path segments above the file's own depth under
   * it, each followed by a slash: {@code a/b/} of {@code …/a/b/f} (file depth 0) and of
   * {@code …/a/b/13/f} (1). Counted from the file's end, so the spelling of the path before the
   * date folder does not matter. When the chunk's files sit at several depths, the first depth
   * whose segments name one of the chunk's {@code folders} is the file's.
   */
  private static Column folderOf(Column file, int depth, Set<Integer> fileDepths, List<String> folders) {
    // substring_index, not a regular expression: it runs on every row read.
    List<Column> candidates = fileDepths.stream().sorted().map(below -> org.apache.spark.sql.functions.concat(
        org.apache.spark.sql.functions.substring_index(org.apache.spark.sql.functions.substring_index(file, "/",
            -(depth + below + 1)), "/", depth), lit("/"))).toList();
    if (candidates.size() == 1) {
      return candidates.get(0);
    }
    Column chosen = null;
    for (Column c : candidates) {
      Column known = c.isin(folders.toArray());
      chosen = chosen == null ? when(known, c) : chosen.when(known, c);
    }
    return chosen;
  }

  private List<LocalDate> processSlice(TreeSet<LocalDate> done, String fingerprint, LocalDate runDate,
      LocalDate lateFrom, Optional<LocalDate[]> forced, Totals totals) {
    Dataset<Row> raw = SourceReader.read(spark, source);
    noteUnusedColumns(raw);
    Column date = col("event_date");
    Column inScope = date.lt(lit(java.sql.Date.valueOf(runDate)));
    if (!done.isEmpty()) {
      inScope = inScope.and(date.isin(done.stream().map(java.sql.Date::valueOf).toArray()).unary_$bang());
    }
    String staging = STAGING + "/" + runDate + "-slice";
    try {
      Column scope = inScope;
      EventValidation.Staged slice = SourceReader.reading(source, null,
          () -> validation.validateSlice(raw, runDate, scope, warehouse, staging));
      return processSlice(slice, fingerprint, runDate, lateFrom, forced, totals);
    } finally {
      warehouse.drop(staging);
    }
  }

  private List<LocalDate> processSlice(EventValidation.Staged slice, String fingerprint, LocalDate runDate,
      LocalDate lateFrom, Optional<LocalDate[]> forced, Totals totals) {
    Column date = col("event_date");
    TreeSet<LocalDate> dates = new TreeSet<>();
    for (Row r : slice.checked().where(date.isNotNull()).select(date).distinct().collectAsList()) {
      dates.add(r.getDate(0).toLocalDate());
    }
    for (LocalDate d = lateFrom; d.isBefore(runDate); d = d.plusDays(1)) {
      dates.add(d);
    }
    forced.ifPresent(r -> {
      for (LocalDate d = r[0]; !d.isAfter(r[1]) && d.isBefore(runDate); d = d.plusDays(1)) {
        dates.add(d);
      }
    });
    List<LocalDate> chunk = new ArrayList<>(dates);
    Map<LocalDate, String> prints = new LinkedHashMap<>();
    chunk.forEach(d -> prints.put(d, null));
    write(chunk, slice, prints, fingerprint, runDate, totals);
    return chunk;
  }

  /**
   * Counts, checks and writes one chunk: roll-ups and rejects of its dates, then its log rows.
   * The chunk's validated rows are staged once as Parquet and read back by each writer.
   */
  private void write(List<LocalDate> chunk, EventValidation.Staged validated, Map<LocalDate, String> folderPrints,
      String fingerprint, LocalDate runDate, Totals totals) {
    StructType fdSchema = UsageRollup.FEATURE_DAYS_SCHEMA;
    StructType udSchema = UsageRollup.USER_DAYS_SCHEMA;
    // The log rows of the chunk go first: a crash mid-chunk leaves its dates unlogged, so the next run redoes them.
    RollupLog.update(warehouse, spark, chunk, List.of());
    if (validated == null) {
      warehouse.replacePartitions(FEATURE_DAYS, spark.createDataFrame(List.of(), fdSchema), fdSchema, "event_date", chunk);
      warehouse.replacePartitions(USER_DAYS, spark.createDataFrame(List.of(), udSchema), udSchema, "event_date", chunk);
      warehouse.replacePartitions(QUARANTINE, spark.createDataFrame(List.of(), QUARANTINE_SCHEMA), QUARANTINE_SCHEMA,
          "event_date", chunk);
      RollupLog.update(warehouse, spark, List.of(), chunk.stream().map(d -> new RollupLog.Entry(d, folderPrints.get(d),
          fingerprint, 0L, 0L, 0L, 0L, runDate)).toList());
      return;
    }
    Column ok = EventValidation.clean();
    Map<LocalDate, long[]> perDate = new TreeMap<>();
    for (Row r : validated.checked().groupBy(col("event_date")).agg(
        count(lit(1)),
        count(when(ok, 1)),
        coalesce(sum(when(ok, xxhash64(col("account_id"), col("event_time"), col("feature"), col("user_id"),
            col("device_id"), col("quantity"), col("event_id")))), lit(0L))).collectAsList()) {
      perDate.put(r.isNullAt(0) ? LocalDate.MIN : r.getDate(0).toLocalDate(),
          new long[] {r.getLong(1), r.getLong(2), r.getLong(3)});
    }
    long read = perDate.values().stream().mapToLong(v -> v[0]).sum();
    long rolled = perDate.values().stream().mapToLong(v -> v[1]).sum();
    long rejected = read - rolled;
    // Rows that cannot be dated belong to no date: they count toward the rejected share only when
    // the whole history is processed, never against a night's few dates.
    long[] undated = perDate.getOrDefault(LocalDate.MIN, new long[3]);
    long shareRead = wholeHistory ? read : read - undated[0];
    long shareRejected = wholeHistory ? rejected : rejected - (undated[0] - undated[1]);
    Dataset<Row> quarantine = validated.quarantine();
    Map<String, Long> byRule = new LinkedHashMap<>();
    if (rejected > 0) {
      for (Row r : quarantine.where(col("action").equalTo(Quarantine.ROW_REJECTED))
          .groupBy("rule", "source_column").agg(count(lit(1))).collectAsList()) {
        byRule.merge(r.getString(0) + " in " + r.getString(1), r.getLong(2), Long::sum);
      }
    }
    // The rejects are written first: a chunk that fails the run still leaves them to look at.
    Column eventDate = col("event_date");
    warehouse.replacePartitions(QUARANTINE, quarantine.where(eventDate.isNotNull()), QUARANTINE_SCHEMA,
        "event_date", chunk);
    if (!layoutByDate) {
      // A single slice's undated rejects are all re-read each run: they replace the null partition.
      warehouse.replaceNullPartition(QUARANTINE, quarantine.where(eventDate.isNull()), QUARANTINE_SCHEMA,
          "event_date");
    }
    double share = shareRead == 0 ? 0.0 : (double) shareRejected / shareRead;
    if (share > settings.maxRejectedShare()) {
      Map<String, Long> mostFirst = new LinkedHashMap<>();
      byRule.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()
          .thenComparing(Map.Entry.comparingByKey())).forEach(e -> mostFirst.put(e.getKey(), e.getValue()));
      Map<String, Long> allRules = new LinkedHashMap<>(totals.byRule);
      byRule.forEach((k, v) -> allRules.merge(k, v, Long::sum));
      throw new TooManyRejected(chunk.get(0) + ".." + chunk.get(chunk.size() - 1),
          Quarantine.rejectedShareFailure(InputContract.USAGE_EVENTS.name(), shareRejected, shareRead,
              settings.maxRejectedShare(), mostFirst),
          totals.read + read, totals.rolled + rolled, allRules, (System.nanoTime() - startNanos) / 1e9);
    }
    if (quarantineOnly) {
      // The night fails anyway: its rejects are what it is read for, roll-ups would be rolled back.
      totals.add(read, rolled, rejected, byRule);
      return;
    }
    Dataset<Row> clean = validated.clean();
    if (wholeHistory) {
      // The feature names of the whole history, once: a configured intent event none carries is reported.
      clean.select("feature").distinct().limit(MAX_FEATURE_NAMES).collectAsList()
          .forEach(r -> totals.features.add(r.getString(0)));
    }
    warehouse.replacePartitions(FEATURE_DAYS,
        UsageRollup.featureDays(clean, eventDate).select(fdColumns()), fdSchema, "event_date", chunk);
    warehouse.replacePartitions(USER_DAYS,
        UsageRollup.userDays(clean, settings.nonUsageFeatures(), eventDate).select(udColumns()), udSchema,
        "event_date", chunk);
    List<RollupLog.Entry> entries = new ArrayList<>();
    for (LocalDate d : chunk) {
      long[] v = perDate.getOrDefault(d, new long[3]);
      entries.add(new RollupLog.Entry(d, folderPrints.get(d), fingerprint, v[2], v[0], v[1], v[0] - v[1], runDate));
    }
    RollupLog.update(warehouse, spark, List.of(), entries);
    totals.add(read, rolled, rejected, byRule);
    LOG.info(String.format(Locale.ROOT, "Rolled up usage_events %s..%s (%d dates): %,d rows, %,d rejected",
        chunk.get(0), chunk.get(chunk.size() - 1), chunk.size(), read, rejected));
  }

  private static Column[] fdColumns() {
    return new Column[] {col("account_id"), col("feature"), col("events"), col("quantity"), col("users"),
        col("event_date")};
  }

  private static Column[] udColumns() {
    return new Column[] {col("account_id"), col("user_id"), col("device_id"), col("events"), col("event_date")};
  }

  /**
   * Hash of everything a roll-up depends on besides the events: format and reader options (a
   * corrected separator or quote re-reads every date), mapping, intent events, version.
   */
  public static String fingerprint(SourceSettings source, Settings settings) {
    SourceMapping m = source.mapping();
    StringBuilder b = new StringBuilder(ROLLUP_VERSION).append('|').append(source.format()).append('|')
        .append(source.options().isEmpty() ? "" : new TreeMap<>(source.options()) + "|")
        .append(new TreeMap<>(m.columns())).append('|').append(new TreeMap<>(m.formats())).append('|');
    new TreeMap<>(m.values()).forEach((k, v) -> b.append(k).append('=').append(new TreeMap<>(v)).append(';'));
    b.append('|').append(m.filter().orElse("")).append('|').append(settings.nonUsageFeatures().stream().sorted().toList());
    return sha(b.toString());
  }

  static String sha(String text) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static StructType withEventDate(StructType schema) {
    List<StructField> fields = new ArrayList<>(List.of(schema.fields()));
    fields.add(field("event_date", DateType, true, "Event date the rejected row belongs to (null: no parseable date)."));
    return new StructType(fields.toArray(StructField[]::new));
  }

  /** Running totals over the chunks of a run. */
  private static final class Totals {
    long read;
    long rolled;
    long rejected;
    final Map<String, Long> byRule = new LinkedHashMap<>();
    /** Feature names seen in the clean events (whole-history runs only). */
    final Set<String> features = new TreeSet<>();

    void add(long r, long ro, long re, Map<String, Long> rules) {
      read += r;
      rolled += ro;
      rejected += re;
      rules.forEach((k, v) -> byRule.merge(k, v, Long::sum));
    }
  }
}
