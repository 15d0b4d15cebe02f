package io.churnducks.models.segments;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import static io.churnducks.features.contract.Schemas.field;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * The {@code health_extremes} table: the N healthiest and the N least healthy customers of the run
 * (N from 5 to 100), for CS to thank and to rescue. Each end is a top-N of the distributed
 * customers (Spark keeps N rows per partition), ranked 1..N; ties go by account id.
 */
public final class HealthExtremes {

  private HealthExtremes() {}

  /** Fewest and most customers per end. */
  public static final int MIN_N = 5;
  public static final int MAX_N = 100;

  public static final StructType SCHEMA = new StructType(new StructField[] {
      field("end", StringType, false, "top (healthiest) or bottom (least healthy)."),
      field("rank", IntegerType, false, "1 = the healthiest (top) or the least healthy (bottom)."),
      field("account_id", StringType, false, "Account identifier."),
      field("health", DoubleType, false, "Usage stickiness 0-100."),
      field("temperature", DoubleType, false, "Purchase intent 0-100."),
      field("quadrant", StringType, false, "Quadrant on the health x temperature map."),
      field("segment_id", IntegerType, false, "Segment id."),
      field("segment_name", StringType, false, "Segment name."),
      field("mrr", DoubleType, true, "Monthly recurring revenue."),
  });

  /** @param segments {@code customer_segments} rows joined with {@code mrr} */
  public static Dataset<Row> of(Dataset<Row> segments, int n) {
    if (n < MIN_N || n > MAX_N) {
      throw new IllegalArgumentException("Cannot list the top and bottom customers by health: N must be "
          + MIN_N + " to " + MAX_N + " (got " + n + ")");
    }
    Dataset<Row> top = segments.orderBy(col("health").desc(), col("account_id")).limit(n)
        .withColumn("end", lit("top"))
        .withColumn("rank", expr("CAST(row_number() OVER (PARTITION BY end ORDER BY health DESC, account_id) AS INT)"));
    Dataset<Row> bottom = segments.orderBy(col("health"), col("account_id")).limit(n)
        .withColumn("end", lit("bottom"))
        .withColumn("rank", expr("CAST(row_number() OVER (PARTITION BY end ORDER BY health, account_id) AS INT)"));
    String[] columns = java.util.Arrays.stream(SCHEMA.fieldNames()).toArray(String[]::new);
    return top.selectExpr(columns).unionByName(bottom.selectExpr(columns));
  }
}
