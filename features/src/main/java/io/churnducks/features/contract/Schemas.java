package io.churnducks.features.contract;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;

/**
 * Builds documented schema fields. Every table's columns carry their description in the
 * {@code comment} metadata, so the data dictionary can be generated from the declared schemas.
 */
public final class Schemas {

  private Schemas() {}

  /** Metadata holding a column description. */
  public static Metadata comment(String description) {
    return new MetadataBuilder().putString("comment", description).build();
  }

  /** A field with its description. */
  public static StructField field(String name, DataType type, boolean nullable, String description) {
    return new StructField(name, type, nullable, comment(description));
  }
}
