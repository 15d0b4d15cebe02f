package io.churnducks.models.churn;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import static org.apache.spark.ml.functions.array_to_vector;
import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;

/**
 * Stores the assembled feature vector densely, keeping its column metadata. {@code VectorAssembler}
 * writes a row with many zeros as a sparse vector, and XGBoost reads a sparse vector's absent entries
 * as missing values: zero events would then mean "unknown". Dense, every zero stays a zero.
 */
public final class DenseFeatures extends Transformer implements DefaultParamsWritable {

  private final String uid;

  public DenseFeatures() {
    this(Identifiable$.MODULE$.randomUID("denseFeatures"));
  }

  public DenseFeatures(String uid) {
    this.uid = uid;
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructField assembled = dataset.schema().apply(ChurnPipeline.ASSEMBLED);
    return dataset.withColumn(ChurnPipeline.ASSEMBLED,
        array_to_vector(vector_to_array(col(ChurnPipeline.ASSEMBLED), "float64"))
            .as(ChurnPipeline.ASSEMBLED, assembled.metadata()));
  }

  @Override
  public StructType transformSchema(StructType schema) {
    schema.apply(ChurnPipeline.ASSEMBLED);
    return schema;
  }

  @Override
  public DenseFeatures copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<DenseFeatures> read() {
    return new DefaultParamsReader<>();
  }
}
