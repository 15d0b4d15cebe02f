package io.churnducks.features.validation;

import org.apache.spark.sql.Column;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

/**
 * How a source writes numbers for people, as its {@code formats} entry shows with one thousand two
 * hundred thirty-four and 56 hundredths: {@code "1,234.56"}, {@code "1.234,56"}, {@code "1 234,56"},
 * {@code "1'234.56"} or {@code "1234,56"}. A value in that form is read with its grouping separators,
 * a currency symbol or code before or after it ({@code $1,234.50}, {@code US$1,234.50},
 * {@code 1.234,50 €}, {@code 1,234.50 USD}), a sign, or accounting parentheses for a negative ({@code (12.00)}); anything
 * else does not read as a number (the row's value is then a wrong type, as without a format).
 *
 * @param group   the grouping separator (empty when the sample has none)
 * @param decimal the decimal separator
 */
public record NumberText(String group, String decimal) {

  private static final Pattern SAMPLE = Pattern.compile("1([,. '\u00a0]?)234([.,])56");
  /** The forms a number format may take, for messages. */
  public static final String EXAMPLES = "\"1,234.56\", \"1.234,56\", \"1 234,56\", \"1'234.56\" or \"1234,56\"";

  /** The format a sample describes; empty when it is not one of the forms above. */
  public static Optional<NumberText> of(String sample) {
    Matcher m = SAMPLE.matcher(sample.trim());
    if (!m.matches() || m.group(1).equals(m.group(2))) {
      return Optional.empty();
    }
    return Optional.of(new NumberText(m.group(1), m.group(2)));
  }

  /** The number a text holds in this form, as a double; null when it holds none. */
  public Column parse(Column text) {
    String pattern = pattern();
    Column t = trim(text.cast("string"));
    Column open = regexp_extract(t, pattern, 1);
    Column digits = regexp_extract(t, pattern, 4);
    Column close = regexp_extract(t, pattern, 5);
    Column negative = open.equalTo("(").or(regexp_extract(t, pattern, 2).equalTo("-"))
        .or(regexp_extract(t, pattern, 3).equalTo("-"));
    Column ungrouped = group.isEmpty() ? digits : regexp_replace(digits, groupClass(), "");
    Column plain = regexp_replace(ungrouped, Pattern.quote(decimal), ".").cast("double");
    // The digits group is empty only when the whole text does not match.
    return when(length(digits).gt(0).and(length(open).equalTo(length(close))),
        when(negative, plain.multiply(lit(-1.0))).otherwise(plain));
  }

  /**
   * The whole text: (1) an opening parenthesis, (2) a sign, a currency symbol or code, (3) a sign,
   * (4) the digits with their separators, a currency symbol or code, (5) a closing parenthesis.
   */
  String pattern() {
    String currency = "(?:[A-Za-z]{1,3}\\p{Sc}?|\\p{Sc})";
    String d = Pattern.quote(decimal);
    String grouped = group.isEmpty() ? "[0-9]+" : "(?:[0-9]{1,3}(?:" + groupClass() + "[0-9]{3})+|[0-9]+)";
    return "^(\\()?\\s*([-+])?\\s*(?:" + currency + "\\s*)?([-+])?\\s*(" + grouped + "(?:" + d + "[0-9]+)?)\\s*(?:"
        + currency + ")?\\s*(\\))?$";
  }

  /** The grouping separator as a regex; a space also matches a no-break space, as spreadsheets write it. */
  private String groupClass() {
    return group.equals(" ") || group.equals("\u00a0") ? "[ \u00a0]" : Pattern.quote(group);
  }
}
