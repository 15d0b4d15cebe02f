package io.churnducks.features.indicators;

import io.churnducks.features.indicators.CustomerFeatures.Indicator;
import io.churnducks.features.indicators.CustomerFeatures.Stage;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The indicator catalogue as a document: {@code docs/indicators.md} is this class's output for
 * {@link CustomerFeatures#COLUMNS}, written by {@code churn docs}; a test fails when the committed
 * file differs, so the document cannot drift from the code.
 */
public final class IndicatorCatalogue {

  private IndicatorCatalogue() {}

  /** Path of the generated document, relative to the repository root. */
  public static final String PATH = "docs/indicators.md";

  /** The catalogue of {@code customer_features}, as Markdown. */
  public static String markdown() {
    List<Indicator> indicators = CustomerFeatures.COLUMNS.stream().filter(i -> i.stage() != Stage.KEY).toList();
    long modelInputs = indicators.stream().filter(Indicator::numeric).count();
    StringBuilder b = new StringBuilder();
    b.append("# Motivation indicators\n\n");
    b.append("Generated from the declarations in `features/src/main/java/io/churnducks/features/indicators/"
        + "CustomerFeatures.java` by `bin/churn docs`; do not edit by hand.\n\n");
    b.append(String.format(Locale.ROOT, "`customer_features` holds one row per account and as-of date (key: "
        + "`account_id`, `as_of_date`) with %d indicators, %d of them numeric model and segmentation inputs. Every "
        + "value uses only data dated strictly before the as-of date. An indicator whose source is not configured "
        + "is null and the run's summary says so.%n%n", indicators.size(), modelInputs));
    for (Stage stage : List.of(Stage.EARLY, Stage.LATER)) {
      b.append(stage == Stage.EARLY ? "## Early lifecycle\n\nWhat the account was and did in its first weeks.\n\n"
          : "## Now\n\nWhat the account is and does as of the as-of date.\n\n");
      b.append("| indicator | type | unit | window | source | better when | description | as a churn reason |\n");
      b.append("|---|---|---|---|---|---|---|---|\n");
      for (Indicator i : indicators) {
        if (i.stage() != stage) {
          continue;
        }
        b.append("| `").append(i.name()).append("` | ").append(i.type().simpleString()).append(" | ")
            .append(i.unit()).append(" | ").append(i.window()).append(" | ")
            .append(i.source() == null ? "accounts, subscriptions" : i.source()).append(" | ")
            .append(switch (i.good()) {
              case HIGHER -> "higher";
              case LOWER -> "lower";
              case NEITHER -> "-";
            }).append(" | ").append(i.doc().replace("|", "\\|"))
            .append(i.numeric() || i.doc().contains("Not a model input") ? "" : " Not a model input.")
            .append(" | ").append(reason(i.name())).append(" |\n");
      }
      b.append('\n');
    }
    b.append("A reason's phrase fills `{v}` with the account's value and `{t}` with the training median; `{pct}`, "
        + "`{trend}` and `{signed}` show a change with its sign, `{share}` a ratio as a percentage. An indicator "
        + "with a *better when* side is a churn reason only on the other side.\n");
    return b.toString();
  }

  private static String reason(String indicator) {
    Map<String, String> t = ReasonPhrases.TEMPLATES;
    if (t.containsKey(indicator)) {
      return "\"" + t.get(indicator) + "\"";
    }
    if (t.containsKey(indicator + ":high")) {
      return "\"" + t.get(indicator + ":low") + "\" / \"" + t.get(indicator + ":high") + "\"";
    }
    return "-";
  }
}
