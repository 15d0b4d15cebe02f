package io.churnducks.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.SourceMapping;
import io.churnducks.features.indicators.CustomerFeatures;
import io.churnducks.features.indicators.IndicatorSettings;
import io.churnducks.features.validation.ContractException;
import io.churnducks.models.churn.Candidate;
import io.churnducks.models.churn.ChurnModelSettings;
import io.churnducks.models.segments.DuckSegmentation;
import io.churnducks.models.segments.HealthTemperature;
import io.churnducks.models.segments.SegmentNaming;
import io.churnducks.models.segments.SegmentSettings;

import java.io.File;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The run's configuration: one HOCON file layered over the defaults in {@code reference.conf},
 * with {@code --set key=value} overrides on top (applied before substitutions are resolved, so
 * overriding {@code sample.dir} moves every source path that refers to it). Settings are read
 * once into typed, immutable objects; a bad value fails with the key named.
 */
public final class ChurnConfig {

  private final Config config;
  private final String origin;

  private ChurnConfig(Config config, String origin) {
    this.config = config;
    this.origin = origin;
  }

  /**
   * @param file      the HOCON file (must exist)
   * @param overrides {@code key=value} pairs, value in HOCON syntax (strings may be unquoted)
   */
  public static ChurnConfig load(File file, List<String> overrides) {
    if (!file.isFile()) {
      throw new ContractException("Cannot load config: " + file + " does not exist (pass --config FILE)");
    }
    try {
      Config over = ConfigFactory.empty();
      for (String o : overrides) {
        int eq = o.indexOf('=');
        if (eq <= 0) {
          throw new ContractException("Cannot apply override '" + o + "': expected key=value");
        }
        String key = o.substring(0, eq).trim();
        String value = o.substring(eq + 1).trim();
        over = ConfigFactory.parseString(key + " = " + quoteIfNeeded(value)).withFallback(over);
      }
      Config parsed = over
          .withFallback(ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false)))
          .withFallback(ConfigFactory.defaultReference())
          .resolve(ConfigResolveOptions.defaults());
      return new ChurnConfig(parsed, file.getPath());
    } catch (ConfigException e) {
      throw new ContractException("Cannot load config " + file + ": " + e.getMessage());
    }
  }

  /** Lists, objects, numbers and booleans are taken as HOCON; anything else is a string. */
  private static String quoteIfNeeded(String value) {
    if (value.startsWith("[") || value.startsWith("{") || value.startsWith("\"")
        || value.matches("-?\\d+(\\.\\d+)?([eE]-?\\d+)?|true|false|null")) {
      return value;
    }
    return ConfigValueQuoting.quote(value);
  }

  /** PSI above which an indicator's drift since the previous run is flagged ({@code drift.psi-threshold}). */
  public double driftThreshold() {
    return number("drift.psi-threshold");
  }

  /** Where {@code churn publish --target postgres} writes ({@code publish.postgres.*}). */
  public io.churnducks.jobs.publish.PostgresPublisher.Target postgresTarget() {
    return get("publish.postgres", () -> new io.churnducks.jobs.publish.PostgresPublisher.Target(
        string("publish.postgres.url"), string("publish.postgres.user"), string("publish.postgres.password-env"),
        string("publish.postgres.schema")));
  }

  public String origin() {
    return origin;
  }

  public String warehouse() {
    return string("warehouse");
  }

  /** Hours of table history {@code churn vacuum} keeps for time travel ({@code warehouse-retention-hours}). */
  public double warehouseRetentionHours() {
    double h = number("warehouse-retention-hours");
    if (h < 0) {
      throw new IllegalArgumentException("Cannot use warehouse-retention-hours = " + h + ": it must be 0 or more");
    }
    return h;
  }

  public String sparkMaster() {
    return string("spark.master");
  }

  public String sparkAppName() {
    return string("spark.app-name");
  }

  public int shufflePartitions() {
    return integer("spark.shuffle-partitions");
  }

  public double maxRejectedShare() {
    return number("validation.max-rejected-share");
  }

  /**
   * The last day source extracts can hold ({@code validation.extract-date}); by default
   * {@code today}, the day the job runs, which the caller reads once from the clock.
   */
  public LocalDate extractDate(LocalDate today) {
    String s = string("validation.extract-date");
    return s.isBlank() ? today : date("validation.extract-date", s);
  }

  /** Settings of the usage roll-ups (late-arrival window, chunk size, non-usage events, rejected share). */
  public io.churnducks.jobs.rollup.UsageRollupStage.Settings rollup() {
    return get("rollup", () -> new io.churnducks.jobs.rollup.UsageRollupStage.Settings(
        integer("rollup.late-days"), integer("rollup.chunk-days"), indicators().nonUsageFeatures(),
        maxRejectedShare()));
  }

  /** Days after onboarding over which feature_retention measures retention ({@code indicators.retention-days}). */
  public int retentionDays() {
    return integer("indicators.retention-days");
  }

  /** Settings of the indicator catalogue ({@code indicators.*}). */
  public IndicatorSettings indicators() {
    Map<String, Double> featureCosts = new LinkedHashMap<>();
    stringMap(config, "indicators.cost.features").forEach((feature, cost) ->
        featureCosts.put(feature, get("indicators.cost.features." + feature, () -> Double.parseDouble(cost))));
    return get("indicators", () -> new IndicatorSettings(strings("indicators.intent-features"),
        strings("indicators.error-features"), strings("indicators.key-features"), number("indicators.cost.per-unit"),
        featureCosts, number("indicators.cost.per-ticket"), integer("indicators.max-features"), null));
  }

  public ChurnModelSettings model() {
    return get("model", () -> new ChurnModelSettings(
        integer("labels.horizon-days"), integer("labels.grace-days"),
        integer("model.training-months"), integer("model.backtest-folds"), candidates(),
        string("model.calibration"), get("model.balance-classes", () -> config.getBoolean("model.balance-classes")),
        number("model.high-tier"), number("model.medium-tier"), integer("model.reasons"),
        integer("model.onboarding-days"), aucMargin("model.choice-margin")));
  }

  /** {@code model.candidates}: objects with a type and its hyper-parameters (defaults where left out). */
  private List<Candidate> candidates() {
    List<? extends Config> listed = get("model.candidates", () -> config.getConfigList("model.candidates"));
    List<Candidate> out = new java.util.ArrayList<>();
    for (int i = 0; i < listed.size(); i++) {
      Config c = listed.get(i);
      String key = "model.candidates[" + i + "]";
      out.add(get(key, () -> {
        String type = c.getString("type");
        Candidate trees = Candidate.boostedTrees(c.hasPath("max-depth") ? c.getInt("max-depth") : 4,
            c.hasPath("trees") ? c.getInt("trees") : 100, c.hasPath("step-size") ? c.getDouble("step-size") : 0.1,
            c.hasPath("subsample") ? c.getDouble("subsample") : 1.0);
        double minChildWeight = c.hasPath("min-child-weight") ? c.getDouble("min-child-weight") : 1.0;
        Candidate linear = Candidate.logisticRegression(c.hasPath("reg-param") ? c.getDouble("reg-param") : 0.01,
            c.hasPath("elastic-net") ? c.getDouble("elastic-net") : 0.0);
        return switch (type) {
          case Candidate.GRADIENT_BOOSTED_TREES -> trees;
          case Candidate.LOGISTIC_REGRESSION -> linear;
          case Candidate.XGBOOST -> Candidate.xgboost(trees.maxDepth(), trees.trees(), trees.stepSize(),
              trees.subsample(), c.hasPath("reg-param") ? c.getDouble("reg-param") : Candidate.XGBOOST_LAMBDA,
              minChildWeight);
          case Candidate.BLEND -> Candidate.blend(trees, linear);
          case Candidate.XGBOOST_BLEND -> Candidate.blend(Candidate.xgboost(trees.maxDepth(), trees.trees(),
              trees.stepSize(), trees.subsample(), Candidate.XGBOOST_LAMBDA, minChildWeight), linear);
          default -> new Candidate(type, 0, 0, 0, 0, 0, 0, 0); // refused with the list of known types
        };
      }));
    }
    return out;
  }

  /** {@code model.promotion-margin}: pooled backtest AUC by which a challenger must beat the champion's recipe. */
  public double modelPromotionMargin() {
    return aucMargin("model.promotion-margin");
  }

  /** A difference of pooled backtest AUCs, in [0, 0.5). */
  private double aucMargin(String key) {
    return get(key, () -> {
      double margin = config.getDouble(key);
      if (!(margin >= 0 && margin < 0.5)) {
        throw new IllegalArgumentException("an AUC margin in [0, 0.5) is needed, not " + margin);
      }
      return margin;
    });
  }

  /** Days a champion model scores nightly runs before one is trained again. */
  public int modelMaxAgeDays() {
    return integer("model.max-age-days");
  }

  public List<String> modelCategorical() {
    return strings("model.categorical");
  }

  public List<String> modelLogScaled() {
    return strings("model.log-scaled");
  }

  public SegmentSettings segments() {
    return get("segments", () -> {
      List<String> known = CustomerFeatures.numericIndicators();
      List<SegmentNaming.Rule> rules = new ArrayList<>();
      for (Config rule : config.getConfigList("segments.names")) {
        List<SegmentNaming.Condition> when = rule.getStringList("when").stream().map(SegmentNaming.Condition::parse)
            .toList();
        for (SegmentNaming.Condition c : when) {
          if (!known.contains(c.indicator())) {
            throw new IllegalArgumentException("naming rule '" + rule.getString("name") + "' names '"
                + c.indicator() + "', which is not a numeric indicator of docs/indicators.md");
          }
        }
        rules.add(new SegmentNaming.Rule(rule.getString("name"), when, rule.getString("play")));
      }
      Map<Integer, String> overrides = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : stringMap(config, "segments.name-overrides").entrySet()) {
        try {
          overrides.put(Integer.parseInt(e.getKey()), e.getValue());
        } catch (NumberFormatException x) {
          throw new IllegalArgumentException("name override key '" + e.getKey() + "' is not a segment id");
        }
      }
      Map<String, List<String>> groups = new LinkedHashMap<>();
      Config g = config.getConfig("segments.groups");
      for (String group : g.root().keySet()) {
        List<String> members = g.getStringList(quoteKey(group));
        for (String c : members) {
          if (!known.contains(c)) {
            throw new IllegalArgumentException("group '" + group + "' names '" + c
                + "', which is not a numeric indicator of docs/indicators.md");
          }
        }
        groups.put(group, members);
      }
      String criterion = string("segments.criterion");
      if (!List.of(DuckSegmentation.MML, DuckSegmentation.BIC, DuckSegmentation.SILHOUETTE).contains(criterion)) {
        throw new IllegalArgumentException("segments.criterion must be mml, bic or silhouette (got " + criterion + ")");
      }
      return new SegmentSettings(groups, strings("segments.log-scaled"), strings("segments.describe-with"),
          integer("segments.min-k"), integer("segments.max-k"), number("segments.min-share"), criterion,
          integer("segments.over-clusters"), integer("segments.restarts"), integer("segments.refine-iter"),
          number("segments.covariance-ridge"), config.getLong("segments.seed"), number("segments.k-switch-margin"),
          integer("segments.k-confirm-days"), number("segments.min-distinction"), number("segments.max-match-distance"),
          number("segments.switch-ratio"), rules, overrides);
    });
  }

  /** The health x temperature map's parts and thresholds. */
  public HealthTemperature.Settings healthMap() {
    return get("health-map", () -> {
      List<String> known = CustomerFeatures.numericIndicators();
      List<HealthTemperature.Part> health = parts("health-map.health", known);
      List<HealthTemperature.Part> temperature = parts("health-map.temperature", known);
      return new HealthTemperature.Settings(health, temperature, threshold("health-map.health-threshold"),
          threshold("health-map.temperature-threshold"));
    });
  }

  /** Settings of the lifecycle analytics ({@code economics.*}). */
  public io.churnducks.features.lifecycle.LifecycleSettings lifecycle() {
    return get("economics", () -> new io.churnducks.features.lifecycle.LifecycleSettings(
        number("economics.gross-margin"), integer("economics.churn-window-months"),
        integer("economics.new-accounts-months"), number("economics.seat-sharing.people-per-login")));
  }

  /** How much the morning report shows ({@code report.*}). */
  public io.churnducks.jobs.report.ReportSettings report() {
    return get("report", () -> new io.churnducks.jobs.report.ReportSettings(integer("report.risk-list-top"),
        integer("report.quadrant-customers"), integer("report.list-top"), integer("report.cohorts")));
  }

  /** Customers at each end of {@code health_extremes}. */
  public int healthExtremes() {
    return integer("health-map.extremes");
  }

  private List<HealthTemperature.Part> parts(String key, List<String> known) {
    List<HealthTemperature.Part> out = new ArrayList<>();
    for (String text : config.getStringList(key)) {
      HealthTemperature.Part p = HealthTemperature.Part.parse(text);
      if (!known.contains(p.indicator())) {
        throw new IllegalArgumentException("'" + p.indicator() + "' in " + key
            + " is not a numeric indicator of docs/indicators.md");
      }
      out.add(p);
    }
    return out;
  }

  private double threshold(String key) {
    String value = config.getString(key);
    if (value.equals("median")) {
      return Double.NaN;
    }
    double t = config.getDouble(key);
    if (t < 0 || t > 100) {
      throw new IllegalArgumentException(key + " must be \"median\" or 0 to 100 (got " + value + ")");
    }
    return t;
  }

  /** The playbook: reason code → play, in the configured order (the first rule naming a code wins). */
  public Map<String, String> riskListPlays() {
    return get("risk-list.plays", () -> {
      Map<String, String> out = new LinkedHashMap<>();
      List<String> indicators = CustomerFeatures.numericIndicators();
      for (Config rule : config.getConfigList("risk-list.plays")) {
        String play = rule.getString("play");
        for (String code : rule.getStringList("when")) {
          String indicator = code.replaceAll(" (high|low)$", "");
          if (indicator.equals(code) || !indicators.contains(indicator)) {
            throw new IllegalArgumentException("'" + code + "' is not a reason code (a numeric indicator of "
                + "docs/indicators.md, then high or low)");
          }
          out.putIfAbsent(code, play);
        }
      }
      return out;
    });
  }

  /** Risk tiers that make the CS list, e.g. [high, medium]. */
  public List<String> riskListTiers() {
    String min = string("risk-list.min-tier");
    return switch (min) {
      case "high" -> List.of("high");
      case "medium" -> List.of("high", "medium");
      case "low" -> List.of("high", "medium", "low");
      default -> throw new ContractException("Cannot read risk-list.min-tier: '" + min
          + "' is not high, medium or low (in " + origin + ")");
    };
  }

  public SampleSettings sample() {
    return get("sample", () -> new SampleSettings(string("sample.dir"), integer("sample.accounts"),
        date("sample.start", string("sample.start")), integer("sample.months"), config.getLong("sample.seed"),
        string("sample.format"), number("sample.messy")));
  }

  /** The configured sources, in contract order; unknown source names are an error. */
  public Map<String, SourceSettings> sources() {
    Map<String, SourceSettings> out = new LinkedHashMap<>();
    Config sources = config.getConfig("sources");
    for (String name : sources.root().keySet()) {
      InputContract.table(name);
    }
    for (var table : InputContract.ALL) {
      if (sources.hasPath(table.name())) {
        out.put(table.name(), source(table.name(), sources.getConfig(table.name())));
      }
    }
    return out;
  }

  private SourceSettings source(String name, Config c) {
    String key = "sources." + name;
    return get(key, () -> {
      String format = c.hasPath("format") ? c.getString("format") : "csv";
      Map<String, String> options = stringMap(c, "options");
      Map<String, Map<String, String>> values = new LinkedHashMap<>();
      if (c.hasPath("values")) {
        for (String col : c.getConfig("values").root().keySet()) {
          values.put(col, stringMap(c.getConfig("values"), quoteKey(col)));
        }
      }
      SourceMapping mapping = new SourceMapping(name, stringMap(c, "columns"), stringMap(c, "formats"), values,
          c.hasPath("filter") ? Optional.of(c.getString("filter")) : Optional.empty());
      return new SourceSettings(name, format,
          c.hasPath("path") ? c.getString("path") : null,
          c.hasPath("url") ? c.getString("url") : null,
          c.hasPath("table") ? c.getString("table") : null,
          c.hasPath("user") ? c.getString("user") : null,
          c.hasPath("password-env") ? c.getString("password-env") : null,
          options, mapping, c.hasPath("layout") ? c.getString("layout") : null);
    });
  }

  private static Map<String, String> stringMap(Config c, String path) {
    Map<String, String> out = new LinkedHashMap<>();
    if (!c.hasPath(path)) {
      return out;
    }
    for (Map.Entry<String, ConfigValue> e : c.getConfig(path).root().entrySet()) {
      out.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
    }
    return out;
  }

  private static String quoteKey(String key) {
    return ConfigValueQuoting.quote(key);
  }

  private String string(String key) {
    return get(key, () -> config.getString(key));
  }

  private int integer(String key) {
    return get(key, () -> config.getInt(key));
  }

  private double number(String key) {
    return get(key, () -> config.getDouble(key));
  }

  private List<String> strings(String key) {
    return get(key, () -> config.getStringList(key));
  }

  private LocalDate date(String key, String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new ContractException("Cannot read " + key + ": '" + value + "' is not a date YYYY-MM-DD (in " + origin + ")");
    }
  }

  private <T> T get(String key, java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (ConfigException e) {
      throw new ContractException("Cannot read setting " + key + " from " + origin + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new ContractException("Cannot use setting " + key + " from " + origin + ": " + e.getMessage());
    }
  }
}
