package io.churnducks.models.segments;

import org.apache.spark.ml.Model;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;

/**
 * Learned duck segments: the scaling of the indicators, one Gaussian per segment (share, mean in
 * the weighted standard deviations of the population it was learned on, covariance), and each
 * segment's id, name and the evidence for the name. {@link #transform} gives every row the id and
 * name of its most likely segment (computed row by row wherever the data is). Saved and loaded with
 * Spark ML's writer: parameters as metadata, the learned state as one row of Parquet.
 */
public final class DuckSegmentModel extends Model<DuckSegmentModel> implements MLWritable {

  /**
   * One k tried while fitting: its classification BIC, silhouette, smallest segment share, whether it
   * was allowed, and the message length of its Gaussians as a mixture (NaN in models saved before it
   * was kept).
   */
  public record KScore(int k, double bic, double silhouette, double smallestShare, boolean usable,
      double messageLength) {}

  /**
   * A fresh segmentation into {@code k} segments that beat the segments carried over from the
   * previous run, first on {@code since} (null when the run date was not given); it replaces them
   * once it has kept winning long enough ({@link DuckSegmentation#kConfirmDays()}).
   */
  public record Challenger(int k, java.time.LocalDate since) {}

  private final String uid;
  private final StringArrayParam inputCols;
  private final StringArrayParam logScaledCols;
  private final Param<String> predictionCol;
  private final Param<String> previousSegmentCol;
  private final DoubleParam switchRatio;
  private final SegmentScaling scaling;
  private final GaussianClusters clusters;
  private final int k;
  private final List<KScore> scores;
  private final Challenger challenger;
  private int[] ids;
  private int[] continues;
  private String[] names;
  private String[] evidence;

  DuckSegmentModel(String uid, SegmentScaling scaling, GaussianClusters clusters, List<KScore> scores,
      Challenger challenger) {
    this.uid = uid;
    inputCols = new StringArrayParam(this, "inputCols", "motivation indicators clustered on");
    logScaledCols = new StringArrayParam(this, "logScaledCols", "indicators passed through ln(1 + x) first");
    predictionCol = new Param<>(this, "predictionCol", "output column of the segment id");
    previousSegmentCol = new Param<>(this, "previousSegmentCol", "input column of each row's segment id in the "
        + "previous run (null for a customer in none); empty or absent = every row goes to its most likely segment");
    switchRatio = new DoubleParam(this, "switchRatio", "how many times as likely (share x density) a segment must be "
        + "than a customer's previous segment for the customer to move to it (>= 1; 1 = always the most likely)",
        ParamValidators.gtEq(1.0));
    setDefault(logScaledCols, new String[0]);
    setDefault(predictionCol, "segment_id");
    setDefault(previousSegmentCol, "");
    setDefault(switchRatio, 1.0);
    this.scaling = scaling;
    this.clusters = clusters;
    this.k = clusters.k();
    this.scores = List.copyOf(scores);
    this.challenger = challenger;
    this.ids = IntStream.range(0, k).toArray();
    this.names = IntStream.range(0, k).mapToObj(j -> "Segment " + j).toArray(String[]::new);
    this.evidence = new String[k];
    Arrays.fill(evidence, "");
  }

  @Override
  public String uid() {
    return uid;
  }

  public StringArrayParam inputCols() {
    return inputCols;
  }

  public StringArrayParam logScaledCols() {
    return logScaledCols;
  }

  public Param<String> predictionCol() {
    return predictionCol;
  }

  /** Column of each row's segment id in the previous run. Default empty: not used. */
  public Param<String> previousSegmentCol() {
    return previousSegmentCol;
  }

  /** Likelihood ratio a customer's most likely segment needs over its previous one to move it there. Default 1. */
  public DoubleParam switchRatio() {
    return switchRatio;
  }

  public DuckSegmentModel setPreviousSegmentCol(String value) {
    set(previousSegmentCol, value);
    return this;
  }

