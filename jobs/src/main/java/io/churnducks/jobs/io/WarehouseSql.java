package io.churnducks.jobs.io;

import io.churnducks.features.validation.ContractException;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * Spark SQL over the warehouse: every table is known by its name (all run dates; filter on
 * {@code run_date}; {@code VERSION AS OF n} / {@code TIMESTAMP AS OF t} read an earlier version for
 * audits, {@code DESCRIBE HISTORY name} lists the versions), and results print as an aligned table for people or as CSV / TSV for scripts.
 * CSV and TSV stream the rows partition by partition; the table format shows at most a limit.
 */
public final class WarehouseSql {

  /** How results print. */
  public enum Format { table, csv, tsv }

  private final SparkSession spark;
  private final Warehouse warehouse;

  public WarehouseSql(SparkSession spark, Warehouse warehouse) {
    this.spark = spark;
    this.warehouse = warehouse;
  }

  /**
   * Registers every warehouse table under its name in the session's catalog (a Delta table as an
   * external table at its folder, so time travel works; a Parquet folder as a view); returns their
   * names. Nothing is copied and dropping the registration never touches the data.
   */
  public List<String> registerTables() {
    List<String> tables = warehouse.tables();
    for (String t : tables) {
      spark.catalog().dropTempView(t);
      spark.sql("DROP TABLE IF EXISTS `" + t + "`");
      if (warehouse.isDelta(t)) {
        spark.sql("CREATE TABLE `" + t + "` USING delta LOCATION '"
            + warehouse.tablePath(t).replace("\\", "\\\\").replace("'", "\\'") + "'");
      } else {
        warehouse.readAll(t).createOrReplaceTempView(t);
      }
    }
    return tables;
  }

  /** Runs {@code sql} and prints its result; returns the number of rows printed. */
  public long run(String sql, Format format, int limit, PrintStream out) {
    List<String> tables = registerTables();
    Dataset<Row> result;
    try {
      result = spark.sql(sql);
    } catch (Exception e) {
      String why = e instanceof AnalysisException a ? a.getSimpleMessage() : e.getMessage();
      throw new ContractException("Cannot run the query: " + (why == null ? e.getClass().getSimpleName()
          : why.lines().findFirst().orElse("")) + " (tables: " + (tables.isEmpty() ? "none in " + warehouse.root()
          : String.join(", ", tables)) + ")");
    }
    String[] names = result.columns();
    Dataset<Row> text = result.select(Arrays.stream(names).map(n -> col("`" + n.replace("`", "``") + "`")
        .cast("string")).toArray(Column[]::new));
    return switch (format) {
      case table -> printTable(names, text.limit(limit + 1).collectAsList(), limit, out);
      case csv -> stream(names, text, out, ",", WarehouseSql::csvCell);
      case tsv -> stream(names, text, out, "\t", WarehouseSql::tsvCell);
    };
  }

  private static long stream(String[] names, Dataset<Row> text, PrintStream out, String separator,
      java.util.function.UnaryOperator<String> cell) {
    out.println(String.join(separator, Arrays.stream(names).map(cell).toList()));
    long n = 0;
    for (Iterator<Row> it = text.toLocalIterator(); it.hasNext(); n++) {
      Row r = it.next();
      List<String> cells = new ArrayList<>(r.size());
      for (int i = 0; i < r.size(); i++) {
        cells.add(r.isNullAt(i) ? "" : cell.apply(r.getString(i)));
      }
      out.println(String.join(separator, cells));
    }
    out.flush();
    return n;
  }

  private static long printTable(String[] names, List<Row> rows, int limit, PrintStream out) {
    int shown = Math.min(rows.size(), limit);
    int[] width = Arrays.stream(names).mapToInt(String::length).toArray();
    for (int j = 0; j < shown; j++) {
      for (int i = 0; i < names.length; i++) {
        width[i] = Math.max(width[i], display(rows.get(j), i).length());
      }
    }
    out.println(line(names, width));
    StringBuilder rule = new StringBuilder();
    for (int i = 0; i < names.length; i++) {
      rule.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
    }
    out.println(rule);
    for (int j = 0; j < shown; j++) {
      String[] cells = new String[names.length];
      for (int i = 0; i < names.length; i++) {
        cells[i] = display(rows.get(j), i);
      }
      out.println(line(cells, width));
    }
    out.println(rows.size() > limit ? "(first " + limit + " rows; --limit N shows more, --format csv all)"
        : "(" + shown + (shown == 1 ? " row)" : " rows)"));
    out.flush();
    return shown;
  }

  private static String display(Row r, int i) {
    return r.isNullAt(i) ? "NULL" : r.getString(i).replace("\n", " ").replace("\t", " ");
  }

  private static String line(String[] cells, int[] width) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      b.append(i == 0 ? "" : " | ").append(cells[i]).append(" ".repeat(width[i] - cells[i].length()));
    }
    return b.toString().stripTrailing();
  }

  /** RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled. */
  static String csvCell(String s) {
    return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")
        ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  /** Tabs, line breaks and backslashes escaped, so every row is one line of tab-separated cells. */
  static String tsvCell(String s) {
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
  }
}
