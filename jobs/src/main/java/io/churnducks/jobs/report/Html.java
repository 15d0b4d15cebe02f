package io.churnducks.jobs.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** HTML text for the report: every value escaped, numbers formatted for people. */
final class Html {

  private Html() {}

  /** Text as HTML: the five characters with a meaning in markup are escaped. */
  static String esc(Object value) {
    if (value == null) {
      return "";
    }
    String s = value.toString();
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** How a column's values are shown. */
  enum Format {
    TEXT, INTEGER, MONEY, PERCENT, DECIMAL, DECIMAL3;

    String apply(Object v) {
      if (v == null) {
        return "–";
      }
      if (!(v instanceof Number n) || this == TEXT) {
        return v instanceof List<?> l ? String.join("; ", l.stream().map(String::valueOf).toList()) : v.toString();
      }
      double d = n.doubleValue();
      if (Double.isNaN(d)) {
        return "–";
      }
      return switch (this) {
        case INTEGER -> String.format(Locale.ROOT, "%,d", Math.round(d));
        case MONEY -> String.format(Locale.ROOT, "%,.0f", d);
        case PERCENT -> String.format(Locale.ROOT, "%.1f %%", 100 * d);
        case DECIMAL -> String.format(Locale.ROOT, "%.2f", d);
        case DECIMAL3 -> String.format(Locale.ROOT, "%.3f", d);
        default -> v.toString();
      };
    }
  }

  /** One column of a table: the row key, its heading and its format. */
  record Column(String key, String heading, Format format) {
    static Column text(String key, String heading) {
      return new Column(key, heading, Format.TEXT);
    }
  }

  /** A table of {@code rows} (small, already ordered); numeric columns are right-aligned. */
  static String table(String id, List<Column> columns, List<Map<String, Object>> rows) {
    return table(id, columns, rows, r -> null);
  }

  /** A table whose rows may carry a CSS class ({@code rowClass} returns null for none). */
  static String table(String id, List<Column> columns, List<Map<String, Object>> rows,
      Function<Map<String, Object>, String> rowClass) {
    StringBuilder b = new StringBuilder();
    b.append("<table id=\"").append(esc(id)).append("\" data-rows=\"").append(rows.size()).append("\"><thead><tr>");
    for (Column c : columns) {
      b.append("<th").append(c.format() == Format.TEXT ? "" : " class=\"num\"").append('>').append(esc(c.heading()))
          .append("</th>");
    }
    b.append("</tr></thead><tbody>");
    for (Map<String, Object> r : rows) {
      String cls = rowClass.apply(r);
      b.append(cls == null ? "<tr>" : "<tr class=\"" + esc(cls) + "\">");
      for (Column c : columns) {
        b.append("<td").append(c.format() == Format.TEXT ? "" : " class=\"num\"").append('>')
            .append(esc(c.format().apply(r.get(c.key())))).append("</td>");
      }
      b.append("</tr>");
    }
    return b.append("</tbody></table>").toString();
  }

  /** The note a section shows when its table was not written for the run date. */
  static String notComputed(String table) {
    return "<p class=\"note\" data-missing=\"" + esc(table) + "\">" + esc(table) + ": not computed for this run.</p>";
  }
}
