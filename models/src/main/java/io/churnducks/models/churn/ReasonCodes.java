package io.churnducks.models.churn;

import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.Seq;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.udf;

/**
 * Why an account scores high, the same way for any model: each indicator in turn is set to the
 * population's typical value (the training median of its slots) and the account rescored; the
 * indicators whose typical value would lower the churn probability the most are the reasons. An
 * indicator whose own value lowers the risk is never a reason, and categories (industry, channel,
 * plan) are not reasons because CS cannot act on them, and onboarding indicators
 * (how the first days went) are not reasons for accounts past onboarding, nor is an indicator the
 * account has no value of (the model may read its absence, but "no value" is nothing to act on).
 * An indicator must raise the probability by at least {@link #MIN_EFFECT} to be named, and only on its bad side when
 * the indicator catalogue says which side is better (more active days are never a churn reason,
 * whatever a model learned from noise or interactions). Each reason reads "&lt;indicator&gt;
 * high|low" (the account's value against the typical one).
 *
 * <p>Indicators of one behavioural group (users lost in 28 and 90 days and the share of use they
 * made; events, active days and active users) tell one story several ways, and a model spreads
 * the story's weight over them: set to typical one at a time, each looks small while the others
 * still carry it, and a lone trait (a low share of key-feature use) outranks a champion who left.
 * So a group is weighed as one: its indicators that raise the risk are set to typical together,
 * and the group, if it is among the strongest, is named by its indicator that raises the risk most
 * on its own. Three reasons then tell three different things.
 */
public final class ReasonCodes implements Serializable {

  /** How a reason reads: indicator, direction, the account's value (null: unknown) and the typical value. */
  @FunctionalInterface
  public interface Phraser extends Serializable {
    String phrase(String indicator, boolean high, Double value, double typical);
  }

  /** The plain code of a reason, e.g. {@code tickets_90d high}. */
  public static final Phraser CODES = (indicator, high, value, typical) -> indicator + (high ? " high" : " low");

  /** The two arrays a scored account gets: codes for analysts, words for people. */
  public static final StructType SCHEMA = new StructType()
      .add("codes", DataTypes.createArrayType(DataTypes.StringType))
      .add("words", DataTypes.createArrayType(DataTypes.StringType));

  /** The churn probability a fitted classifier gives one vector. */
  @FunctionalInterface
  public interface Scorer extends Serializable {
    double probability(Vector x);
  }

  /**
   * Least rise in churn probability (half a percentage point) for an indicator to count as a reason:
   * smaller effects are noise of the model, not something to tell CS.
   */
  static final double MIN_EFFECT = 0.005;

  /** Values of a {@code betterWhen} entry. */
  public static final String HIGHER = "higher";
  public static final String LOWER = "lower";

  private final String[] indicators;
  private final int[][] slots;
  private final boolean[] early;
  /** Per indicator: 1 when only a high value can be a reason, -1 only a low one, 0 either. */
  private final int[] badSide;
  /** Per indicator: its behavioural group's number, -1 alone. */
  private final int[] group;
  private final double[] typical;
  private final Scorer scorer;
  private final int keep;
  private final int onboardingDays;
  private final double[] rawTypical;
  private final Phraser phraser;

  private ReasonCodes(String[] indicators, int[][] slots, boolean[] early, int[] badSide, int[] group,
      double[] typical, Scorer scorer, int keep, int onboardingDays, double[] rawTypical, Phraser phraser) {
    this.badSide = badSide;
    this.group = group;
    this.rawTypical = rawTypical;
    this.phraser = phraser;
    this.indicators = indicators;
    this.slots = slots;
    this.early = early;
    this.typical = typical;
    this.scorer = scorer;
    this.keep = keep;
    this.onboardingDays = onboardingDays;
  }

