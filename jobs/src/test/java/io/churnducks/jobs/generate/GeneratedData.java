package io.churnducks.jobs.generate;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Reads back what one generator run wrote, sources as strings exactly as written. */
record GeneratedData(SparkSession spark, GeneratorOptions options, GenerationSummary summary) {

  /** Generates into {@code options.outDir()} and returns a reader over the result. */
  static GeneratedData generate(SparkSession spark, GeneratorOptions options, int partitions) {
    return new GeneratedData(spark, options, SampleDataGenerator.run(spark, options, partitions));
  }

  Dataset<Row> source(SampleSource source) {
    return spark.read()
        .format(options.format())
        .option("header", "true")
        .load(SampleDataGenerator.path(options, source.directory()));
  }

  Dataset<Row> truth(String table) {
    return spark.read().parquet(SampleDataGenerator.truthPath(options, table));
  }

  long cutoffEpochDay() {
    return options.cutoff().toEpochDay();
  }
}
