package io.churnducks.features.indicators;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table as written is the declared, documented {@link CustomerFeatures#SCHEMA}. */
class CustomerFeaturesSchemaTest extends SparkTestBase {

  @Test
  void writtenTableHasTheDeclaredSchemaAndEveryFieldIsDocumented(@TempDir Path dir) {
    assertWrittenSchema(FeatureStory.withAllSources(spark()).features(), dir.resolve("all"));
  }

  @Test
  void writtenTableWithOnlyRequiredSourcesStillHasTheDeclaredSchema(@TempDir Path dir) {
    assertWrittenSchema(FeatureStory.withRequiredSources(spark()).features(), dir.resolve("required"));
  }

  @Test
  void everyDeclaredFieldHasANonEmptyComment() {
    for (StructField f : CustomerFeatures.SCHEMA.fields()) {
      assertTrue(f.getComment().isDefined() && !f.getComment().get().isBlank(), f.name() + " has no comment");
    }
    assertEquals(CustomerFeatures.SCHEMA.fieldNames().length, CustomerFeatures.COLUMNS.size());
    assertEquals(List.of("account_id", "as_of_date"),
        Arrays.asList(CustomerFeatures.SCHEMA.fieldNames()).subList(0, 2));
    assertFalse(CustomerFeatures.numericIndicators().contains("account_id"));
  }

  private static void assertWrittenSchema(Dataset<Row> features, Path dir) {
    features.write().parquet(dir.toString());
    StructType written = spark().read().parquet(dir.toString()).schema();

    assertSameNamesTypesAndComments(features.schema());
    assertSameNamesTypesAndComments(written);
  }

  private static void assertSameNamesTypesAndComments(StructType actualSchema) {
    assertEquals(Arrays.asList(CustomerFeatures.SCHEMA.fieldNames()), Arrays.asList(actualSchema.fieldNames()));
    for (StructField declared : CustomerFeatures.SCHEMA.fields()) {
      StructField actual = actualSchema.apply(declared.name());
      assertEquals(declared.dataType(), actual.dataType(), declared.name());
      assertEquals(declared.getComment(), actual.getComment(), declared.name());
      assertTrue(actual.getComment().isDefined() && !actual.getComment().get().isBlank(),
          declared.name() + " has no comment");
    }
  }
}
