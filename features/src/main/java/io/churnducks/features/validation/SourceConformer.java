package io.churnducks.features.validation;

import io.churnducks.features.contract.ColumnSpec;
import io.churnducks.features.contract.OrderRule;
import io.churnducks.features.contract.SourceMapping;
import io.churnducks.features.contract.TableContract;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.initcap;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

/**
 * Maps one raw source onto its canonical table and applies the row-level contract rules.
 *
 * <p>A mapping entry is a source column name or a Spark SQL expression over the source's
 * columns. Text is trimmed (blank = missing), value mappings are applied (keys matched ignoring
 * case), and the value is parsed into the canonical type using the column's configured format (a
 * column that is already a date or timestamp, as in Parquet or JDBC, is used as it is). Text is
 * then normalised as its {@link ColumnSpec} declares: allowed values ignoring case, categories
 * with collapsed whitespace and one case, identifiers only trimmed. Numbers must be finite, and
 * whole for an integer column ({@code "3.0"} is 3, {@code "2.5"} is {@code wrong_type}).
 *
 * <p>Per value: a bad value in a column that {@linkplain TableContract#rejectsRow rejects the row}
 * (required, key, account reference) rejects the row; a bad value in any other (optional) column
 * becomes null and the row stays, the dropped value kept for {@code dq_quarantine}
 * ({@code value_nulled}). A row whose columns contradict each other ({@link TableContract#orderRules})
 * is rejected ({@code order_violation}).
 *
 * <p>Time: rows dated (by {@link TableContract#eventTimeColumn}) after the extract date are
 * rejected ({@code after_cutoff}). Rows dated on or after the run date but not after the extract
 * date are <em>out of scope</em> for the run: neither clean nor rejected (no other rule is applied
 * to them; a later run checks them), and counted by {@link ConformedSource#outOfScopeCount()}.
 *
 * <p>Nothing is serialised here: the source row travels as a struct ({@value #SOURCE_ROW}) and is
 * written as JSON only for quarantined rows.
 */
public final class SourceConformer {

  /** Hidden column holding the source row as read: a struct of every source column. */
  public static final String SOURCE_ROW = "_source_row";
  /**
   * Hidden column holding the rules a row broke, in priority order (array of
   * {@link Quarantine#PROBLEM_TYPE}; null when it broke none).
   */
  public static final String PROBLEMS = "_problems";
  /** Hidden column: whether a problem rejects the row. */
  public static final String REJECTED = "_rejected";
  /** Hidden column: whether the row is dated on or after the run date, not after the extract date. */
  public static final String OUT_OF_SCOPE = "_out_of_scope";

  /** Format names for date/time columns besides a date-time pattern. */
  public static final String EPOCH_SECONDS = "epoch_seconds";
  public static final String EPOCH_MILLIS = "epoch_millis";
  public static final String ISO = "iso";

  /** Pattern letters Spark 3 refuses when parsing (week-based, unsupported, day-of-week, quarter). */
  private static final String UNSUPPORTED_PATTERN_LETTERS = "YWwuecABnNpEFqQ";
  /** Seconds from the epoch to 10000-01-01: later epoch values are not dates. */
  private static final long MAX_EPOCH_SECONDS = 253_402_300_800L;

  private static final List<String> TRUE_WORDS = List.of("true", "t", "yes", "y", "1");
  private static final List<String> FALSE_WORDS = List.of("false", "f", "no", "n", "0");

  private SourceConformer() {}