  /**
   * @param assembled the assembled vector field, whose metadata names each slot ({@code x__imp} or
   *                  {@code x__lin} for a numeric indicator and {@code x__nul} for whether it was
   *                  missing, value slots first;
   *                  {@code c__vec_value} or {@code c__idx} for a category)
   * @param typical   the typical value of each slot, in the space the scorer reads
   * @param earlyStage indicators of the first days of an account (onboarding): reasons only while
   *                   the account is at most {@code onboardingDays} old
   * @param betterWhen indicator → {@code "higher"} or {@code "lower"}, the side the catalogue calls
   *                   better: a reason only on the other side (absent: either side)
   * @param groups     indicator → behavioural group, weighed as one reason (absent: alone)
   */
  public static ReasonCodes of(StructField assembled, double[] typical, Scorer scorer, int keep,
      List<String> earlyStage, Map<String, String> betterWhen, Map<String, String> groups, int onboardingDays) {
    Attribute[] attrs = AttributeGroup.fromStructField(assembled).attributes().get();
    if (attrs.length != typical.length) {
      throw new IllegalArgumentException("Reason codes need one typical value per slot (" + attrs.length + " slots, "
          + typical.length + " values)");
    }
    Map<String, List<Integer>> numeric = new LinkedHashMap<>();
    for (int i = 0; i < attrs.length; i++) {
      String raw = attrs[i].name().get();
      for (String suffix : List.of(ChurnPipeline.VALUE_SLOT, ChurnPipeline.LINEAR_VALUE_SLOT,
          ChurnPipeline.MISSING_SLOT)) {
        if (raw.endsWith(suffix)) {
          numeric.computeIfAbsent(raw.substring(0, raw.length() - suffix.length()), k -> new ArrayList<>()).add(i);
        }
      }
    }
    String[] names = numeric.keySet().toArray(String[]::new);
    int[][] slots = numeric.values().stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray())
        .toArray(int[][]::new);
    boolean[] early = new boolean[names.length];
    int[] badSide = new int[names.length];
    int[] group = new int[names.length];
    List<String> groupNames = new ArrayList<>();
    for (int k = 0; k < names.length; k++) {
      early[k] = earlyStage.contains(names[k]);
      String g = groups.get(names[k]);
      if (g != null && !groupNames.contains(g)) {
        groupNames.add(g);
      }
      group[k] = g == null ? -1 : groupNames.indexOf(g);
      String better = betterWhen.get(names[k]);
      badSide[k] = better == null ? 0 : switch (better) {
        case HIGHER -> -1;
        case LOWER -> 1;
        default -> throw new IllegalArgumentException("Better when of " + names[k] + " must be " + HIGHER + " or "
            + LOWER + " (got " + better + ")");
      };
    }
    return new ReasonCodes(names, slots, early, badSide, group, typical.clone(), scorer, keep, onboardingDays,
        new double[names.length], CODES);
  }

  /** The typical value of each slot of the classifier's vector. */
  public double[] typicalSlots() {
    return typical.clone();
  }

  /** The typical value of each of {@link #indicators()} in its own units. */
  public double[] typicalValues() {
    return rawTypical.clone();
  }

  /** The numeric indicators that can be reasons, in the order {@link #column} expects their values. */
  public List<String> indicators() {
    return List.of(indicators);
  }

  /** These reasons worded by {@code phraser}, with the typical values they have. */
  public ReasonCodes worded(Phraser phraser) {
    return worded(phraser, rawTypical);
  }

  /**
   * These reasons worded by {@code phraser}.
   *
   * @param typicalValues the typical value of each of {@link #indicators()}, in the indicators' own units
   */
  public ReasonCodes worded(Phraser phraser, double[] typicalValues) {
    if (typicalValues.length != indicators.length) {
      throw new IllegalArgumentException("Reason words need one typical value per indicator");
    }
    return new ReasonCodes(indicators, slots, early, badSide, group, typical, scorer, keep, onboardingDays,
        typicalValues.clone(), phraser);
  }

  /**
   * The top reasons for one vector (as the classifier reads it).
   *
   * @param tenureDays the account's age in days; null when unknown (early indicators then count)
   */
  public String[] explain(Vector x, Integer tenureDays) {
    int[] ranked = rank(x, tenureDays, k -> false);
    String[] out = new String[ranked.length];
    for (int r = 0; r < ranked.length; r++) {
      out[r] = CODES.phrase(indicators[ranked[r]], high(x, ranked[r]), null, 0.0);
    }
    return out;
  }

  /**
   * Codes and words of the top reasons ({@link #SCHEMA}).
   *
   * @param values the account's values of {@link #indicators()} in their own units (null: unknown)
   */
  public Row explain(Vector x, Integer tenureDays, Seq<Object> values) {
    int[] ranked = rank(x, tenureDays, k -> values != null && values.apply(k) == null);
    String[] codes = new String[ranked.length];
    String[] words = new String[ranked.length];
    for (int r = 0; r < ranked.length; r++) {
      int k = ranked[r];
      boolean high = high(x, k);
      codes[r] = CODES.phrase(indicators[k], high, null, 0.0);
      Object v = values == null ? null : values.apply(k);
      words[r] = phraser.phrase(indicators[k], high, v == null ? null : ((Number) v).doubleValue(), rawTypical[k]);
    }
    return RowFactory.create(codes, words);
  }

  private boolean high(Vector x, int k) {
    int slot = slots[k][0];
    return x.apply(slot) >= typical[slot];
  }

  /**
   * Indices of the indicators that raise the risk most, strongest first, at most {@code keep}, at
   * most one per behavioural group.
   *
   * @param missing whether the account has no value of indicator k: a missing value moves the score
   *                (the model's missing slot), but "no value" is not a reason CS can read or act on
   */
  private int[] rank(Vector x, Integer tenureDays, java.util.function.IntPredicate missing) {
    boolean pastOnboarding = tenureDays != null && tenureDays > onboardingDays;
    double p = scorer.probability(x);
    double[] values = x.toArray();
    double[] alone = new double[indicators.length];
    Map<Integer, List<Integer>> raising = new LinkedHashMap<>();
    for (int k = 0; k < indicators.length; k++) {
      if (pastOnboarding && early[k] || badSide[k] != 0 && (high(x, k) ? 1 : -1) != badSide[k] || missing.test(k)) {
        continue;
      }
      alone[k] = p - scorer.probability(substituted(values, List.of(k)));
      // An indicator that does not move the risk alone may in its group, while the others still
      // say the same; one that lowers it is left at its value.
      if (alone[k] >= 0) {
        // Alone indicators are groups of one (keyed apart from the behavioural groups' numbers).
        raising.computeIfAbsent(group[k] < 0 ? -1 - k : group[k], g -> new ArrayList<>()).add(k);
      }
    }
    List<double[]> effects = new ArrayList<>();
    for (List<Integer> members : raising.values()) {
      int named = members.stream().max(Comparator.comparingDouble(k -> alone[k])).orElseThrow();
      double effect = alone[named];
      if (members.size() > 1) {
        effect = p - scorer.probability(substituted(values, members));
      }
      if (effect > MIN_EFFECT) {
        effects.add(new double[] {effect, named});
      }
    }
    effects.sort(Comparator.comparingDouble((double[] e) -> -e[0]));
    return effects.stream().limit(keep).mapToInt(e -> (int) e[1]).toArray();
  }

  /** The vector with {@code indicators} set to their typical values. */
  private Vector substituted(double[] values, List<Integer> indicators) {
    double[] out = values.clone();
    for (int k : indicators) {
      for (int i : slots[k]) {
        out[i] = typical[i];
      }
    }
    return Vectors.dense(out);
  }

  /**
   * A column of the top reasons ({@link #SCHEMA}: codes and words) for a vector column the
   * classifier reads, the account's tenure in days and its values of {@link #indicators()}.
   */
  public Column column(Column classifierInput, Column tenureDays, Column values) {
    ReasonCodes self = this;
    return udf((UDF3<Vector, Integer, Seq<Object>, Row>) self::explain, SCHEMA)
        .apply(classifierInput, tenureDays.cast("int"), values);
  }
}
