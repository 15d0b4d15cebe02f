package io.churnducks.features.validation;

import io.churnducks.features.contract.ColumnSpec;
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
import org.apache.spark.sql.types.TimestampType;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

/**
 * Maps one raw source onto its canonical table and applies the row-level contract rules.
 *
 * <p>A mapping entry is a source column name or a Spark SQL expression over the source's
 * columns. Text is trimmed (blank = missing), value mappings are applied, and the value is
 * parsed into the canonical type using the column's configured format (a column that is already
 * a date or timestamp, as in Parquet or JDBC, is used as it is). Numbers must be finite, and whole
 * for an integer column ({@code "3.0"} is 3, {@code "2.5"} is {@code wrong_type}). A row whose value
 * cannot be turned into a valid canonical value is kept, with the rule it broke, for
 * {@code dq_quarantine}. Rows dated after the extract cutoff (the day after {@code extractDate})
 * are rejected as {@code after_cutoff}.
 */
public final class SourceConformer {

  /** Hidden column holding the raw source row as JSON. */
  public static final String RAW = "_raw";
  /** Hidden column holding the broken rules (array of struct rule, column, reason). */
  public static final String PROBLEMS = "_problems";

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
   * Conforms {@code source} to {@code contract}.
   *
   * @param sourceLabel where the source was read from, for error messages
   * @param extractDate last day the extract can hold; rows dated later are {@code after_cutoff}
   * @throws ContractException when a required column is missing or the mapping is invalid
   */
  public static ConformedSource conform(Dataset<Row> source, TableContract contract,
      SourceMapping mapping, String sourceLabel, LocalDate extractDate) {
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
        missingRequired.add(mapped == null ? spec.name() : spec.name() + " (mapped to '" + mapped + "')");
      } else if (mapped != null) {
        unresolved.add(spec.name() + " (mapped to '" + mapped + "')");
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

    // Stage 1: each canonical column's source value as text (or as the source's own type).
    List<Column> stage1 = new ArrayList<>();
    Map<String, DataType> sourceTypes = new LinkedHashMap<>();
    for (ColumnSpec spec : contract.columns()) {
      Column v = sourceValue.get(spec.name());
      if (v == null) {
        continue;
      }
      DataType t = filtered.select(v).schema().fields()[0].dataType();
      Column text = t instanceof StringType ? when(trim(v).notEqual(""), trim(v)) : v;
      stage1.add(valueMapped(text, mapping.values().get(spec.name())).as(srcName(spec.name())));
    }
    stage1.add(to_json(struct(Arrays.stream(filtered.columns()).map(c -> col("`" + c + "`")).toArray(Column[]::new)),
        Map.of("ignoreNullFields", "false")).as(RAW));
    Dataset<Row> staged = filtered.select(stage1.toArray(Column[]::new));
    // A value mapping turns a typed column into text, so conversion starts from the staged type.
    for (ColumnSpec spec : contract.columns()) {
      if (sourceValue.containsKey(spec.name())) {
        sourceTypes.put(spec.name(), staged.schema().apply(srcName(spec.name())).dataType());
      }
    }

    // Stage 2: typed canonical values and the rules each row breaks, in priority order.
    List<Column> stage2 = new ArrayList<>();
    List<Column> missing = new ArrayList<>();
    List<Column> parse = new ArrayList<>();
    List<Column> negative = new ArrayList<>();
    List<Column> invalid = new ArrayList<>();
    List<Column> late = new ArrayList<>();
    for (ColumnSpec spec : contract.columns()) {
      DataType srcType = sourceTypes.get(spec.name());
      if (srcType == null) {
        stage2.add(defaulted(lit(null).cast(spec.type()), spec).as(spec.name()));
        continue;
      }
      Column src = col(srcName(spec.name()));
      String format = mapping.formats().get(spec.name());
      Column typed = convert(srcName(spec.name()), srcType, spec.type(), format, spec.name(), table);
      stage2.add(defaulted(typed, spec).as(spec.name()));
      String label = sourceColumns.get(spec.name());
      if (spec.required()) {
        missing.add(problem(src.isNull(), Quarantine.MISSING_REQUIRED, label,
            lit("missing required " + spec.name() + " in " + label)));
      }
      boolean isTime = spec.type() instanceof DateType || spec.type() instanceof TimestampType;
      parse.add(problem(src.isNotNull().and(typed.isNull()),
          isTime ? Quarantine.UNPARSEABLE_DATE : Quarantine.WRONG_TYPE, label,
          concat(lit((isTime ? "unparseable date" : "wrong type") + " in " + label + ": '"),
              src.cast("string"), lit("' (expected " + expected(spec.type(), format) + ")"))));
      if (spec.nonNegative()) {
        negative.add(problem(typed.lt(0), Quarantine.NEGATIVE_VALUE, label,
            concat(lit("negative " + spec.name() + " in " + label + ": "), typed.cast("string"))));
      }
      if (!spec.allowedValues().isEmpty()) {
        invalid.add(problem(typed.isNotNull().and(typed.isin(spec.allowedValues().toArray()).unary_$bang()),
            Quarantine.INVALID_VALUE, label,
            concat(lit("invalid " + spec.name() + " in " + label + ": '"), typed,
                lit("' (allowed: " + String.join(", ", spec.allowedValues())
                    + "; map other codes under values." + spec.name() + ")"))));
      }
      if (contract.eventTimeColumn().filter(spec.name()::equals).isPresent()) {
        late.add(problem(to_date(typed).gt(lit(java.sql.Date.valueOf(extractDate))), Quarantine.AFTER_CUTOFF,
            label, concat(lit(spec.name() + " in " + label + " is after the extract cutoff "
                + extractDate + ": "), typed.cast("string"))));
      }
    }
    if (!contract.oneOfRequired().isEmpty()) {
      Column none = lit(true);
      List<String> labels = new ArrayList<>();
      for (String c : contract.oneOfRequired()) {
        if (sourceTypes.containsKey(c)) {
          none = none.and(col(srcName(c)).isNull());
          labels.add(sourceColumns.get(c));
        }
      }
      String label = String.join("|", labels);
      missing.add(problem(none, Quarantine.MISSING_REQUIRED, label,
          lit("missing required " + String.join(" or ", contract.oneOfRequired()) + " in " + label)));
    }
    List<Column> all = new ArrayList<>();
    // A value that could not be parsed explains a missing value computed from it (e.g. an mrr
    // expression over an unparseable quantity), so parse failures are reported first.
    all.addAll(parse);
    all.addAll(missing);
    all.addAll(negative);
    all.addAll(invalid);
    all.addAll(late);
    stage2.add(array(all.toArray(Column[]::new)).as("_all_problems"));
    stage2.add(col(RAW));
    Dataset<Row> checked = staged.select(stage2.toArray(Column[]::new))
        .withColumn(PROBLEMS, expr("filter(_all_problems, p -> p is not null)"))
        .drop("_all_problems");
    return new ConformedSource(table, checked, contract.columnNames(), sourceColumns, absent);
  }