  /**
   * A found column that looks like the wanted one once case, underscores, spaces and dashes are
   * ignored, or is at most a couple of letters away from it (a column renamed by the export):
   * " (did you mean 'X'?)", else nothing. Expressions are not guessed at.
   */
  static String didYouMean(String wanted, String[] found) {
    if (!wanted.matches("[A-Za-z0-9_ .-]+")) {
      return "";
    }
    String w = normalised(wanted);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String f : found) {
      int d = editDistance(w, normalised(f));
      if (d < bestDistance) {
        best = f;
        bestDistance = d;
      }
    }
    int allowed = Math.max(1, Math.min(3, w.length() / 4));
    return best != null && bestDistance <= allowed ? " (did you mean '" + best + "'?)" : "";
  }

  private static String normalised(String name) {
    return name.toLowerCase(java.util.Locale.ROOT).replaceAll("[_ .-]", "");
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /**
   * Conforms {@code source} to {@code contract} for the run of {@code runDate}.
   *
   * @param sourceLabel where the source was read from, for error messages
   * @param runDate     the run's date: rows dated on or after it (up to {@code extractDate}) are out
   *                    of scope for this run
   * @param extractDate last day the extract can hold; rows dated later are {@code after_cutoff}
   * @throws ContractException when a required column is missing or the mapping is invalid
   */
  public static ConformedSource conform(Dataset<Row> source, TableContract contract,
      SourceMapping mapping, String sourceLabel, LocalDate runDate, LocalDate extractDate) {
    String table = contract.name();
    checkMappingNames(contract, mapping, sourceLabel);
    Dataset<Row> filtered = applyFilter(source, mapping, table, sourceLabel);

    Map<String, Column> sourceValue = new LinkedHashMap<>();
    Map<String, String> sourceColumns = new LinkedHashMap<>();
    List<String> missingRequired = new ArrayList<>();
    List<String> unresolved = new ArrayList<>();
    List<String> absent = new ArrayList<>();
    for (ColumnSpec spec : contract.columns()) {
      String mapped = mapping.columns().get(spec.name());
      Optional<Column> resolved = resolve(filtered, mapped == null ? spec.name() : mapped);
      if (resolved.isPresent()) {
        sourceValue.put(spec.name(), resolved.get());
        sourceColumns.put(spec.name(), mapped == null ? spec.name() : mapped);
      } else if (spec.required()) {
        missingRequired.add((mapped == null ? spec.name() : spec.name() + " (mapped to '" + mapped + "')")
            + didYouMean(mapped == null ? spec.name() : mapped, filtered.columns()));
      } else if (mapped != null) {
        unresolved.add(spec.name() + " (mapped to '" + mapped + "')" + didYouMean(mapped, filtered.columns()));
      } else {
        absent.add(spec.name());
      }
    }
    if (!contract.oneOfRequired().isEmpty() && absent.containsAll(contract.oneOfRequired())) {
      missingRequired.add("one of " + String.join(" / ", contract.oneOfRequired()));
    }
    if (!missingRequired.isEmpty() || !unresolved.isEmpty()) {
      List<String> parts = new ArrayList<>();
      if (!missingRequired.isEmpty()) {
        parts.add("missing " + (missingRequired.size() == 1 ? "required column " : "required columns ")
            + String.join(", ", missingRequired));
      }
      if (!unresolved.isEmpty()) {
        parts.add("mapping does not resolve for " + String.join(", ", unresolved));
      }
      throw new ContractException("Cannot read source " + table + " (" + sourceLabel + "): "
          + String.join("; ", parts) + " (found columns: " + String.join(", ", filtered.columns())
          + "; fix the column mapping in the config)");
    }

    // Stage 1: each canonical column's source value as text (or as the source's own type), and the
    // source row itself, kept as a struct so the quarantine can show it exactly as read.
    List<Column> stage1 = new ArrayList<>();
    java.util.Set<String> written = new java.util.HashSet<>();
    for (ColumnSpec spec : contract.columns()) {
      Column v = sourceValue.get(spec.name());
      if (v == null) {
        continue;
      }
      DataType t = filtered.select(v).schema().fields()[0].dataType();
      Column text = t instanceof StringType ? when(trim(v).notEqual(""), trim(v)) : v;
      Column mapped = valueMapped(text, mapping.values().get(spec.name()));
      stage1.add(mapped.as(srcName(spec.name())));
      Optional<NumberText> number = writtenNumber(spec, mapping.formats().get(spec.name()), t);
      if (number.isPresent()) {
        // Text written for people ($1,234.50) as plain number text, read below like any number; the
        // source's own text stays for the messages.
        stage1.add(number.get().parse(mapped).cast("string").as(plainName(spec.name())));
        written.add(spec.name());
      }
    }
    stage1.add(struct(Arrays.stream(filtered.columns()).map(c -> col("`" + c + "`")).toArray(Column[]::new))
        .as(SOURCE_ROW));
    Dataset<Row> staged = filtered.select(stage1.toArray(Column[]::new));

    // Stage 2: each value parsed into its canonical type (null where it cannot be).
    // A value mapping turns a typed column into text, so conversion starts from the staged type.
    List<Column> stage2 = new ArrayList<>();
    for (ColumnSpec spec : contract.columns()) {
      if (!sourceValue.containsKey(spec.name())) {
        continue;
      }
      DataType srcType = staged.schema().apply(srcName(spec.name())).dataType();
      String format = mapping.formats().get(spec.name());
      stage2.add(col(srcName(spec.name())));
      boolean plain = written.contains(spec.name());
      stage2.add(convert(plain ? plainName(spec.name()) : srcName(spec.name()), plain ? DataTypes.StringType
          : srcType, spec, format, table).as(typedName(spec.name())));
    }
    stage2.add(col(SOURCE_ROW));
    Dataset<Row> typed = staged.select(stage2.toArray(Column[]::new));

    // Stage 3: the rules each row breaks, in priority order, and the canonical values (a bad
    // optional value nulled).
    Map<String, Column> canonical = new LinkedHashMap<>();
    Checks checks = new Checks();
    Column outOfScope = lit(false);
    for (ColumnSpec spec : contract.columns()) {
      if (!sourceValue.containsKey(spec.name())) {
        canonical.put(spec.name(), defaulted(lit(null).cast(spec.type()), spec));
        continue;
      }
      Column src = col(srcName(spec.name()));
      Column value = col(typedName(spec.name()));
      String label = sourceColumns.get(spec.name());
      String format = mapping.formats().get(spec.name());
      boolean rejects = contract.rejectsRow(spec.name());
      if (spec.required()) {
        checks.add(Checks.MISSING, src.isNull(), Quarantine.MISSING_REQUIRED, label,
            lit("missing required " + spec.name() + " in " + label), lit(null), true);
      }
      boolean isTime = spec.type() instanceof DateType || spec.type() instanceof TimestampType;
      Column bad = src.isNotNull().and(value.isNull());
      checks.add(Checks.PARSE, bad, isTime ? Quarantine.UNPARSEABLE_DATE : Quarantine.WRONG_TYPE, label,
          concat(lit((isTime ? "unparseable date" : "wrong type") + " in " + label + ": '"),
              src.cast("string"), lit("' (expected " + expected(spec.type(), format) + ")")), src, rejects);
      if (spec.nonNegative()) {
        Column negativeValue = value.lt(0);
        checks.add(Checks.NEGATIVE, negativeValue, Quarantine.NEGATIVE_VALUE, label,
            concat(lit("negative " + spec.name() + " in " + label + ": "), value.cast("string")), src, rejects);
        bad = bad.or(negativeValue);
      }
      if (spec.hasRange()) {
        Column outside = lit(false);
        if (spec.min() != null) {
          outside = outside.or(value.lt(spec.min()));
        }
        if (spec.max() != null) {
          outside = outside.or(value.gt(spec.max()));
        }
        checks.add(Checks.RANGE, outside, Quarantine.OUT_OF_RANGE, label,
            concat(lit(spec.name() + " in " + label + " out of range: "), value.cast("string"),
                lit(" (allowed: " + spec.rangeText() + ")")), src, rejects);
        bad = bad.or(outside);
      }
      if (!spec.allowedValues().isEmpty()) {
        Column other = value.isNotNull().and(value.isin(spec.allowedValues().toArray()).unary_$bang());
        checks.add(Checks.INVALID, other, Quarantine.INVALID_VALUE, label,
            concat(lit("invalid " + spec.name() + " in " + label + ": '"), src.cast("string"),
                lit("' (allowed: " + String.join(", ", spec.allowedValues())
                    + "; map other codes under values." + spec.name() + ")")), src, rejects);
        bad = bad.or(other);
      }
      Column kept = defaulted(value, spec);
      // A dropped optional value stays null: its default stands for "not provided", not for "bad".
      canonical.put(spec.name(), rejects ? kept : when(coalesce(bad, lit(false)), lit(null).cast(spec.type()))
          .otherwise(kept));
      if (contract.eventTimeColumn().filter(spec.name()::equals).isPresent()) {
        Column day = to_date(value);
        checks.add(Checks.LATE, day.gt(lit(java.sql.Date.valueOf(extractDate))), Quarantine.AFTER_CUTOFF, label,
            concat(lit(spec.name() + " in " + label + " is after the extract date " + extractDate + ": "),
                value.cast("string")), src, true);
        outOfScope = coalesce(day.geq(lit(java.sql.Date.valueOf(runDate)))
            .and(day.leq(lit(java.sql.Date.valueOf(extractDate)))), lit(false));
      }
    }
    for (OrderRule rule : contract.orderRules()) {
      if (!sourceValue.containsKey(rule.earlier()) || !sourceValue.containsKey(rule.later())) {
        continue;
      }
      Column earlier = canonical.get(rule.earlier());
      Column later = canonical.get(rule.later());
      String earlierLabel = sourceColumns.get(rule.earlier());
      String laterLabel = sourceColumns.get(rule.later());
      checks.add(Checks.ORDER, later.lt(earlier), Quarantine.ORDER_VIOLATION, earlierLabel + "|" + laterLabel,
          concat(lit(rule.later() + " in " + laterLabel + " ("), later.cast("string"),
              lit(") is before " + rule.earlier() + " in " + earlierLabel + " ("), earlier.cast("string"),
              lit(")")), col(srcName(rule.later())), true);
    }
    if (!contract.oneOfRequired().isEmpty()) {
      Column none = lit(true);
      List<String> labels = new ArrayList<>();
      for (String c : contract.oneOfRequired()) {
        if (sourceValue.containsKey(c)) {
          none = none.and(col(srcName(c)).isNull());
          labels.add(sourceColumns.get(c));
        }
      }
      String label = String.join("|", labels);
      checks.add(Checks.MISSING, none, Quarantine.MISSING_REQUIRED, label,
          lit("missing required " + String.join(" or ", contract.oneOfRequired()) + " in " + label), lit(null),
          true);
    }

    List<Column> stage3 = new ArrayList<>();
    canonical.forEach((name, c) -> stage3.add(c.as(name)));
    // Most rows break no rule: the problem list is only built (and filtered) for those that do.
    stage3.add(when(checks.any(), checks.array()).as("_all_problems"));
    stage3.add(checks.rejecting().as(REJECTED));
    stage3.add(outOfScope.as(OUT_OF_SCOPE));
    stage3.add(col(SOURCE_ROW));
    Dataset<Row> checked = typed.select(stage3.toArray(Column[]::new))
        .withColumn(PROBLEMS, expr("filter(_all_problems, p -> p is not null)"))
        .drop("_all_problems");
    return new ConformedSource(table, checked, contract.columnNames(), sourceColumns, absent);
  }

  /**
   * The row-level checks of one source: per check a condition and the problem it records, grouped
   * by kind in priority order. A value that could not be parsed explains a missing value computed
   * from it (e.g. an mrr expression over an unparseable quantity), so parse failures come first.
   */
  private static final class Checks {
    static final int PARSE = 0;
    static final int MISSING = 1;
    static final int NEGATIVE = 2;
    static final int RANGE = 3;
    static final int INVALID = 4;
    static final int ORDER = 5;
    static final int LATE = 6;

    private final List<List<Column>> problems = new ArrayList<>();
    private Column any = lit(false);
    private Column rejecting = lit(false);

    Checks() {
      for (int i = 0; i <= LATE; i++) {
        problems.add(new ArrayList<>());
      }
    }

    void add(int kind, Column condition, String rule, String column, Column reason, Column value, boolean rejects) {
      Column broken = coalesce(condition, lit(false));
      problems.get(kind).add(when(broken, Quarantine.problem(rule, column, reason, value, rejects)));
      any = any.or(broken);
      if (rejects) {
        rejecting = rejecting.or(broken);
      }
    }

    /** Whether the row breaks any rule. */
    Column any() {
      return any;
    }

    /** Whether the row breaks a rule that rejects it. */
    Column rejecting() {
      return rejecting;
    }

    /** Every check's problem (null where it holds), in priority order. */
    Column array() {
      return org.apache.spark.sql.functions.array(problems.stream().flatMap(List::stream).toArray(Column[]::new));
    }
  }

  /**
   * The source's columns that nothing reads: neither a canonical column (by its mapping, or by its
   * own name when unmapped), nor a mapping expression, nor the row filter. Such a column is
   * ignored; a new one usually means the export changed (schema drift). Names as in the source,
   * in its order.
   *
   * @param ignored source columns the reader adds itself (e.g. a folder's date), never reported
   */
  public static List<String> unusedColumns(Dataset<Row> source, TableContract contract, SourceMapping mapping,
      String... ignored) {
    java.util.Set<String> used = new java.util.HashSet<>();
    Arrays.stream(ignored).forEach(c -> used.add(c.toLowerCase(Locale.ROOT)));
    mapping.filter().ifPresent(f -> used.addAll(references(source, f)));
    for (ColumnSpec spec : contract.columns()) {
      used.addAll(references(source, mapping.columns().getOrDefault(spec.name(), spec.name())));
    }
    return Arrays.stream(source.columns()).filter(c -> !used.contains(c.toLowerCase(Locale.ROOT))).toList();
  }

  /**
   * One line for the log and the run manifest when the source has columns nothing reads (see
   * {@link #unusedColumns}), else empty. The run goes on: an extra column loses nothing the
   * contract asks for.
   */
  public static Optional<String> unusedColumnsWarning(Dataset<Row> source, TableContract contract,
      SourceMapping mapping, String sourceLabel, String... ignored) {
    List<String> unused = unusedColumns(source, contract, mapping, ignored);
    if (unused.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("Source " + contract.name() + " (" + sourceLabel + ") has "
        + (unused.size() == 1 ? "a column" : unused.size() + " columns") + " its mapping does not use: "
        + String.join(", ", unused) + " (ignored; map " + (unused.size() == 1 ? "it" : "them") + " under sources."
        + contract.name() + ".columns to read " + (unused.size() == 1 ? "it" : "them") + ")");
  }

  /**
   * The lower-case names of the source columns a mapping entry or filter reads: the column itself,
   * or the columns its expression refers to; none when it does not resolve.
   */
  private static java.util.Set<String> references(Dataset<Row> source, String mapped) {
    java.util.Set<String> names = new java.util.HashSet<>();
    Optional<Column> resolved = resolve(source, mapped);
    if (resolved.isEmpty()) {
      return names;
    }
    // The analysed projection reads exactly the source columns the expression refers to.
    scala.collection.Iterator<org.apache.spark.sql.catalyst.expressions.Attribute> it =
        source.select(resolved.get()).queryExecution().analyzed().references().iterator();
    while (it.hasNext()) {
      names.add(it.next().name().toLowerCase(Locale.ROOT));
    }
    return names;
  }

  private static void checkMappingNames(TableContract contract, SourceMapping mapping, String sourceLabel) {
    java.util.Map<String, java.util.Collection<String>> keys = new java.util.LinkedHashMap<>();
    keys.put("columns", mapping.columns().keySet());
    keys.put("formats", mapping.formats().keySet());
    keys.put("values", mapping.values().keySet());
    keys.forEach((setting, names) -> {
      for (String key : names) {
        if (contract.column(key).isEmpty()) {
          throw new ContractException("Cannot map source " + contract.name() + " (" + sourceLabel
              + "): " + (setting.equals("columns") ? "" : setting + " ") + "'" + key
              + "' is not a canonical column (canonical columns: " + String.join(", ", contract.columnNames()) + ")");
        }
      }
    });
    // A format tells how to read a date, a time or a number written for people; on any other column
    // it would be silently unused.
    for (Map.Entry<String, String> f : mapping.formats().entrySet()) {
      String key = f.getKey();
      DataType type = contract.column(key).get().type();
      String refused = "Cannot map source " + contract.name() + " (" + sourceLabel + "): formats '" + key + "'";
      if (type instanceof NumericType) {
        if (NumberText.of(f.getValue()).isEmpty()) {
          throw new ContractException(refused + " = '" + f.getValue() + "' is not a number format; write one "
              + "thousand two hundred thirty-four and 56 hundredths as the source does: " + NumberText.EXAMPLES);
        }
      } else if (!(type instanceof DateType || type instanceof TimestampType)) {
        throw new ContractException(refused + " applies to date, time and number columns only; " + key + " is "
            + type.simpleString() + " (map the column through an SQL expression to read it)");
      }
    }
  }

  private static Dataset<Row> applyFilter(Dataset<Row> source, SourceMapping mapping, String table,
      String sourceLabel) {
    if (mapping.filter().isEmpty()) {
      return source;
    }
    String condition = mapping.filter().get();
    try {
      Dataset<Row> filtered = source.where(expr(condition));
      filtered.schema();
      return filtered;
    } catch (Exception e) {
      throw new ContractException("Cannot apply the row filter of source " + table + " ("
          + sourceLabel + "): '" + condition + "' does not apply to its columns (found columns: "
          + String.join(", ", source.columns()) + ")");
    }
  }

  /** A source column by name (case-insensitive), else the text as an expression if it resolves. */
  private static Optional<Column> resolve(Dataset<Row> source, String mapped) {
    for (StructField f : source.schema().fields()) {
      if (f.name().equalsIgnoreCase(mapped)) {
        return Optional.of(col("`" + f.name() + "`"));
      }
    }
    try {
      Column e = expr(mapped);
      source.select(e).schema();
      return Optional.of(e);
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** Applies a value mapping; keys are matched ignoring case, unlisted values pass through. */
  private static Column valueMapped(Column text, Map<String, String> values) {
    if (values == null || values.isEmpty()) {
      return text;
    }
    Column key = lower(text.cast("string"));
    Column out = null;
    for (Map.Entry<String, String> e : values.entrySet()) {
      Column cond = key.equalTo(e.getKey().toLowerCase(Locale.ROOT));
      out = out == null ? when(cond, e.getValue()) : out.when(cond, e.getValue());
    }
    return out.otherwise(text.cast("string"));
  }

  /**
   * Canonical text: an allowed value in its listed spelling (matched ignoring case); a category
   * with its inner whitespace collapsed and its case normalised; anything else as it is (trimmed).
   */
  private static Column normalisedText(Column text, ColumnSpec spec) {
    if (!spec.allowedValues().isEmpty()) {
      Column key = lower(text);
      Column out = null;
      for (String allowed : spec.allowedValues()) {
        Column cond = key.equalTo(allowed.toLowerCase(Locale.ROOT));
        out = out == null ? when(cond, allowed) : out.when(cond, allowed);
      }
      return out.otherwise(text);
    }
    if (spec.category() == null) {
      return text;
    }
    Column collapsed = regexp_replace(text, "\\s+", " ");
    return switch (spec.category()) {
      case LOWER -> lower(collapsed);
      case UPPER -> upper(collapsed);
      case TITLE -> initcap(lower(collapsed));
    };
  }

  /** Parses a staged source value into the canonical type; null where it cannot. */
  private static Column convert(String name, DataType from, ColumnSpec spec, String format, String table) {
    DataType to = spec.type();
    String canonical = spec.name();
    String q = "`" + name + "`";
    if (to instanceof StringType) {
      return normalisedText(col(name).cast("string"), spec);
    }
    if (to instanceof BooleanType) {
      if (from instanceof BooleanType) {
        return col(name);
      }
      Column t = lower(col(name).cast("string"));
      return when(t.isin(TRUE_WORDS.toArray()), true).when(t.isin(FALSE_WORDS.toArray()), false);
    }
    if (to instanceof NumericType) {
      // Text is read as a double first, so "3.0" (a float export of an integer column) is 3;
      // a fraction in an integer column, NaN or an infinity is not a valid value (null: wrong_type).
      String n = from instanceof NumericType ? q : "try_cast(" + q + " AS DOUBLE)";
      if (to.equals(DataTypes.IntegerType) || to.equals(DataTypes.LongType)) {
        return expr("CASE WHEN " + n + " = floor(" + n + ") THEN try_cast(" + n + " AS " + to.sql() + ") END");
      }
      String d = "CAST(" + n + " AS DOUBLE)";
      return expr("CASE WHEN NOT isnan(" + d + ") AND abs(" + d + ") != double('Infinity') THEN CAST(" + n
          + " AS " + to.sql() + ") END");
    }
    if (to instanceof DateType || to instanceof TimestampType) {
      Column ts;
      String f = format == null ? ISO : format;
      if (from instanceof DateType || from instanceof TimestampType || from instanceof TimestampNTZType) {
        // Already a date/time (Parquet, JDBC; pandas and pyarrow write time without a zone, read as
        // TIMESTAMP_NTZ, a type of its own): a text pattern configured for a CSV export does not apply.
        ts = col(name).cast(DataTypes.TimestampType);
      } else if (f.equals(EPOCH_SECONDS) || f.equals(EPOCH_MILLIS)) {
        // Fractions are kept (1709647620.5 s); values beyond year 9999 would overflow the
        // conversion and fail the whole job, so they are left null (unparseable_date) instead.
        long perSecond = f.equals(EPOCH_SECONDS) ? 1L : 1000L;
        String v = "try_cast(" + q + " AS DECIMAL(24,6))";
        ts = expr("CASE WHEN abs(" + v + ") < " + MAX_EPOCH_SECONDS * perSecond
            + " THEN timestamp_micros(CAST(" + v + " * " + (1_000_000L / perSecond) + " AS BIGINT)) END");
      } else if (f.equals(ISO)) {
        ts = expr("try_cast(" + q + " AS TIMESTAMP)");
      } else {
        checkPattern(f, canonical, table);
        // The pattern goes in as a literal, so quoted text such as yyyy-MM-dd'T'HH:mm works.
        ts = org.apache.spark.sql.functions.try_to_timestamp(col(name).cast("string"), lit(f));
      }
      return to instanceof DateType ? to_date(ts) : ts;
    }
    throw new ContractException("Cannot convert " + table + "." + canonical + " to " + to.simpleString());
  }

  /**
   * Fails on a pattern Spark cannot parse with, before any row is read: a malformed pattern, or
   * one with letters Spark 3 rejects when parsing (week-based fields such as {@code Y}, {@code u},
   * {@code w}; day-of-week and quarter fields), which would otherwise fail the job mid-run.
   */
  private static void checkPattern(String pattern, String canonical, String table) {
    String problem = null;
    try {
      java.time.format.DateTimeFormatter.ofPattern(pattern);
    } catch (IllegalArgumentException e) {
      problem = e.getMessage();
    }
    if (problem == null) {
      boolean quoted = false;
      for (char ch : pattern.toCharArray()) {
        if (ch == '\'') {
          quoted = !quoted;
        } else if (!quoted && UNSUPPORTED_PATTERN_LETTERS.indexOf(ch) >= 0) {
          problem = "Spark cannot parse with pattern letter '" + ch + "'"
              + (ch == 'Y' || ch == 'u' ? ", use 'y' for the year" : "");
          break;
        }
      }
    }
    if (problem != null) {
      throw new ContractException("Cannot parse " + table + "." + canonical + ": format '" + pattern
          + "' is not a usable date-time pattern (" + problem + "; use a pattern such as MM/dd/yyyy, or "
          + EPOCH_SECONDS + ", " + EPOCH_MILLIS + ", " + ISO + ")");
    }
  }

  private static Column defaulted(Column typed, ColumnSpec spec) {
    return spec.defaultValue() == null ? typed : coalesce(typed, expr(spec.defaultValue()).cast(spec.type()));
  }

  private static Column problem(Column condition, String rule, String column, Column reason, Column value,
      boolean rejects) {
    return when(condition, Quarantine.problem(rule, column, reason, value, rejects));
  }

  private static String expected(DataType type, String format) {
    if (type instanceof DateType || type instanceof TimestampType) {
      return format == null ? "ISO-8601" : format;
    }
    if (type instanceof NumericType && format != null) {
      return "a number written like " + format;
    }
    return type.simpleString().toLowerCase(Locale.ROOT);
  }

  /** The number format of a numeric column read from text, when one is configured. */
  private static Optional<NumberText> writtenNumber(ColumnSpec spec, String format, DataType sourceType) {
    return spec.type() instanceof NumericType && format != null && sourceType instanceof StringType
        ? NumberText.of(format) : Optional.empty();
  }

  private static String plainName(String canonical) {
    return "_plain_" + canonical;
  }

  private static String srcName(String canonical) {
    return "_src_" + canonical;
  }

  private static String typedName(String canonical) {
    return "_typed_" + canonical;
  }
}
