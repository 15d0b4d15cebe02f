package io.churnducks.features.testing;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Schemas for raw source frames as a reader would produce them (CSV: all text). */
public final class RawSources {

  private RawSources() {}

  /** A schema of nullable string columns, as a CSV reader without schema inference gives. */
  public static StructType text(String... columns) {
    StructType s = new StructType();
    for (String c : columns) {
      s = s.add(c, DataTypes.StringType, true);
    }
    return s;
  }

  /** A schema from alternating name/type pairs, as a Parquet or JDBC source gives. */
  public static StructType typed(Object... nameTypePairs) {
    StructType s = new StructType();
    for (int i = 0; i < nameTypePairs.length; i += 2) {
      s = s.add((String) nameTypePairs[i], (DataType) nameTypePairs[i + 1], true);
    }
    return s;
  }
}
