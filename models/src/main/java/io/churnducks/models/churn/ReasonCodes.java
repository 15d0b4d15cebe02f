package io.churnducks.models.churn;

import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.apache.spark.sql.functions.udf;

/**
 * Why an account scores high: the motivation indicators that push its churn log-odds up the most.
 * With standardised inputs x and coefficients w, w_i·x_i is indicator i's contribution; the
 * reasons are the largest positive contributions of numeric indicators, phrased as
 * "&lt;indicator&gt; high|low" (the account's value relative to the training average).
 */
public final class ReasonCodes implements Serializable {

  private final String[] names;
  private final boolean[] categorical;
  private final double[] coefficients;
  private final int keep;

  private ReasonCodes(String[] names, boolean[] categorical, double[] coefficients, int keep) {
    this.names = names;
    this.categorical = categorical;
    this.coefficients = coefficients;
    this.keep = keep;
  }

  /**
   * @param featuresField the assembled (pre-scaling) vector field, whose metadata names each slot
   */
  public static ReasonCodes of(StructField featuresField, double[] coefficients, int keep) {
    AttributeGroup group = AttributeGroup.fromStructField(featuresField);
    Attribute[] attrs = group.attributes().get();
    String[] names = new String[attrs.length];
    boolean[] categorical = new boolean[attrs.length];
    for (int i = 0; i < attrs.length; i++) {
      String raw = attrs[i].name().get();
      if (raw.endsWith("__imp")) {
        names[i] = raw.substring(0, raw.length() - "__imp".length());
      } else {
        int cut = raw.indexOf("__vec_");
        names[i] = cut < 0 ? raw : raw.substring(0, cut) + "=" + raw.substring(cut + "__vec_".length());
        categorical[i] = cut >= 0;
      }
    }
    return new ReasonCodes(names, categorical, coefficients, keep);
  }

  /** The top reasons for one standardised feature vector. */
  public String[] explain(Vector x) {
    List<double[]> contributions = new ArrayList<>();
    for (int i = 0; i < coefficients.length; i++) {
      double c = coefficients[i] * x.apply(i);
      // Categories (industry, channel, plan) shift the risk but are not something CS can act on.
      if (c > 0 && !categorical[i]) {
        contributions.add(new double[] {c, i});
      }
    }
    contributions.sort(Comparator.comparingDouble((double[] a) -> -a[0]));
    String[] out = new String[Math.min(keep, contributions.size())];
    for (int k = 0; k < out.length; k++) {
      int i = (int) contributions.get(k)[1];
      out[k] = names[i] + (x.apply(i) >= 0 ? " high" : " low");
    }
    return out;
  }

  /** A column of the top reasons (array of strings) for a standardised feature vector column. */
  public Column column(Column standardisedFeatures) {
    ReasonCodes self = this;
    return udf((UDF1<Vector, String[]>) self::explain, DataTypes.createArrayType(DataTypes.StringType))
        .apply(standardisedFeatures);
  }
}
