package io.churnducks.models.segments;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;

/**
 * Clusters customers on their standardised indicators (k-means, fixed seed) and names every
 * cluster after what distinguishes it: the indicator on which its centre lies furthest from the
 * average, in the words of {@link DuckVocabulary}. Names are unique within a run.
 */
public final class DuckSegmenter {

  private DuckSegmenter() {}

  /** A fitted segmentation: the pipeline and one name (and its evidence) per segment id. */
  public record Segments(PipelineModel model, List<String> names, List<String> evidence) {

    /** {@code account_id, segment_id, segment_name} for every input row. */
    public Dataset<Row> assign(Dataset<Row> features) {
      Column nameArray = org.apache.spark.sql.functions.array(
          names.stream().map(org.apache.spark.sql.functions::lit).toArray(Column[]::new));
      return model.transform(features).select(
          col("account_id"),
          col("segment_id"),
          element_at(nameArray, col("segment_id").plus(1)).as("segment_name"));
    }
  }

  public static Segments fit(Dataset<Row> features, SegmentSettings settings) {
    List<PipelineStage> stages = new ArrayList<>();
    StringBuilder sql = new StringBuilder("SELECT *");
    for (String c : settings.indicators()) {
      String e = settings.logScaled().contains(c) ? "ln(1 + greatest(CAST(" + c + " AS DOUBLE), 0))"
          : "CAST(" + c + " AS DOUBLE)";
      sql.append(", ").append(e).append(" AS ").append(c).append("__s");
    }
    stages.add(new SQLTransformer().setStatement(sql.append(" FROM __THIS__").toString()));
    String[] prepared = settings.indicators().stream().map(c -> c + "__s").toArray(String[]::new);
    String[] imputed = settings.indicators().stream().map(c -> c + "__si").toArray(String[]::new);
    stages.add(new Imputer().setStrategy("median").setInputCols(prepared).setOutputCols(imputed));
    stages.add(new VectorAssembler().setInputCols(imputed).setOutputCol("segment_raw"));
    stages.add(new StandardScaler().setInputCol("segment_raw").setOutputCol("segment_z").setWithMean(true).setWithStd(true));
    stages.add(new KMeans().setK(settings.k()).setSeed(settings.seed()).setFeaturesCol("segment_z")
        .setPredictionCol("segment_id").setMaxIter(50));
    PipelineModel model = new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(features);
    KMeansModel kmeans = (KMeansModel) model.stages()[model.stages().length - 1];
    return name(model, kmeans.clusterCenters(), settings.indicators());
  }

  /**
   * Gives each centre (in standard deviations from the average) the name of its most distinctive
   * indicator not already taken; the most distinctive centres choose first.
   */
  static Segments name(PipelineModel model, Vector[] centres, List<String> indicators) {
    int k = centres.length;
    Integer[] order = new Integer[k];
    for (int j = 0; j < k; j++) {
      order[j] = j;
    }
    java.util.Arrays.sort(order, Comparator.comparingDouble((Integer j) -> -maxAbs(centres[j])));
    String[] names = new String[k];
    String[] evidence = new String[k];
    Set<String> taken = new HashSet<>();
    for (int j : order) {
      Vector c = centres[j];
      Integer[] dims = new Integer[c.size()];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = i;
      }
      java.util.Arrays.sort(dims, Comparator.comparingDouble((Integer i) -> -Math.abs(c.apply(i))));
      for (int i : dims) {
        String candidate = DuckVocabulary.name(indicators.get(i), c.apply(i) > 0).orElse(null);
        if (candidate != null && taken.add(candidate)) {
          names[j] = candidate;
          evidence[j] = String.format(java.util.Locale.ROOT, "%s %+.1f sd", indicators.get(i), c.apply(i));
          break;
        }
      }
      if (names[j] == null) {
        names[j] = "Middle of the Pond " + (j + 1);
        evidence[j] = "no indicator stands out";
      }
    }
    return new Segments(model, List.of(names), List.of(evidence));
  }

  private static double maxAbs(Vector v) {
    double m = 0;
    for (int i = 0; i < v.size(); i++) {
      m = Math.max(m, Math.abs(v.apply(i)));
    }
    return m;
  }
}