  public DuckSegmentModel setSwitchRatio(double value) {
    set(switchRatio, value);
    return this;
  }

  /** The number of segments chosen. */
  public int k() {
    return k;
  }

  /** Every k tried, in order. */
  public List<KScore> scores() {
    return scores;
  }

  /** The fresh segmentation that beat this model's segments and waits to be confirmed, if any. */
  public java.util.Optional<Challenger> challenger() {
    return java.util.Optional.ofNullable(challenger);
  }

  /**
   * When this model carries over the previous run's segments: per centre, the previous model's
   * centre number whose customers it started from. Known only to the run that fitted it (not saved).
   */
  public java.util.Optional<int[]> continues() {
    return java.util.Optional.ofNullable(continues).map(int[]::clone);
  }

  DuckSegmentModel continuing(int[] previousCentres) {
    if (previousCentres.length != k) {
      throw new IllegalArgumentException(k + " centres cannot continue " + previousCentres.length);
    }
    DuckSegmentModel copy = copy(ParamMap.empty());
    copy.continues = previousCentres.clone();
    return copy;
  }

  /** The silhouette of the chosen k. */
  public double silhouette() {
    return scores.stream().filter(s -> s.k() == k).mapToDouble(KScore::silhouette).findFirst().orElse(Double.NaN);
  }

  public SegmentScaling scaling() {
    return scaling;
  }

  /** Centre (mean) of segment number {@code j} (0..k-1), in the weighted standard deviations of the fitted population. */
  public double[] centre(int j) {
    return clusters.means()[j].clone();
  }

  /** Segment id of centre {@code j}. */
  public int id(int j) {
    return ids[j];
  }

  public String name(int j) {
    return names[j];
  }

  public String evidence(int j) {
    return evidence[j];
  }

  /** This model with ids, names and evidence for its centres (in centre order). */
  public DuckSegmentModel labelled(int[] newIds, String[] newNames, String[] newEvidence) {
    if (newIds.length != k || newNames.length != k || newEvidence.length != k
        || Arrays.stream(newIds).distinct().count() != k) {
      throw new IllegalArgumentException("Cannot label " + k + " segments with " + newIds.length + " distinct ids, "
          + newNames.length + " names and " + newEvidence.length + " evidence lines");
    }
    DuckSegmentModel copy = copy(ParamMap.empty());
    copy.ids = newIds.clone();
    copy.names = newNames.clone();
    copy.evidence = newEvidence.clone();
    return copy;
  }

  static StructType outputSchema(StructType schema, String predictionCol) {
    return schema.add(predictionCol, DataTypes.IntegerType, false).add("segment_name", DataTypes.StringType, false);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    for (String c : scaling.columns()) {
      if (!Arrays.asList(schema.fieldNames()).contains(c)) {
        throw new IllegalArgumentException("Cannot assign segments: indicator " + c + " is not in the input");
      }
    }
    return outputSchema(schema, getOrDefault(predictionCol));
  }

  /** {@code keep} of {@code rows} and the vector {@code _point} of their scaled indicators. */
  static Dataset<Row> points(Dataset<Row> keep, Dataset<Row> rows, SegmentScaling scaling) {
    List<Column> columns = new ArrayList<>(Arrays.asList(keep.columns().length == 0 ? new Column[0]
        : Arrays.stream(keep.columns()).map(rows::col).toArray(Column[]::new)));
    String[] z = new String[scaling.columns().size()];
    for (int i = 0; i < z.length; i++) {
      z[i] = "_z" + i;
      columns.add(scaling.z(i).as(z[i]));
    }
    return new VectorAssembler().setInputCols(z).setOutputCol("_point")
        .transform(rows.select(columns.toArray(Column[]::new))).drop(z);
  }

  /** {@code rows} with {@code column}: the number (0..k-1) of each row's most likely segment. */
  public Dataset<Row> withCentre(Dataset<Row> rows, String column) {
    return points(rows, rows, scaling).withColumn(column, clusters.assign(col("_point")).getItem(0).cast("int"))
        .drop("_point");
  }

