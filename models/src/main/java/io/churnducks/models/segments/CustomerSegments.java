package io.churnducks.models.segments;

import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import static io.churnducks.features.contract.Schemas.field;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/** The {@code customer_segments} table: one row per account active on the run date. */
public final class CustomerSegments {

  private CustomerSegments() {}

  public static final StructType SCHEMA = new StructType(new StructField[] {
      field("account_id", StringType, false, "Account identifier."),
      field("segment_id", IntegerType, false, "Segment number within the run (see segment_name)."),
      field("segment_name", StringType, false, "Descriptive segment name derived from what distinguishes it."),
      field("health", DoubleType, false, "Usage stickiness 0-100; 50 is the average customer."),
      field("temperature", DoubleType, false, "Purchase intent 0-100; 50 is the average customer."),
      field("quadrant", StringType, false, "Red Carpet, Ready to Buy, Sleeping or Free Riders."),
      field("play", StringType, false, "What customer success does for this quadrant."),
  });

}
