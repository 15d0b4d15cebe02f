package io.churnducks.jobs.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The plain DuckDB SQL that recomputes indicators independently of Spark, kept as resources under
 * {@value #FOLDER} (jobs/src/test/resources/duckdb, which the jobs pom also packages as a main
 * resource): the end-to-end test cross-checks the product with all of it and {@code churn bench}
 * times its usage part as the peer. A script is a sequence of statements ending with {@code ;} at
 * the end of a line; {@code ${name}} placeholders are replaced by the given values.
 */
public final class DuckDbScripts {

  /** Classpath folder of the scripts. */
  public static final String FOLDER = "duckdb/";

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z_]+)}");

  private DuckDbScripts() {}

  /** The script {@code name} with every placeholder replaced; fails on a placeholder not given. */
  public static String render(String name, Map<String, String> values) {
    String text = read(name);
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException("Cannot render DuckDB script " + name + ": no value for ${" + m.group(1)
            + "} (given: " + String.join(", ", values.keySet()) + ")");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Runs every statement of each script, in order. */
  public static void run(Statement s, Map<String, String> values, String... names) {
    for (String name : names) {
      for (String sql : statements(render(name, values))) {
        try {
          s.execute(sql);
        } catch (SQLException e) {
          throw new IllegalStateException("Cannot run DuckDB script " + name + ": " + e.getMessage() + "\n" + sql, e);
        }
      }
    }
  }

  /** A {@code VARCHAR[]} literal of {@code values}, e.g. for {@code ${intent_features}}. */
  public static String list(List<String> values) {
    return values.stream().map(v -> "'" + v.replace("'", "''") + "'")
        .collect(Collectors.joining(", ", "CAST([", "] AS VARCHAR[])"));
  }

  /** A path as it goes inside a quoted SQL string (forward slashes, quotes doubled). */
  public static String path(String path) {
    return path.replace('\\', '/').replace("'", "''");
  }

  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n", -1)) {
      current.append(line).append('\n');
      if (line.stripTrailing().endsWith(";") && !line.strip().startsWith("--")) {
        out.add(current.toString().stripTrailing().replaceAll(";$", ""));
        current.setLength(0);
      }
    }
    if (!current.toString().lines().allMatch(l -> l.isBlank() || l.strip().startsWith("--"))) {
      throw new IllegalArgumentException("Cannot split DuckDB script: text after the last ';': " + current);
    }
    return out;
  }

  private static String read(String name) {
    try (InputStream in = DuckDbScripts.class.getClassLoader().getResourceAsStream(FOLDER + name)) {
      if (in == null) {
        throw new IllegalArgumentException("Cannot find DuckDB script " + FOLDER + name + " on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
