package io.churnducks.models.churn;

import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

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
 * (how the first days went) are not reasons for accounts past onboarding. An indicator must
 * raise the probability by at least {@link #MIN_EFFECT} to be named. Each reason reads
 * "&lt;indicator&gt; high|low" (the account's value against the typical one).
 */
public final class ReasonCodes implements Serializable {

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

  private final String[] indicators;
  private final int[][] slots;
  private final boolean[] early;
  private final double[] typical;
  private final Scorer scorer;
  private final int keep;
  private final int onboardingDays;

  private ReasonCodes(String[] indicators, int[][] slots, boolean[] early, double[] typical, Scorer scorer, int keep,
      int onboardingDays) {
    this.indicators = indicators;
    this.slots = slots;
    this.early = early;
    this.typical = typical;
    this.scorer = scorer;
    this.keep = keep;
    this.onboardingDays = onboardingDays;
  }

  /**
   * @param assembled the assembled vector field, whose metadata names each slot ({@code x__imp} for a
   *                  numeric indicator, {@code c__vec_value} or {@code c__idx} for a category)
   * @param typical   the typical value of each slot, in the space the scorer reads
   * @param earlyStage indicators of the first days of an account (onboarding): reasons only while
   *                   the account is at most {@code onboardingDays} old
   */
  public static ReasonCodes of(StructField assembled, double[] typical, Scorer scorer, int keep,
      List<String> earlyStage, int onboardingDays) {
    Attribute[] attrs = AttributeGroup.fromStructField(assembled).attributes().get();
    if (attrs.length != typical.length) {
      throw new IllegalArgumentException("Reason codes need one typical value per slot (" + attrs.length + " slots, "
          + typical.length + " values)");
    }
    Map<String, List<Integer>> numeric = new LinkedHashMap<>();
    for (int i = 0; i < attrs.length; i++) {
      String raw = attrs[i].name().get();
      if (raw.endsWith("__imp")) {
        numeric.computeIfAbsent(raw.substring(0, raw.length() - "__imp".length()), k -> new ArrayList<>()).add(i);
      }
    }
    String[] names = numeric.keySet().toArray(String[]::new);
    int[][] slots = numeric.values().stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray())
        .toArray(int[][]::new);
    boolean[] early = new boolean[names.length];
    for (int k = 0; k < names.length; k++) {
      early[k] = earlyStage.contains(names[k]);
    }
    return new ReasonCodes(names, slots, early, typical.clone(), scorer, keep, onboardingDays);
  }

  /**
   * The top reasons for one vector (as the classifier reads it).
   *
   * @param tenureDays the account's age in days; null when unknown (early indicators then count)
   */
  public String[] explain(Vector x, Integer tenureDays) {
    boolean pastOnboarding = tenureDays != null && tenureDays > onboardingDays;
    double p = scorer.probability(x);
    double[] values = x.toArray();
    List<double[]> effects = new ArrayList<>();
    for (int k = 0; k < indicators.length; k++) {
      if (pastOnboarding && early[k]) {
        continue;
      }
      double[] substituted = values.clone();
      for (int i : slots[k]) {
        substituted[i] = typical[i];
      }
      double effect = p - scorer.probability(Vectors.dense(substituted));
      if (effect > MIN_EFFECT) {
        effects.add(new double[] {effect, k});
      }
    }
    effects.sort(Comparator.comparingDouble((double[] e) -> -e[0]));
    String[] out = new String[Math.min(keep, effects.size())];
    for (int r = 0; r < out.length; r++) {
      int k = (int) effects.get(r)[1];
      int slot = slots[k][0];
      out[r] = indicators[k] + (values[slot] >= typical[slot] ? " high" : " low");
    }
    return out;
  }

  /**
   * A column of the top reasons (array of strings) for a vector column the classifier reads and the
   * account's tenure in days.
   */
  public Column column(Column classifierInput, Column tenureDays) {
    ReasonCodes self = this;
    return udf((UDF2<Vector, Integer, String[]>) self::explain, DataTypes.createArrayType(DataTypes.StringType))
        .apply(classifierInput, tenureDays.cast("int"));
  }
}