  /**
   * Every row with its segment id and name. With {@link #previousSegmentCol} in the input, a
   * customer whose previous segment is one of this model's stays in it unless its most likely
   * segment is {@link #switchRatio} times as likely: segments are stable from run to run, and a
   * customer changes segment when its indicators really moved, not because it sits on a border.
   */
  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    Dataset<Row> rows = dataset.toDF();
    String previousCol = getOrDefault(previousSegmentCol);
    Dataset<Row> centred;
    if (!previousCol.isEmpty() && Arrays.asList(rows.columns()).contains(previousCol)) {
      List<Column> byId = new ArrayList<>();
      for (int j = 0; j < k; j++) {
        byId.add(lit(ids[j]));
        byId.add(lit(j));
      }
      Column previousCentre = element_at(map(byId.toArray(Column[]::new)), col(previousCol));
      centred = points(rows, rows, scaling).withColumn("_centre", clusters.assignSticky(col("_point"),
          previousCentre, Math.log((Double) getOrDefault(switchRatio)))).drop("_point");
    } else {
      centred = withCentre(rows, "_centre");
    }
    Column id = GaussianClusters.pick(Arrays.stream(ids).boxed().toArray(), col("_centre"));
    Column name = GaussianClusters.pick(names, col("_centre"));
    return centred.withColumn(getOrDefault(predictionCol), id).withColumn("segment_name", name).drop("_centre");
  }

  @Override
  public DuckSegmentModel copy(ParamMap extra) {
    DuckSegmentModel copy = new DuckSegmentModel(uid, scaling, clusters, scores, challenger);
    copy.ids = ids.clone();
    copy.continues = continues;
    copy.names = names.clone();
    copy.evidence = evidence.clone();
    copyValues(copy, extra);
    return copy.setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<DuckSegmentModel> read() {
    return new Reader();
  }

  public static DuckSegmentModel load(String path) {
    return read().load(path);
  }

  private static final StructType DATA = new StructType()
      .add("columns", DataTypes.createArrayType(DataTypes.StringType))
      .add("log_scaled", DataTypes.createArrayType(DataTypes.BooleanType))
      .add("median", DataTypes.createArrayType(DataTypes.DoubleType))
      .add("low", DataTypes.createArrayType(DataTypes.DoubleType))
      .add("high", DataTypes.createArrayType(DataTypes.DoubleType))
      .add("mean", DataTypes.createArrayType(DataTypes.DoubleType))
      .add("sd", DataTypes.createArrayType(DataTypes.DoubleType))
      .add("weight", DataTypes.createArrayType(DataTypes.DoubleType))
      .add("means", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType)))
      .add("lower_inverse", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType)))
      .add("constants", DataTypes.createArrayType(DataTypes.DoubleType))
      .add("ids", DataTypes.createArrayType(DataTypes.IntegerType))
      .add("names", DataTypes.createArrayType(DataTypes.StringType))
      .add("evidence", DataTypes.createArrayType(DataTypes.StringType))
      .add("scores", DataTypes.createArrayType(new StructType()
          .add("k", DataTypes.IntegerType).add("bic", DataTypes.DoubleType)
          .add("silhouette", DataTypes.DoubleType).add("smallest_share", DataTypes.DoubleType)
          .add("usable", DataTypes.BooleanType)
          // Null in models saved before the message length was kept.
          .add("message_length", DataTypes.DoubleType)))
      // Null when no fresh segmentation waits (and in models saved before challengers were kept).
      .add("challenger_k", DataTypes.IntegerType)
      .add("challenger_since", DataTypes.DateType);

  private static final class Writer extends MLWriter {
    private final DuckSegmentModel model;

    Writer(DuckSegmentModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(model, path, sc(), scala.Option.empty(), scala.Option.empty());
      SegmentScaling s = model.scaling;
      List<Boolean> log = new ArrayList<>();
      for (boolean b : s.logScaled()) {
        log.add(b);
      }
      GaussianClusters g = model.clusters;
      // Each segment's lower-triangular inverse factor, row-major.
      List<List<Double>> inverses = Arrays.stream(g.lowerInverse()).map(m -> Arrays.stream(m)
          .flatMapToDouble(Arrays::stream).boxed().toList()).toList();
      Row data = RowFactory.create(s.columns(), log, boxed(s.median()), boxed(s.low()), boxed(s.high()),
          boxed(s.mean()), boxed(s.sd()), boxed(s.weight()), Arrays.stream(g.means()).map(DuckSegmentModel::boxed)
              .toList(), inverses, boxed(g.constants()),
          Arrays.stream(model.ids).boxed().toList(), List.of(model.names), List.of(model.evidence),
          model.scores.stream().map(x -> RowFactory.create(x.k(), x.bic(), x.silhouette(), x.smallestShare(),
              x.usable(), x.messageLength())).toList(), model.challenger == null ? null : model.challenger.k(),
          model.challenger == null || model.challenger.since() == null ? null
              : java.sql.Date.valueOf(model.challenger.since()));
      sparkSession().createDataFrame(List.of(data), DATA).repartition(1).write().parquet(path + "/data");
    }
  }

  private static final class Reader extends MLReader<DuckSegmentModel> {
    @Override
    public DuckSegmentModel load(String path) {
      DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path, sc(),
          DuckSegmentModel.class.getName());
      Row r = SparkSession.active().read().schema(DATA).parquet(path + "/data").first();
      List<Boolean> logList = r.getList(1);
      boolean[] log = new boolean[logList.size()];
      for (int i = 0; i < log.length; i++) {
        log[i] = logList.get(i);
      }
      SegmentScaling scaling = new SegmentScaling(r.getList(0), log, doubles(r.getList(2)), doubles(r.getList(3)),
          doubles(r.getList(4)), doubles(r.getList(5)), doubles(r.getList(6)), doubles(r.getList(7)));
      int d = scaling.columns().size();
      // Nested arrays come back as Scala sequences.
      List<scala.collection.Seq<Double>> meanList = r.getList(8);
      List<scala.collection.Seq<Double>> inverseList = r.getList(9);
      double[][] means = meanList.stream().map(c -> doubles(scala.collection.JavaConverters.seqAsJavaList(c)))
          .toArray(double[][]::new);
      double[][][] inverses = new double[means.length][d][d];
      for (int g = 0; g < means.length; g++) {
        double[] flat = doubles(scala.collection.JavaConverters.seqAsJavaList(inverseList.get(g)));
        for (int i = 0; i < d; i++) {
          System.arraycopy(flat, i * d, inverses[g][i], 0, d);
        }
      }
      GaussianClusters clusters = new GaussianClusters(means, inverses, doubles(r.getList(10)));
      List<KScore> scores = r.<Row>getList(14).stream().map(x -> new KScore(x.getInt(0), x.getDouble(1),
          x.getDouble(2), x.getDouble(3), x.getBoolean(4), x.isNullAt(5) ? Double.NaN : x.getDouble(5))).toList();
      Challenger challenger = r.isNullAt(15) ? null : new Challenger(r.getInt(15),
          r.isNullAt(16) ? null : r.getDate(16).toLocalDate());
      DuckSegmentModel model = new DuckSegmentModel(metadata.uid(), scaling, clusters, scores, challenger);
      metadata.getAndSetParams(model, scala.Option.empty());
      List<Integer> ids = r.getList(11);
      List<String> names = r.getList(12);
      List<String> evidence = r.getList(13);
      return model.labelled(ids.stream().mapToInt(Integer::intValue).toArray(), names.toArray(String[]::new),
          evidence.toArray(String[]::new));
    }
  }

  private static List<Double> boxed(double[] values) {
    return Arrays.stream(values).boxed().toList();
  }

  private static double[] doubles(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
