package io.churnducks.jobs.io;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.validation.ContractException;
import io.churnducks.jobs.config.SourceSettings;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.util.Map;

/**
 * Reads one configured source as it is (no schema inference: mapping and parsing happen in
 * validation, where a bad value is quarantined instead of failing the read). A CSV source other
 * than usage events is read as records that may span lines (quoted line breaks in free text).
 */
public final class SourceReader {

  private SourceReader() {}

  public static Dataset<Row> read(SparkSession spark, SourceSettings s) {
    if ("jdbc".equals(s.format())) {
      return read(spark, s, false);
    }
    requireData(spark, s, requirePath(s));
    return read(spark, s, false, s.path());
  }

  /**
   * Reads the source from {@code paths} (some of its date folders) instead of its configured path:
   * every data file under them, in subfolders too (hourly ones), without partition columns.
   */
  public static Dataset<Row> readFolders(SparkSession spark, SourceSettings s, String... paths) {
    return read(spark, s, true, paths);
  }

  /**
   * How the product reads and writes CSV: a quote inside a quoted value written as two quotes
   * (RFC 4180), as CRMs, billing systems, helpdesks and spreadsheets export it ({@code Acme ""Ducks""
   * Ltd}), not Spark's default backslash. Sources, the generator's CSV sources and the CSV exports
   * share it.
   */
  public static final Map<String, String> CSV_DIALECT = Map.of("escape", "\"");

  private static Dataset<Row> read(SparkSession spark, SourceSettings s, boolean recursive, String... paths) {
    DataFrameReader reader = spark.read();
    if (recursive) {
      // Without it Spark reads the files of a folder's subfolders only when they are named key=value.
      reader = reader.option("recursiveFileLookup", "true");
    }
    if ("csv".equals(s.format())) {
      reader = reader.options(CSV_DIALECT);
    }
    if ("csv".equals(s.format()) && !InputContract.USAGE_EVENTS.name().equals(s.table())) {
      // Free text in CRM, billing and helpdesk exports holds line breaks inside quoted values: read
      // records, not lines. Not for usage events (no free text; a big CSV file stays splittable).
      // The source's own options come after, so options { multiLine = false } turns it off (and
      // options { escape = "\\" } reads a backslash-escaped file).
      reader = reader.option("multiLine", "true");
    }
    reader = reader.options(s.options());
    try {
      return switch (s.format()) {
        case "csv" -> csvText(s, reader.option("inferSchema", "false").csv(paths));
        case "parquet" -> reader.parquet(paths);
        case "json" -> reader.option("primitivesAsString", "true").json(paths);
        case "jdbc" -> jdbc(reader, s);
        default -> throw new ContractException("Cannot read source " + s.table() + ": format '" + s.format()
            + "' is not csv, parquet, json or jdbc");
      };
    } catch (ContractException e) {
      throw e;
    } catch (Exception e) {
      // Reading a CSV header (multiLine) or a schema runs a Spark job, which may fail on a bad file.
      throw cannotRead(s, null, e);
    }
  }

  /**
   * A CSV source whose files are not CSV text fails in one line that says what they look like,
   * instead of every mapped column reported missing beside a header of binary bytes: Parquet files
   * (they start with {@code PAR1}), JSON lines (a header that opens a JSON object) or other binary
   * content (a compressed file Spark does not know by its extension).
   */
  static Dataset<Row> csvText(SourceSettings s, Dataset<Row> read) {
    String[] columns = read.columns();
    if (columns.length == 0) {
      return read;
    }
    String first = columns[0];
    String looks;
    if (first.startsWith("PAR1")) {
      looks = "Parquet files (they start with PAR1); set sources." + s.table() + ".format = parquet";
    } else if (first.startsWith("{") || first.startsWith("[{")) {
      looks = "JSON (the first line opens a JSON object); set sources." + s.table() + ".format = json";
    } else if (String.join("", columns).chars()
        .anyMatch(c -> c == '\uFFFD' || (Character.isISOControl(c) && c != '\t'))) {
      looks = "binary, not text (a compressed export needs its extension, e.g. .csv.gz; or set the source's format)";
    } else {
      return read;
    }
    throw new ContractException("Cannot read source " + s.table() + " (" + s.location() + "): its files are not CSV "
        + "text: they look like " + looks);
  }

  /**
   * Runs the first work that reads a source ({@code what}: which part of it), so a file that cannot
   * be read (a truncated archive, types that differ between files) fails with the source, its
   * location and the file named, in one line. Our own contract errors pass through as they are.
   */
  public static <T> T reading(SourceSettings s, String what, java.util.function.Supplier<T> work) {
    try {
      return work.get();
    } catch (ContractException | IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      // Exception, not RuntimeException: a failed Spark job is a SparkException, which Java calls checked.
      throw cannotRead(s, what, e);
    }
  }

  /** "Cannot read source X (location)[, what]: what failed", keeping the failure as the cause. */
  private static ContractException cannotRead(SourceSettings s, String what, Exception e) {
    return new ContractException("Cannot read source " + s.table() + " (" + s.location() + ")"
        + (what == null ? "" : ", " + what) + ": " + Failures.describe(e), e);
  }

  /**
   * Whether a listed file is data Spark reads: not a marker or hidden file ({@code _SUCCESS},
   * {@code .crc}), whose names start with {@code _} or {@code .}.
   */
  public static boolean isDataFile(Path file) {
    String name = file.getName();
    return !name.startsWith("_") && !name.startsWith(".");
  }

  /**
   * Fails with a clear line when the source's path exists but holds no data: no file, or only
   * empty ones (an export that did not land). Spark would otherwise fail to infer a schema, or read
   * no columns and report every mapped column missing. A glob or an unlistable path is left to Spark.
   */
  private static void requireData(SparkSession spark, SourceSettings s, String path) {
    Path p = new Path(path);
    try {
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        return;
      }
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(p, true);
      while (files.hasNext()) {
        LocatedFileStatus f = files.next();
        if (f.getLen() > 0 && isDataFile(f.getPath())) {
          return;
        }
      }
    } catch (IOException e) {
      return;
    }
    boolean optional = !InputContract.table(s.table()).requiredSource();
    throw new ContractException("Cannot read source " + s.table() + " (" + s.location() + "): it holds no data "
        + "(no file, or only empty ones); deliver the export" + (optional ? ", or remove sources." + s.table()
        + " to run without it" : ""));
  }

  private static String requirePath(SourceSettings s) {
    if (s.path() == null || s.path().isBlank()) {
      throw new ContractException("Cannot read source " + s.table() + ": no path configured (set sources."
          + s.table() + ".path)");
    }
    return s.path();
  }

  private static Dataset<Row> jdbc(DataFrameReader reader, SourceSettings s) {
    if (s.url() == null || s.jdbcTable() == null) {
      throw new ContractException("Cannot read source " + s.table() + ": jdbc needs url and table (set sources."
          + s.table() + ".url and .table)");
    }
    reader = reader.format("jdbc").option("url", s.url()).option("dbtable", s.jdbcTable());
    if (s.user() != null) {
      reader = reader.option("user", s.user());
    }
    if (s.passwordEnv() != null) {
      String password = System.getenv(s.passwordEnv());
      if (password == null) {
        throw new ContractException("Cannot read source " + s.table() + ": environment variable "
            + s.passwordEnv() + " (its JDBC password) is not set");
      }
      reader = reader.option("password", password);
    }
    return reader.load();
  }
}