  private static void checkMappingNames(TableContract contract, SourceMapping mapping, String sourceLabel) {
    for (String key : mapping.columns().keySet()) {
      if (contract.column(key).isEmpty()) {
        throw new ContractException("Cannot map source " + contract.name() + " (" + sourceLabel
            + "): '" + key + "' is not a canonical column (canonical columns: "
            + String.join(", ", contract.columnNames()) + ")");
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

  private static Column valueMapped(Column text, Map<String, String> values) {
    if (values == null || values.isEmpty()) {
      return text;
    }
    Column out = null;
    for (Map.Entry<String, String> e : values.entrySet()) {
      Column cond = text.cast("string").equalTo(e.getKey());
      out = out == null ? when(cond, e.getValue()) : out.when(cond, e.getValue());
    }
    return out.otherwise(text.cast("string"));
  }

  /** Parses a staged source value into the canonical type; null where it cannot. */
  private static Column convert(String name, DataType from, DataType to, String format,
      String canonical, String table) {
    String q = "`" + name + "`";
    if (to instanceof StringType) {
      return col(name).cast("string");
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
      if (from instanceof DateType || from instanceof TimestampType) {
        // Already a date/time (Parquet, JDBC): a text pattern configured for a CSV export does not apply.
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

  private static Column problem(Column condition, String rule, String column, Column reason) {
    return when(condition, Quarantine.problem(rule, column, reason));
  }

  private static String expected(DataType type, String format) {
    if (type instanceof DateType || type instanceof TimestampType) {
      return format == null ? "ISO-8601" : format;
    }
    return type.simpleString().toLowerCase(Locale.ROOT);
  }

  private static String srcName(String canonical) {
    return "_src_" + canonical;
  }
}
